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
	found := err == nil
	if err != nil && models.KindOf(err) != models.KindNotFound {
		return models.User{}, err
	}
	return u, CheckLogin(u, found, password)
}

// UserBySignInName finds the user a sign-in name means: the one whose username equals it, else the one whose
// e-mail does, both compared case-insensitively (workspace.md §6.1). found is false when there is none.
func (a *Authenticator) UserBySignInName(ctx context.Context, name string) (u models.User, found bool, err error) {
	u, err = a.Store.UserByUsername(ctx, name)
	if models.KindOf(err) == models.KindNotFound {
		u, err = a.Store.UserByEmail(ctx, name)
	}
	switch {
	case err == nil:
		return u, true, nil
	case models.KindOf(err) == models.KindNotFound:
		return models.User{}, false, nil
	}
	return models.User{}, false, err
}

// CheckLogin checks the password of a user found (or not) by its sign-in name. A wrong password, an unknown
// user and a service account all fail alike, after the same bcrypt work.
func CheckLogin(u models.User, found bool, password string) error {
	if !found {
		CheckPassword(nil, password) // the same work as for a real user
		return errBadLogin
	}
	if !CheckPassword(u.PasswordHash, password) || u.UserType != models.UserHuman {
		return errBadLogin
	}
	return nil
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
	return a.issue(ctx, u, true)
}

// IssueSession issues the access token of a workspace sign-in: a Saasu access token without a refresh token.
func (a *Authenticator) IssueSession(ctx context.Context, u models.User) (Grant, error) {
	return a.issue(ctx, u, false)
}

func (a *Authenticator) issue(ctx context.Context, u models.User, withRefresh bool) (Grant, error) {
	scope, err := a.scopeOf(ctx, u.ID)
	if err != nil {
		return Grant{}, err
	}
	now := a.Store.Now()
	g := Grant{AccessToken: NewSecret(PrefixAccessToken), ExpiresIn: int64(SaasuAccessTTL / time.Second), Scope: scope}
	nt := models.NewToken{UserID: u.ID, Scope: scope, AccessHash: HashSecret(g.AccessToken), ExpiresAt: now.Add(SaasuAccessTTL)}
	if withRefresh {
		g.RefreshToken = NewSecret(PrefixRefreshToken)
		refreshHash, refreshExp := HashSecret(g.RefreshToken), now.Add(SaasuRefreshTTL)
		nt.RefreshHash, nt.RefreshExpiresAt, nt.FamilyExpiresAt = &refreshHash, &refreshExp, &refreshExp
	}
	if _, err := a.Store.CreateToken(ctx, nt); err != nil {
		return Grant{}, err
	}
	return g, nil
}

// RefreshSaasu issues a new access token for a Saasu refresh token, which stays the same; the earlier access
// token of that refresh token stops working at once, and the scope follows the current memberships.
func (a *Authenticator) RefreshSaasu(ctx context.Context, refresh string) (Grant, error) {
	access := NewSecret(PrefixAccessToken)
	t, err := a.Store.RefreshSaasu(ctx, HashSecret(refresh), HashSecret(access), a.Store.Now().Add(SaasuAccessTTL))
	if err != nil {
		return Grant{}, err
	}
	return Grant{AccessToken: access, RefreshToken: refresh, ExpiresIn: int64(SaasuAccessTTL / time.Second), Scope: t.Scope}, nil
}
