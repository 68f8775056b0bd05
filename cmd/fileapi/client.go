package main

import (
	"context"
	"strings"

	"github.com/fileapi/fileapi/auth"
	"github.com/fileapi/fileapi/models"
)

// repeated is a flag that may be given more than once.
type repeated []string

func (r *repeated) String() string     { return strings.Join(*r, " ") }
func (r *repeated) Set(v string) error { *r = append(*r, v); return nil }

// clientJSON is how the command line prints a new client; the secret is shown this once (null for public).
type clientJSON struct {
	ClientID       string   `json:"client_id"`
	ClientSecret   *string  `json:"client_secret"`
	Name           string   `json:"name"`
	RedirectURIs   []string `json:"redirect_uris"`
	Public         bool     `json:"public"`
	ServiceAccount *int64   `json:"service_account_user_id"`
}

func (c *cli) clientCreate(ctx context.Context, args []string) error {
	fs, db := c.flags("client create", "client create --name NAME [--redirect-uri URI]... [--public] [--service-account U]")
	name := fs.String("name", "", "the app's name, shown on the consent page (required)")
	var uris repeated
	fs.Var(&uris, "redirect-uri", "a redirect URI, exactly as the app will send it (repeatable)")
	public := fs.Bool("public", false, "a public client (no secret; must use PKCE)")
	sa := fs.String("service-account", "", "username or id of a service account the client acts as with client_credentials")
	if err := c.parse(fs, args); err != nil {
		return err
	}
	if *name == "" {
		return usageError{"client create: --name is required"}
	}
	if *public && *sa != "" {
		return usageError{"client create: a public client cannot have a service account"}
	}
	s, err := c.open(ctx, *db)
	if err != nil {
		return err
	}
	defer func() { _ = s.Close() }()
	nc := models.NewClient{ClientID: auth.NewClientID(), Name: *name, RedirectURIs: uris}
	var secret *string
	if !*public {
		sec := auth.NewSecret(auth.PrefixClientSecret)
		h := auth.HashSecret(sec)
		secret, nc.SecretHash = &sec, &h
	}
	if *sa != "" {
		u, err := findUser(ctx, s, *sa)
		if err != nil {
			return err
		}
		nc.ServiceAccountUserID = &u.ID
	}
	cl, err := s.CreateClient(ctx, nc)
	if err != nil {
		return err
	}
	return c.print(clientJSON{cl.ClientID, secret, cl.Name, cl.Redirects(), cl.Public, cl.ServiceAccountUserID})
}
