package auth

import (
	"context"
	"time"

	"github.com/fileapi/fileapi/models"
)

// Token prefixes (oauth.md §2).
const (
	PrefixAccessToken  = "fa_at_"
	PrefixRefreshToken = "fa_rt_"
)

// Lifetimes of Saasu-issued tokens (saasu.md §6.7).
const (
	SaasuAccessTTL  = 10800 * time.Second
	SaasuRefreshTTL = 365 * 24 * time.Hour
)

// Grant is a freshly issued token pair, secrets included: it exists only long enough to be sent once.
type Grant struct {
	AccessToken  string
	RefreshToken string // empty when none was issued
	ExpiresIn    int64  // seconds
	Scope        string
}

// errBadLogin is the one answer to a wrong password, an unknown user and a service account.
var errBadLogin = &models.Error{Kind: models.KindInvalid, Message: "The user name or password is incorrect."}

// PasswordLogin checks a username and password. A wrong password, an unknown user and a service account
// all fail alike, after the same bcrypt work.
func (a *Authenticator) PasswordLogin(ctx context.Context, username, password string) (models.User, error) {
	u, err := a.Store.UserByUsername(ctx, username)
	if models.KindOf(err) == models.KindNotFound {
		CheckPassword(nil, password) // the same work as for a real user
		return models.User{}, errBadLogin
	}
	if err != nil {
		return models.User{}, err
	}
	if !CheckPassword(u.PasswordHash, password) || u.UserType != models.UserHuman {
		return models.User{}, errBadLogin
	}
	return u, nil
}

// scopeOf is "full" plus every file the user holds a membership on now.
func (a *Authenticator) scopeOf(ctx context.Context, userID int64) (string, error) {
	ids, err := a.Store.FileIDs(ctx, userID)
	if err != nil {
		return "", err
	}
	return models.Scope(ids), nil
}

// IssueSaasu issues the access and refresh token of a Saasu password grant.
func (a *Authenticator) IssueSaasu(ctx context.Context, u models.User) (Grant, error) {
	scope, err := a.scopeOf(ctx, u.ID)
	if err != nil {
		return Grant{}, err
	}
	now := a.Store.Now()
	access, refresh := NewSecret(PrefixAccessToken), NewSecret(PrefixRefreshToken)
	refreshHash, refreshExp := HashSecret(refresh), now.Add(SaasuRefreshTTL)
	_, err = a.Store.CreateToken(ctx, models.NewToken{UserID: u.ID, Scope: scope, AccessHash: HashSecret(access),
		ExpiresAt: now.Add(SaasuAccessTTL), RefreshHash: &refreshHash, RefreshExpiresAt: &refreshExp, FamilyExpiresAt: &refreshExp})
	if err != nil {
		return Grant{}, err
	}
	return Grant{AccessToken: access, RefreshToken: refresh, ExpiresIn: int64(SaasuAccessTTL / time.Second), Scope: scope}, nil
}

// RefreshSaasu issues a new access token for a Saasu refresh token, which stays the same; the earlier access
// token of that refresh token stops working at once, and the scope follows the current memberships.
func (a *Authenticator) RefreshSaasu(ctx context.Context, refresh string) (Grant, error) {
	access := NewSecret(PrefixAccessToken)
	t, err := a.Store.RefreshSaasu(ctx, HashSecret(refresh), HashSecret(access), a.Store.Now().Add(SaasuAccessTTL),
		func(userID int64) (string, error) { return a.scopeOf(ctx, userID) })
	if err != nil {
		return Grant{}, err
	}
	return Grant{AccessToken: access, RefreshToken: refresh, ExpiresIn: int64(SaasuAccessTTL / time.Second), Scope: t.Scope}, nil
}
