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
// token's scope. Anything but a live access token is KindUnauthorized.
func (a *Authenticator) ByToken(ctx context.Context, token, via string) (Principal, string, error) {
	th, err := a.Store.UserByAccessToken(ctx, HashSecret(token))
	if err != nil {
		return Principal{}, "", err
	}
	return Principal{User: th.User, Via: via, TokenID: th.Token.ID, ServiceAccount: th.User.UserType == models.UserService},
		th.Token.Scope, nil
}

// ByKey resolves an unrevoked access key to the principal it acts as, with Via set to via, and returns the
// file the key is bound to, if any. Anything else is KindUnauthorized.
func (a *Authenticator) ByKey(ctx context.Context, key, via string) (Principal, *int64, error) {
	owner, err := a.Store.UserByAccessKey(ctx, HashSecret(key))
	if err != nil {
		return Principal{}, nil, err
	}
	return Principal{User: owner.User, Via: via, KeyID: owner.KeyID, ServiceAccount: owner.User.UserType == models.UserService},
		owner.KeyFileID, nil
}

// UserID is the id of the authenticated user.
func (p Principal) UserID() int64 { return p.User.ID }

type principalKey struct{}

// NewContext returns a context carrying p.
func NewContext(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// FromContext returns the principal of an authenticated request.
func FromContext(ctx context.Context) (Principal, bool) {
	p, ok := ctx.Value(principalKey{}).(Principal)
	return p, ok
}
