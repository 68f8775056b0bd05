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
