package main

import (
	"context"
	"encoding/json"
	"time"
	"unicode/utf8"

	"github.com/fileapi/fileapi/auth"
	"github.com/fileapi/fileapi/models"
)

// admin lists the admin commands by "noun verb".
func (c *cli) admin() map[string]func(context.Context, []string) error {
	return map[string]func(context.Context, []string) error{
		"file create":       c.fileCreate,
		"file update":       c.fileUpdate,
		"user create":       c.userCreate,
		"user grant":        c.userGrant,
		"user revoke":       c.userRevoke,
		"user set-password": c.userSetPassword,
		"key create":        c.keyCreate,
		"key revoke":        c.keyRevoke,
		"audit list":        c.auditList,
		"client create":     c.clientCreate,
		"outbox list":       c.outboxList,
	}
}

// fileJSON is how the command line prints a file.
type fileJSON struct {
	ID               int64  `json:"id"`
	Name             string `json:"name"`
	Slug             string `json:"slug"`
	Country          string `json:"country"`
	Currency         string `json:"currency"`
	AllowWebServices bool   `json:"allow_web_services"`
}

func (c *cli) fileCreate(ctx context.Context, args []string) error {
	fs, db := c.flags("file create", "file create --name NAME [--id N] [--web-services=false] [--country CC] [--currency CCC]")
	name := fs.String("name", "", "the file's name (required)")
	id := fs.Int64("id", 0, "the file id, 1 to 2147483647 (default: assigned)")
	ws := fs.Bool("web-services", true, "allow access keys on this file")
	country := fs.String("country", "AU", "ISO 3166 country code")
	currency := fs.String("currency", "AUD", "ISO 4217 currency code")
	if err := c.parse(fs, args); err != nil {
		return err
	}
	if *name == "" {
		return usageError{"file create: --name is required"}
	}
	nf := models.NewFile{Name: *name, AllowWebServices: *ws, Country: *country, Currency: *currency}
	set := false
	fs.Visit(func(f *flagT) { set = set || f.Name == "id" })
	if set {
		nf.ID = id
	}
	s, err := c.open(ctx, *db)
	if err != nil {
		return err
	}
	defer func() { _ = s.Close() }()
	f, err := s.CreateFile(ctx, nf)
	if err != nil {
		return err
	}
	return c.print(fileJSON{f.ID, f.Name, f.Slug, f.Country, f.Currency, f.AllowWebServices})
}

func (c *cli) fileUpdate(ctx context.Context, args []string) error {
	fs, db := c.flags("file update", "file update --id N --web-services=true|false")
	id := fs.Int64("id", 0, "the file id (required)")
	ws := fs.Bool("web-services", true, "allow access keys on this file")
	if err := c.parse(fs, args); err != nil {
		return err
	}
	set := false
	fs.Visit(func(f *flagT) { set = set || f.Name == "web-services" })
	if *id == 0 || !set {
		return usageError{"file update: --id and --web-services are required"}
	}
	s, err := c.open(ctx, *db)
	if err != nil {
		return err
	}
	defer func() { _ = s.Close() }()
	f, err := s.SetFileWebServices(ctx, *id, *ws)
	if err != nil {
		return err
	}
	return c.print(fileJSON{f.ID, f.Name, f.Slug, f.Country, f.Currency, f.AllowWebServices})
}

// userJSON is how the command line prints a user. It never includes the password hash.
type userJSON struct {
	ID          int64   `json:"id"`
	Username    string  `json:"username"`
	FirstName   *string `json:"first_name"`
	LastName    *string `json:"last_name"`
	Email       *string `json:"email"`
	Type        string  `json:"type"`
	OwnerFileID *int64  `json:"owner_file_id"`
	Version     int64   `json:"version"`
}

var userTypes = map[string]int64{"human": models.UserHuman, "service": models.UserService}

func (c *cli) userCreate(ctx context.Context, args []string) error {
	fs, db := c.flags("user create", "user create --username U --first-name F [--last-name L] [--email E] [--password P] [--type human|service] [--owner-file N]")
	username := fs.String("username", "", "login name, usually an e-mail address (required)")
	first := fs.String("first-name", "", "first name (required)")
	last := fs.String("last-name", "", "last name")
	email := fs.String("email", "", "contact e-mail address")
	password := fs.String("password", "", "password (6 to 250 characters); none means the user cannot sign in with one")
	typ := fs.String("type", "human", "human or service")
	owner := fs.Int64("owner-file", 0, "the file that owns the user (ZITADEL resource owner)")
	if err := c.parse(fs, args); err != nil {
		return err
	}
	if *username == "" || *first == "" {
		return usageError{"user create: --username and --first-name are required"}
	}
	t, ok := userTypes[*typ]
	if !ok {
		return usageError{"user create: --type must be human or service"}
	}
	nu := models.NewUser{Username: *username, FirstName: *first, Type: t}
	visited := map[string]bool{}
	fs.Visit(func(f *flagT) { visited[f.Name] = true })
	if visited["last-name"] {
		nu.LastName = last
	}
	if visited["email"] {
		nu.Email = email
	}
	if visited["owner-file"] {
		nu.OwnerFileID = owner
	}
	if visited["password"] {
		if n := len([]rune(*password)); n < 6 || n > 250 {
			return usageError{"user create: --password must be 6 to 250 characters"}
		}
		h, err := auth.HashPassword(*password)
		if err != nil {
			return err
		}
		nu.PasswordHash = &h
	}
	s, err := c.open(ctx, *db)
	if err != nil {
		return err
	}
	defer func() { _ = s.Close() }()
	u, err := s.CreateUser(ctx, nu)
	if err != nil {
		return err
	}
	return c.print(toUserJSON(u))
}

func toUserJSON(u models.User) userJSON {
	t := "human"
	switch u.UserType {
	case models.UserService:
		t = "service"
	case models.UserSystem:
		t = "system"
	}
	return userJSON{u.ID, u.Username, u.FirstName, u.LastName, u.Email, t, u.OwnerFileID, u.Version}
}

// membershipJSON is how the command line prints a membership.
type membershipJSON struct {
	UserID      int64  `json:"user_id"`
	FileID      int64  `json:"file_id"`
	AccessLevel string `json:"access_level"`
	WebServices bool   `json:"web_services"`
}

func (c *cli) userGrant(ctx context.Context, args []string) error {
	fs, db := c.flags("user grant", "user grant --user U --file N [--access-level administrator|standard|readonly] [--web-services]")
	user := fs.String("user", "", "username or user id (required)")
	file := fs.Int64("file", 0, "file id (required)")
	level := fs.String("access-level", models.AccessStandard, "administrator, standard or readonly")
	ws := fs.Bool("web-services", false, "the user may use an access key on this file")
	if err := c.parse(fs, args); err != nil {
		return err
	}
	if *file == 0 {
		return usageError{"user grant: --file is required"}
	}
	s, u, err := c.openUser(ctx, *db, *user)
	if err != nil {
		return err
	}
	defer func() { _ = s.Close() }()
	m, err := s.Grant(ctx, u.ID, *file, *level, *ws)
	if err != nil {
		return err
	}
	return c.print(membershipJSON{m.UserID, m.FileID, m.AccessLevel, m.WebServices})
}

func (c *cli) userRevoke(ctx context.Context, args []string) error {
	fs, db := c.flags("user revoke", "user revoke --user U --file N")
	user := fs.String("user", "", "username or user id (required)")
	file := fs.Int64("file", 0, "file id (required)")
	if err := c.parse(fs, args); err != nil {
		return err
	}
	if *file == 0 {
		return usageError{"user revoke: --file is required"}
	}
	s, u, err := c.openUser(ctx, *db, *user)
	if err != nil {
		return err
	}
	defer func() { _ = s.Close() }()
	if err := s.Revoke(ctx, u.ID, *file); err != nil {
		return err
	}
	return c.print(map[string]any{"user_id": u.ID, "file_id": *file, "revoked": true})
}

func (c *cli) userSetPassword(ctx context.Context, args []string) error {
	fs, db := c.flags("user set-password", "user set-password --user U [--password P]")
	user := fs.String("user", "", "username or user id (required)")
	password := fs.String("password", "", "the new password, 6 to 250 characters (default: a new random one, printed)")
	if err := c.parse(fs, args); err != nil {
		return err
	}
	generated := *password == ""
	if generated {
		*password = auth.NewSecret("")[:16]
	}
	if n := utf8.RuneCountInString(*password); n < 6 || n > 250 {
		return usageError{"user set-password: --password must be 6 to 250 characters"}
	}
	s, u, err := c.openUser(ctx, *db, *user)
	if err != nil {
		return err
	}
	defer func() { _ = s.Close() }()
	hash, err := auth.HashPassword(*password)
	if err != nil {
		return err
	}
	// As a change of password through the API: every token of the user stops working, keys stay.
	if err := s.SetPassword(ctx, u.ID, hash, 0); err != nil {
		return err
	}
	out := map[string]any{"id": u.ID, "username": u.Username, "tokens_revoked": true}
	if generated {
		out["password"] = *password
	}
	return c.print(out)
}

// keyJSON is how the command line prints an access key; Key (the secret) only when it is created.
type keyJSON struct {
	Key       string     `json:"key,omitempty"`
	ID        int64      `json:"id"`
	UserID    int64      `json:"user_id"`
	FileID    *int64     `json:"file_id"`
	Prefix    string     `json:"prefix"`
	RevokedAt *time.Time `json:"revoked_at,omitempty"`
}

func (c *cli) keyCreate(ctx context.Context, args []string) error {
	fs, db := c.flags("key create", "key create --user U [--file N]")
	user := fs.String("user", "", "username or user id (required)")
	file := fs.Int64("file", 0, "bind the key to this file (default: any file the user may use keys on)")
	if err := c.parse(fs, args); err != nil {
		return err
	}
	s, u, err := c.openUser(ctx, *db, *user)
	if err != nil {
		return err
	}
	defer func() { _ = s.Close() }()
	var fileID *int64
	if *file != 0 {
		fileID = file
	}
	k, secret, err := createKey(ctx, s, u.ID, fileID)
	if err != nil {
		return err
	}
	return c.print(keyJSON{Key: secret, ID: k.ID, UserID: k.UserID, FileID: k.FileID, Prefix: k.Prefix})
}

// openUser opens the database and resolves --user; the caller closes the store.
func (c *cli) openUser(ctx context.Context, db, ref string) (*models.Store, models.User, error) {
	s, err := c.open(ctx, db)
	if err != nil {
		return nil, models.User{}, err
	}
	u, err := findUser(ctx, s, ref)
	if err != nil {
		_ = s.Close()
		return nil, models.User{}, err
	}
	return s, u, nil
}

// createKey makes a new access key and returns it with its secret, which is not stored anywhere.
func createKey(ctx context.Context, s *models.Store, userID int64, fileID *int64) (models.AccessKey, string, error) {
	secret := auth.NewSecret(auth.PrefixAccessKey)
	k, err := s.CreateAccessKey(ctx, userID, fileID, auth.HashSecret(secret), auth.DisplayPrefix(secret))
	return k, secret, err
}

func (c *cli) keyRevoke(ctx context.Context, args []string) error {
	fs, db := c.flags("key revoke", "key revoke --id N")
	id := fs.Int64("id", 0, "the key's id (required)")
	if err := c.parse(fs, args); err != nil {
		return err
	}
	if *id == 0 {
		return usageError{"key revoke: --id is required"}
	}
	s, err := c.open(ctx, *db)
	if err != nil {
		return err
	}
	defer func() { _ = s.Close() }()
	k, err := s.RevokeAccessKey(ctx, *id)
	if err != nil {
		return err
	}
	return c.print(keyJSON{ID: k.ID, UserID: k.UserID, FileID: k.FileID, Prefix: k.Prefix, RevokedAt: k.RevokedAt})
}

// eventJSON is how the command line prints a profile event.
type eventJSON struct {
	UserID      int64           `json:"user_id"`
	Version     int64           `json:"version"`
	Changed     json.RawMessage `json:"changed"`
	ActorUserID *int64          `json:"actor_user_id"`
	Via         string          `json:"via"`
	At          time.Time       `json:"at"`
}

func (c *cli) auditList(ctx context.Context, args []string) error {
	fs, db := c.flags("audit list", "audit list --user U")
	user := fs.String("user", "", "username or user id (required)")
	if err := c.parse(fs, args); err != nil {
		return err
	}
	s, u, err := c.openUser(ctx, *db, *user)
	if err != nil {
		return err
	}
	defer func() { _ = s.Close() }()
	evs, err := s.ProfileEvents(ctx, u.ID)
	if err != nil {
		return err
	}
	for _, ev := range evs {
		if err := c.print(eventJSON{ev.UserID, ev.Version, json.RawMessage(ev.Changed), ev.ActorUserID, ev.Via, ev.At.UTC()}); err != nil {
			return err
		}
	}
	return nil
}
