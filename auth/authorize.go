package auth

import (
	"context"
	"time"

	"github.com/fileapi/fileapi/auth/authwire"
	"github.com/fileapi/fileapi/models"
)

// Prefixes and lifetimes of the authorization server's artefacts (oauth.md §2).
const (
	PrefixCode   = "fa_ac_"
	PrefixTicket = "fa_lt_"

	CodeTTL         = 60 * time.Second
	TicketTTL       = 10 * time.Minute
	OAuthRefreshTTL = 30 * 24 * time.Hour
	FamilyTTL       = 365 * 24 * time.Hour
)

// Authorization is what an authorization request asks for, as the pages carry it from step to step.
type Authorization struct {
	ClientID      string
	RedirectURI   *string // as sent; nil when the request had none
	Scope         string  // as requested
	CodeChallenge *string // the S256 challenge, when sent
}

// NewTicket starts a sign-in for a user whose password was right: a login ticket at the given stage
// (models.StageOTP for a 2FA user, else models.StageConsent). The ticket secret goes into the page; only its
// hash is stored.
func (a *Authenticator) NewTicket(ctx context.Context, u models.User, az Authorization, stage string) (string, error) {
	secret := NewSecret(PrefixTicket)
	_, err := a.Store.CreateCode(ctx, models.OAuthCode{CodeHash: HashSecret(secret), Kind: models.CodeTicket,
		ClientID: az.ClientID, UserID: u.ID, RedirectURI: az.RedirectURI, Scope: az.Scope, CodeChallenge: az.CodeChallenge,
		Stage: stage, ExpiresAt: a.Store.Now().Add(TicketTTL)})
	return secret, err
}

// Ticket returns a live ticket; a missing, expired or used one is KindNotFound. The caller must also check
// that it matches the authorization request it arrives with (Matches).
func (a *Authenticator) Ticket(ctx context.Context, secret string) (models.OAuthCode, error) {
	return a.Store.Ticket(ctx, HashSecret(secret))
}

// Matches reports whether a ticket was issued for this very authorization request.
func Matches(t models.OAuthCode, az Authorization) bool {
	return t.ClientID == az.ClientID && equalPtr(t.RedirectURI, az.RedirectURI) && t.Scope == az.Scope && equalPtr(t.CodeChallenge, az.CodeChallenge)
}

// AdvanceTicket moves a ticket to the next stage (after a right SMS code: models.StageConsent).
func (a *Authenticator) AdvanceTicket(ctx context.Context, secret, stage string) error {
	return a.Store.AdvanceTicket(ctx, HashSecret(secret), stage)
}

// EndTicket uses a ticket up (the consent was given or denied).
func (a *Authenticator) EndTicket(ctx context.Context, secret string) (models.OAuthCode, error) {
	return a.Store.UseTicket(ctx, HashSecret(secret))
}

// GrantedScope is the scope a user can grant now for a requested scope (oauth.md §4.3).
func (a *Authenticator) GrantedScope(ctx context.Context, userID int64, requested string) (string, []int64, error) {
	ids, err := a.Store.FileIDs(ctx, userID)
	if err != nil {
		return "", nil, err
	}
	granted := authwire.GrantedFiles(ids, requested)
	return models.Scope(granted), granted, nil
}

// IssueCode turns a consented ticket into an authorization code (60 s, single use) bound to the client, the
// redirect URI as sent, the user, the scope granted now and the PKCE challenge. The ticket is used up.
func (a *Authenticator) IssueCode(ctx context.Context, ticketSecret string) (string, models.OAuthCode, error) {
	t, err := a.EndTicket(ctx, ticketSecret)
	if err != nil {
		return "", models.OAuthCode{}, err
	}
	scope, _, err := a.GrantedScope(ctx, t.UserID, t.Scope)
	if err != nil {
		return "", models.OAuthCode{}, err
	}
	code := NewSecret(PrefixCode)
	_, err = a.Store.CreateCode(ctx, models.OAuthCode{CodeHash: HashSecret(code), Kind: models.CodeAuthorization,
		ClientID: t.ClientID, UserID: t.UserID, RedirectURI: t.RedirectURI, Scope: scope, CodeChallenge: t.CodeChallenge,
		ExpiresAt: a.Store.Now().Add(CodeTTL)})
	return code, t, err
}

// ErrVerifier refuses a PKCE verifier that is missing, malformed, wrong or unexpected.
var ErrVerifier = &models.Error{Kind: models.KindInvalid, Field: "code_verifier", Message: "The code_verifier does not match the code_challenge."}

// ExchangeCode trades an authorization code for an access and a refresh token (oauth.md §5.2). redirectURI
// is the token request's redirect_uri (nil when absent), registered the client's registered URIs. Any refusal
// consumes nothing; a replayed code revokes its family.
func (a *Authenticator) ExchangeCode(ctx context.Context, client models.OAuthClient, code string, redirectURI *string, verifier *string) (Grant, error) {
	access, refresh := NewSecret(PrefixAccessToken), NewSecret(PrefixRefreshToken)
	now := a.Store.Now()
	t, err := a.Store.ExchangeCode(ctx, HashSecret(code), func(c models.OAuthCode) error {
		if c.ClientID != client.ClientID {
			return models.ErrCodeInvalid
		}
		switch {
		case c.RedirectURI != nil && (redirectURI == nil || *redirectURI != *c.RedirectURI):
			return models.ErrCodeInvalid
		case c.RedirectURI == nil && redirectURI != nil && !registered(client, *redirectURI):
			return models.ErrCodeInvalid
		}
		switch {
		case c.CodeChallenge == nil && verifier != nil:
			return ErrVerifier
		case c.CodeChallenge != nil && (verifier == nil || !authwire.VerifyPKCE(*c.CodeChallenge, *verifier)):
			return ErrVerifier
		}
		return nil
	}, func(c models.OAuthCode) (models.NewToken, error) {
		rh, rexp, fexp := HashSecret(refresh), now.Add(OAuthRefreshTTL), now.Add(FamilyTTL)
		clientID := client.ClientID
		return models.NewToken{UserID: c.UserID, ClientID: &clientID, Scope: c.Scope, AccessHash: HashSecret(access),
			ExpiresAt: now.Add(OAuthAccessTTL * time.Second), RefreshHash: &rh, RefreshExpiresAt: &rexp, FamilyExpiresAt: &fexp}, nil
	})
	if err != nil {
		return Grant{}, err
	}
	return Grant{AccessToken: access, RefreshToken: refresh, ExpiresIn: OAuthAccessTTL, Scope: t.Scope}, nil
}

// RotateRefresh renews a client's refresh token: a new access token and a new refresh token, the presented
// one retired. A retired one presented again revokes the family.
func (a *Authenticator) RotateRefresh(ctx context.Context, client models.OAuthClient, refresh string) (Grant, error) {
	access, next := NewSecret(PrefixAccessToken), NewSecret(PrefixRefreshToken)
	now := a.Store.Now()
	t, err := a.Store.RotateRefresh(ctx, HashSecret(refresh), client.ClientID, func(old models.OAuthToken) (models.NewToken, error) {
		rh, rexp := HashSecret(next), now.Add(OAuthRefreshTTL)
		return models.NewToken{UserID: old.UserID, ClientID: old.ClientID, Scope: old.Scope, AccessHash: HashSecret(access),
			ExpiresAt: now.Add(OAuthAccessTTL * time.Second), RefreshHash: &rh, RefreshExpiresAt: &rexp}, nil
	})
	if err != nil {
		return Grant{}, err
	}
	return Grant{AccessToken: access, RefreshToken: next, ExpiresIn: OAuthAccessTTL, Scope: t.Scope}, nil
}

func registered(c models.OAuthClient, uri string) bool {
	for _, r := range c.Redirects() {
		if r == uri {
			return true
		}
	}
	return false
}

func equalPtr(a, b *string) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return *a == *b
}
