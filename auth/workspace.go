package auth

import (
	"context"

	"github.com/fileapi/fileapi/models"
)

// WorkspaceDenial is the rule of the workspace API's authentication (workspace.md §2) that a request broke; the
// dialect answers each with its own status and body.
type WorkspaceDenial int

const (
	WorkspaceNoCredential   WorkspaceDenial = iota + 1 // no credential at all
	WorkspaceTwoCredentials                            // more than one, of any kinds
	WorkspaceBadCredential                             // unknown, expired or revoked; or a key whose file binding no longer holds
	WorkspaceUserGone                                  // a credential that would work, but its user has been removed
	WorkspaceServiceKey                                // a service account's access key: service accounts use tokens here
)

var workspaceDenialText = [...]string{"", "no credential", "more than one credential", "credential not valid",
	"the credential's user is gone", "a service account's access key"}

func (d WorkspaceDenial) Error() string { return "workspace: " + workspaceDenialText[d] }

// WorkspaceCredentials are the credentials a workspace request carries, as sent: the tokens of Authorization:
// Bearer headers (each one counts, even empty: it then fails as a bad token), the values of access_token query
// parameters and of X-Api-Key headers (empty ones count as none).
type WorkspaceCredentials struct {
	Bearer       []string
	AccessTokens []string
	Keys         []string
}

// Workspace authenticates a workspace API request: exactly one credential, a live access token or an unrevoked
// access key. A key bound to a file works only while the user is a member there with web services on and the
// file allows them; a service account may not use a key. A failed rule is a WorkspaceDenial; a database outage
// is the store's error.
func (a *Authenticator) Workspace(ctx context.Context, creds WorkspaceCredentials) (Principal, error) {
	var token, key string
	n := 0
	for _, t := range creds.Bearer {
		token, n = t, n+1
	}
	for _, t := range creds.AccessTokens {
		if t != "" {
			token, n = t, n+1
		}
	}
	for _, k := range creds.Keys {
		if k != "" {
			key, n = k, n+1
		}
	}
	switch {
	case n == 0:
		return Principal{}, WorkspaceNoCredential
	case n > 1:
		return Principal{}, WorkspaceTwoCredentials
	}
	secret := token
	var p Principal
	var err error
	if key == "" {
		p, _, _, err = a.ByToken(ctx, token, "workspace/bearer", 0)
	} else {
		secret = key
		var bound *int64
		var reach models.Reach
		p, bound, reach, err = a.ByKey(ctx, key, "workspace/key", 0)
		if err == nil && bound != nil && !bindingHolds(*bound, reach) {
			return Principal{}, WorkspaceBadCredential // as for an unknown key
		}
	}
	switch {
	case models.KindOf(err) == models.KindUnauthorized:
		if secret == "" {
			return Principal{}, WorkspaceBadCredential
		}
		if gone, gerr := a.Store.OrphanedCredential(ctx, HashSecret(secret)); gerr != nil {
			return Principal{}, gerr
		} else if gone {
			return Principal{}, WorkspaceUserGone
		}
		return Principal{}, WorkspaceBadCredential
	case err != nil:
		return Principal{}, err
	case p.ServiceAccount && p.Via == "workspace/key":
		return Principal{}, WorkspaceServiceKey
	}
	return p, nil
}

// bindingHolds reports whether a key bound to file may still be used: the user is a member of the file with
// web services on, and the file allows them. r is what the key reaches on the file it is bound to.
func bindingHolds(file int64, r models.Reach) bool {
	fa, ok := r.Access()
	return ok && fa.FileID == file && fa.WebServices && fa.AllowWebServices
}
