package auth

import (
	"context"
	"crypto/rand"
	"encoding/base64"
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

// AuthenticateClient identifies the client of a token, revocation or introspection request (oauth.md §5.1):
// HTTP Basic (each part form-decoded) or client_id and client_secret in the body, not both (read by
// cc.Client). A public client sends only its client_id (Basic with an empty password counts). Secrets are
// compared by hash in constant time. Every failure but the store's is an *authwire.ClientError.
func (a *Authenticator) AuthenticateClient(ctx context.Context, cc authwire.ClientCredentials) (models.OAuthClient, error) {
	id, secret, hasSecret, cerr := cc.Client()
	if cerr != nil {
		return models.OAuthClient{}, cerr
	}
	c, err := a.Store.ClientByID(ctx, id)
	if err != nil {
		if models.KindOf(err) == models.KindNotFound {
			return models.OAuthClient{}, &authwire.ClientError{}
		}
		return models.OAuthClient{}, err
	}
	if c.Public {
		if hasSecret {
			return models.OAuthClient{}, &authwire.ClientError{}
		}
		return c, nil
	}
	if !hasSecret || c.SecretHash == nil || !EqualHash(HashSecret(secret), *c.SecretHash) {
		return models.OAuthClient{}, &authwire.ClientError{}
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
	scope := models.Scope(authwire.GrantedFiles(ids, requested))
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
