package auth

import (
	"context"

	"github.com/fileapi/fileapi/auth/authwire"
	"github.com/fileapi/fileapi/models"
)

// The ZITADEL permissions a management route needs (zitadel.md §2 step 7). Auth routes need none ("").
const (
	PermUserRead  = "user.read"
	PermUserWrite = "user.write"
)

// ZitadelDenial is the check of a ZITADEL call that failed (zitadel.md §2 steps 3 to 7, in that order). The
// dialect answers each with its own status; auth only decides.
type ZitadelDenial int

const (
	ZitadelNoAuth       ZitadelDenial = iota + 1 // no Authorization header
	ZitadelBadAuth                               // an Authorization header that is not "Bearer …"
	ZitadelBadToken                              // no live access token
	ZitadelNoOrg                                 // the org header names no org, or the caller has no org of its own
	ZitadelNoMembership                          // the caller is no member of the org, or the token's scope omits it
	ZitadelNoPermission                          // the membership does not grant the route's permission
)

var zitadelDenialText = [...]string{"", "no authorization header", "not a bearer authorization header",
	"no live access token", "no such organisation", "no membership of the organisation", "no matching permission"}

func (d ZitadelDenial) Error() string { return "zitadel: " + zitadelDenialText[d] }

// Zitadel authenticates and authorises a ZITADEL call: authorization and orgHeader are the Authorization and
// x-zitadel-orgid headers as sent, perm the permission the route needs ("" on auth routes). The principal's
// FileID is the org the call acts in: the header's, else the caller's own on management routes, and 0 on auth
// routes. A failed check is a ZitadelDenial; a database outage is the store's error.
func (a *Authenticator) Zitadel(ctx context.Context, authorization, orgHeader, perm string) (Principal, error) {
	if authorization == "" {
		return Principal{}, ZitadelNoAuth
	}
	tok, ok := cutBearer(authorization)
	if !ok {
		return Principal{}, ZitadelBadAuth
	}
	// One query reads the token, its user, and the org the call names (the header's, else the user's own)
	// with the user's membership on it.
	headerOrg, headerOK := authwire.ParseOrgID(orgHeader)
	ta, err := a.Store.AccessByToken(ctx, HashSecret(tok), headerOrg)
	if models.KindOf(err) == models.KindUnauthorized {
		return Principal{}, ZitadelBadToken
	} else if err != nil {
		return Principal{}, err
	}
	p := Principal{User: ta.User, Via: "zitadel/bearer", TokenID: ta.Token.ID, ServiceAccount: ta.User.UserType == models.UserService}
	switch {
	case orgHeader != "":
		if !headerOK || ta.Reach.FileID == 0 {
			return Principal{}, ZitadelNoOrg
		}
		p.FileID = headerOrg
	case perm != "":
		if ta.User.OwnerFileID == nil {
			return Principal{}, ZitadelNoOrg
		}
		p.FileID = *ta.User.OwnerFileID
	}
	if perm == "" {
		p.FileID = 0
		return p, nil
	}
	fa, ok := ta.Reach.Access()
	if !ok || fa.FileID != p.FileID || !models.ScopeHasFile(ta.Token.Scope, p.FileID) {
		return Principal{}, ZitadelNoMembership
	}
	if !zitadelAllows(fa.AccessLevel, perm) {
		return Principal{}, ZitadelNoPermission
	}
	return p, nil
}

// zitadelAllows is the permission rule of zitadel.md §2 step 7: an administrator of the org may read and write
// its users, a standard member may read them.
func zitadelAllows(level, perm string) bool {
	switch level {
	case models.AccessAdministrator:
		return true
	case models.AccessStandard:
		return perm == PermUserRead
	}
	return false
}

// cutBearer reads "Bearer TOKEN" as ZITADEL does: the scheme exactly so, one space, the rest is the token.
func cutBearer(h string) (string, bool) {
	const prefix = "Bearer "
	if len(h) < len(prefix) || h[:len(prefix)] != prefix {
		return "", false
	}
	return h[len(prefix):], true
}
