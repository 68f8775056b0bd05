// Package auth turns credentials into a Principal: access keys, bearer tokens, passwords and their rules.
package auth

import (
	"context"

	"github.com/fileapi/fileapi/models"
)

// Principal is who a request acts as, resolved before any handler runs.
type Principal struct {
	User   models.User // the authenticated user, as read while authenticating
	FileID int64       // the file the call is scoped to (0 when none)
	Via    string      // dialect and credential kind, e.g. "saasu/key"
	KeyID  int64       // the access key used, if any
	// TokenID is the oauth_tokens row of the access token used, if any.
	TokenID int64
	// ServiceAccount is true for users of type 1.
	ServiceAccount bool
}

// ByToken resolves a live access token to the principal it acts as, with Via set to via, and returns the
// token's scope and what the user reaches on fileID (0: the user's own file), read in the same query.
// Anything but a live access token is KindUnauthorized.
func (a *Authenticator) ByToken(ctx context.Context, token, via string, fileID int64) (Principal, string, models.Reach, error) {
	ta, err := a.Store.AccessByToken(ctx, HashSecret(token), fileID)
	if err != nil {
		return Principal{}, "", models.Reach{}, err
	}
	return Principal{User: ta.User, Via: via, TokenID: ta.Token.ID, ServiceAccount: ta.User.UserType == models.UserService},
		ta.Token.Scope, ta.Reach, nil
}

// ByKey resolves an unrevoked access key to the principal it acts as, with Via set to via, and returns the
// file the key is bound to, if any, and what the user reaches on fileID (0: the user's own file), read in the
// same query. Anything else is KindUnauthorized.
func (a *Authenticator) ByKey(ctx context.Context, key, via string, fileID int64) (Principal, *int64, models.Reach, error) {
	ka, err := a.Store.AccessByKey(ctx, HashSecret(key), fileID)
	if err != nil {
		return Principal{}, nil, models.Reach{}, err
	}
	return Principal{User: ka.User, Via: via, KeyID: ka.KeyID, ServiceAccount: ka.User.UserType == models.UserService},
		ka.KeyFileID, ka.Reach, nil
}

// UserID is the id of the authenticated user.
func (p Principal) UserID() int64 { return p.User.ID }
