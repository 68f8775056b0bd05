package models

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"unicode/utf8"
)

// NewClient describes a partner application to register. SecretHash is nil for a public client.
type NewClient struct {
	ClientID             string
	SecretHash           *string
	Name                 string
	RedirectURIs         []string
	ServiceAccountUserID *int64
}

// CreateClient registers a partner application (oauth.md §1): redirect URIs must be absolute, without a
// fragment, and https, http on a loopback host, or a private-use scheme containing a dot; a service account
// (user type 1) only for a confidential client.
func (s *Store) CreateClient(ctx context.Context, nc NewClient) (OAuthClient, error) {
	return retryValue(ctx, func() (OAuthClient, error) {
		name := strings.TrimSpace(nc.Name)
		if name == "" || utf8.RuneCountInString(name) > 200 {
			return OAuthClient{}, &Error{Kind: KindInvalid, Field: "name", Message: "the client name is required (at most 200 characters)"}
		}
		for _, u := range nc.RedirectURIs {
			if err := checkRedirectURI(u); err != nil {
				return OAuthClient{}, err
			}
		}
		if nc.ServiceAccountUserID != nil {
			if nc.SecretHash == nil {
				return OAuthClient{}, &Error{Kind: KindInvalid, Field: "service-account", Message: "only a confidential client can have a service account"}
			}
			u, err := s.UserByID(ctx, *nc.ServiceAccountUserID)
			if err != nil {
				return OAuthClient{}, err
			}
			if u.UserType != UserService {
				return OAuthClient{}, &Error{Kind: KindInvalid, Field: "service-account", Message: fmt.Sprintf("user %q is not a service account", u.Username)}
			}
		}
		uris, err := json.Marshal(append([]string{}, nc.RedirectURIs...))
		if err != nil {
			return OAuthClient{}, err
		}
		c := OAuthClient{ClientID: nc.ClientID, SecretHash: nc.SecretHash, Name: name, RedirectURIs: string(uris),
			Public: nc.SecretHash == nil, ServiceAccountUserID: nc.ServiceAccountUserID, CreatedAt: s.Now()}
		if err := s.wdb.WithContext(ctx).Create(&c).Error; err != nil {
			return OAuthClient{}, translate(err)
		}
		return c, nil
	})
}

// ClientByID returns a registered client; an unknown one is KindNotFound.
func (s *Store) ClientByID(ctx context.Context, clientID string) (OAuthClient, error) {
	var c OAuthClient
	err := s.rd.QueryRowContext(ctx, `SELECT client_id, secret_hash, name, redirect_uris, public, service_account_user_id, created_at
		FROM oauth_clients WHERE client_id = ?`, clientID).Scan(&c.ClientID, &c.SecretHash, &c.Name, &c.RedirectURIs, &c.Public, &c.ServiceAccountUserID, &c.CreatedAt)
	if err != nil {
		return OAuthClient{}, notFound(translate(notFoundRow(err)), "client %q does not exist", clientID)
	}
	return c, nil
}

// Redirects returns a client's registered redirect URIs.
func (c OAuthClient) Redirects() []string {
	var uris []string
	_ = json.Unmarshal([]byte(c.RedirectURIs), &uris)
	return uris
}

func checkRedirectURI(raw string) error {
	bad := &Error{Kind: KindInvalid, Field: "redirect-uri", Message: fmt.Sprintf("redirect URI %q must be absolute, without a fragment, and https, http on localhost, 127.0.0.1 or [::1], or a private-use scheme containing a dot", raw)}
	u, err := url.Parse(raw)
	if err != nil || !u.IsAbs() || u.Fragment != "" || strings.Contains(raw, "#") {
		return bad
	}
	switch {
	case u.Scheme == "https" && u.Host != "":
		return nil
	case u.Scheme == "http" && (u.Hostname() == "localhost" || u.Hostname() == "127.0.0.1" || u.Hostname() == "::1"):
		return nil
	case strings.Contains(u.Scheme, ".") && u.Scheme != "http" && u.Scheme != "https":
		return nil
	}
	return bad
}
