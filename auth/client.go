package auth

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"net/url"
	"strings"
	"time"

	"github.com/fileapi/fileapi/auth/authwire"
	"github.com/fileapi/fileapi/models"
)

// PrefixClientSecret marks an OAuth client secret.
const PrefixClientSecret = "fa_cs_"

// NewClientID returns 22 base64url characters: 128 random bits, unchanged by form encoding.
func NewClientID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("crypto/rand failed: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// ClientError is why client authentication failed: InvalidRequest (two methods, or ids that disagree) or
// not (the client is unknown or its secret is wrong: invalid_client).
type ClientError struct {
	InvalidRequest bool
}

func (e *ClientError) Error() string {
	if e.InvalidRequest {
		return "use exactly one client authentication method"
	}
	return "client authentication failed"
}

// ClientCredentials are what a token-endpoint request says about its client.
type ClientCredentials struct {
	Authorization string // the Authorization header
	BodyID        string // client_id in the body
	BodySecret    string // client_secret in the body
	HasBodySecret bool
}

// AuthenticateClient identifies the client of a token, revocation or introspection request (oauth.md §5.1):
// HTTP Basic (each part form-decoded) or client_id and client_secret in the body, not both. A public client
// sends only its client_id (Basic with an empty password counts). Secrets are compared by hash in constant
// time.
func (a *Authenticator) AuthenticateClient(ctx context.Context, cc ClientCredentials) (models.OAuthClient, error) {
	id, secret, hasSecret := cc.BodyID, cc.BodySecret, cc.HasBodySecret
	if scheme, rest, _ := strings.Cut(strings.TrimSpace(cc.Authorization), " "); strings.EqualFold(scheme, "Basic") {
		raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(rest))
		if err != nil {
			return models.OAuthClient{}, &ClientError{}
		}
		user, pass, ok := strings.Cut(string(raw), ":")
		if !ok {
			return models.OAuthClient{}, &ClientError{}
		}
		bid, err1 := url.QueryUnescape(user)
		bsecret, err2 := url.QueryUnescape(pass)
		if err1 != nil || err2 != nil {
			return models.OAuthClient{}, &ClientError{}
		}
		if cc.HasBodySecret || (cc.BodyID != "" && cc.BodyID != bid) {
			return models.OAuthClient{}, &ClientError{InvalidRequest: true}
		}
		id, secret, hasSecret = bid, bsecret, bsecret != ""
	}
	if id == "" {
		return models.OAuthClient{}, &ClientError{}
	}
	c, err := a.Store.ClientByID(ctx, id)
	if err != nil {
		if models.KindOf(err) == models.KindNotFound {
			return models.OAuthClient{}, &ClientError{}
		}
		return models.OAuthClient{}, err
	}
	if c.Public {
		if hasSecret {
			return models.OAuthClient{}, &ClientError{}
		}
		return c, nil
	}
	if !hasSecret || c.SecretHash == nil || !EqualHash(HashSecret(secret), *c.SecretHash) {
		return models.OAuthClient{}, &ClientError{}
	}
	return c, nil
}

// OAuthAccessTTL is the lifetime of access tokens from /oauth/v2/token (oauth.md §2).
const OAuthAccessTTL = 3600

// IssueClientCredentials issues an access token, without refresh token, that acts as the client's service
// account, for the files asked for in scope (all of its memberships when none is asked for).
func (a *Authenticator) IssueClientCredentials(ctx context.Context, c models.OAuthClient, requested string) (Grant, error) {
	ids, err := a.Store.FileIDs(ctx, *c.ServiceAccountUserID)
	if err != nil {
		return Grant{}, err
	}
	scope := models.Scope(GrantedFiles(ids, requested))
	access := NewSecret(PrefixAccessToken)
	now := a.Store.Now()
	clientID := c.ClientID
	_, err = a.Store.CreateToken(ctx, models.NewToken{UserID: *c.ServiceAccountUserID, ClientID: &clientID, Scope: scope,
		AccessHash: HashSecret(access), ExpiresAt: now.Add(OAuthAccessTTL * time.Second)})
	if err != nil {
		return Grant{}, err
	}
	return Grant{AccessToken: access, ExpiresIn: OAuthAccessTTL, Scope: scope}, nil
}

// GrantedFiles chooses the files of a scope request (oauth.md §4.3): the requested fileid:N entries the user
// holds a membership on, or all of them when none is requested. Unknown entries are dropped, never an error.
func GrantedFiles(memberships []int64, requested string) []int64 {
	want := map[int64]bool{}
	for _, part := range strings.Fields(requested) {
		if rest, ok := strings.CutPrefix(part, "fileid:"); ok {
			if id := authwire.ParseFileID(rest); id != 0 {
				want[id] = true
			}
		}
	}
	if len(want) == 0 {
		return memberships
	}
	var out []int64
	for _, id := range memberships {
		if want[id] {
			out = append(out, id)
		}
	}
	return out
}
