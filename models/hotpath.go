package models

import (
	"context"
	"database/sql"
	"errors"
	"reflect"
	"strings"
	"sync"
	"time"

	"gorm.io/gorm/schema"
)

// The queries that run on every request go through database/sql with fixed, prepared SQL instead of GORM:
// GORM's callbacks and reflection cost more than the query itself. A request's credential is one query: the
// key or token, joined to its user, the file the request names and the user's membership on it, each by a
// unique key. TestModelsMatchSchema and the store tests keep these column lists honest.

// userColumns is every column of users, in the order of the User struct's fields, named as GORM names them;
// userFieldIndex holds the index of the field of each. Both come from the struct, so a column is added to
// every query that reads a whole user by adding its field to User.
var userColumns, userFieldIndex = userColumnList()

// userSchema is User as GORM names its columns, parsed once for the column lists here and in profileFields.
var userSchema = func() *schema.Schema {
	sch, err := schema.Parse(&User{}, &sync.Map{}, schema.NamingStrategy{})
	if err != nil {
		panic(err)
	}
	return sch
}()

func userColumnList() (string, [][]int) {
	var cols []string
	var index [][]int
	for _, f := range userSchema.Fields {
		if f.DBName != "" {
			cols = append(cols, "users."+f.DBName)
			index = append(index, f.StructField.Index)
		}
	}
	return strings.Join(cols, ", "), index
}

// userFields returns the scan destinations of userColumns, followed by extra.
func userFields(u *User, extra ...any) []any {
	v := reflect.ValueOf(u).Elem()
	out := make([]any, len(userFieldIndex), len(userFieldIndex)+len(extra))
	for i, f := range userFieldIndex {
		out[i] = v.FieldByIndex(f).Addr().Interface()
	}
	return append(out, extra...)
}

// The statements that read a whole user by id (sqlUserForUpdate locks the row on MySQL) or by e-mail.
var (
	sqlUserByID      = `SELECT ` + userColumns + ` FROM users WHERE id = ?`
	sqlUserForUpdate = sqlUserByID + ` FOR UPDATE`
	sqlUsersByEmail  = `SELECT ` + userColumns + ` FROM users WHERE email_key = ? LIMIT 2`
)

// Reach is what a credential's user reaches on one file: whether the file exists, and the user's membership
// on it.
type Reach struct {
	// FileID is the file looked at; 0 when it does not exist.
	FileID           int64
	AllowWebServices bool
	// Member is true when the user holds a membership on the file; AccessLevel and WebServices are its.
	Member      bool
	AccessLevel string
	WebServices bool
}

// Access returns the membership as a FileAccess; ok is false when the file or the membership is missing.
func (r Reach) Access() (fa FileAccess, ok bool) {
	if r.FileID == 0 || !r.Member {
		return FileAccess{}, false
	}
	return FileAccess{FileID: r.FileID, AccessLevel: r.AccessLevel, WebServices: r.WebServices, AllowWebServices: r.AllowWebServices}, true
}

// reachColumns are the columns of Reach, read by reachScan; reachJoins joins the file whose id is fileExpr and
// the user's membership on it.
const reachColumns = `files.id, files.allow_web_services, memberships.access_level, memberships.web_services`

func reachJoins(fileExpr string) string {
	return `LEFT JOIN files ON files.id = ` + fileExpr + `
	LEFT JOIN memberships ON memberships.file_id = files.id AND memberships.user_id = users.id`
}

// reachScan holds the nullable columns of reachColumns until they become a Reach.
type reachScan struct {
	fileID      *int64
	allow       *bool
	level       *string
	webServices *bool
}

func (r *reachScan) fields() []any { return []any{&r.fileID, &r.allow, &r.level, &r.webServices} }

func (r *reachScan) reach() Reach {
	var out Reach
	if r.fileID != nil {
		out.FileID, out.AllowWebServices = *r.fileID, r.allow != nil && *r.allow
	}
	if r.level != nil {
		out.Member, out.AccessLevel, out.WebServices = true, *r.level, r.webServices != nil && *r.webServices
	}
	return out
}

// KeyAccess is an unrevoked access key found by the SHA-256 of its secret, its user, and what the user
// reaches on the file asked about.
type KeyAccess struct {
	KeyOwner
	Reach Reach
}

// keyRow is an access key as stored, revoked or not: what the credential cache keeps.
type keyRow struct {
	KeyAccess
	revoked bool
}

// The file joined to a key is the one asked for, else the one the key is bound to, else the user's own.
var sqlKeyAccess = `SELECT ` + userColumns + `, access_keys.id, access_keys.file_id, access_keys.revoked_at, ` + reachColumns + `
	FROM access_keys JOIN users ON users.id = access_keys.user_id
	` + reachJoins(`COALESCE(NULLIF(?, 0), access_keys.file_id, users.owner_file_id)`) + `
	WHERE access_keys.secret_hash = ?`

// AccessByKey finds the user of an unrevoked access key by the SHA-256 of its secret, and what the user
// reaches on fileID (0: the file the key is bound to, else the user's own, if any). Any failure to find one is KindUnauthorized; the
// caller must not learn why.
func (s *Store) AccessByKey(ctx context.Context, secretHash string, fileID int64) (KeyAccess, error) {
	row, err := lookupCredential(ctx, s, credKey{key: true, hash: secretHash, file: fileID},
		func(r *keyRow) (*User, Reach) { return &r.User, r.Reach },
		func() (keyRow, error) {
			var row keyRow
			var revoked *time.Time
			var rs reachScan
			err := s.rd.QueryRowContext(ctx, sqlKeyAccess, fileID, secretHash).Scan(userFields(&row.User,
				append([]any{&row.KeyID, &row.KeyFileID, &revoked}, rs.fields()...)...)...)
			row.User.normaliseTimes()
			row.Reach, row.revoked = rs.reach(), revoked != nil
			return row, err
		})
	if err != nil {
		return KeyAccess{}, err
	}
	if row.revoked {
		return KeyAccess{}, &Error{Kind: KindUnauthorized, Message: "revoked access key"}
	}
	return row.KeyAccess, nil
}

// lookupCredential returns the credential of k from the cache when the cache vouches for it, else reads it
// with read and caches it. user and reach give the parts of a T that the cache checks.
//
// On SQLite a cached credential stands while the database is unchanged. On MySQL each hit reads the user's
// row, a single-table lookup by primary key, and stands only when the row's access_version is the one read
// with the credential (every change to what the user's credentials reach moves it, in the same transaction):
// the hit then carries the fresh row.
func lookupCredential[T any](ctx context.Context, s *Store, k credKey, user func(*T) (*User, Reach), read func() (T, error)) (T, error) {
	v, gen, hit := s.creds.get(k)
	cred, _ := v.(T)
	if hit && s.creds.checkHits() {
		u, _ := user(&cred)
		fresh, err := s.userNow(ctx, u.ID)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			hit = false
		case err != nil:
			return cred, unauthorized(err)
		case fresh.AccessVersion != u.AccessVersion:
			hit = false
		default:
			*u = fresh
		}
	}
	if hit {
		return cred, nil
	}
	cred, err := read()
	if err != nil {
		return cred, unauthorized(err)
	}
	// A file asked for that did not exist is not cached: its creation moves no access version.
	if _, reach := user(&cred); k.file == 0 || reach.FileID != 0 {
		s.creds.put(gen, k, cred)
	}
	return cred, nil
}

// userNow reads one user's row as it is now.
func (s *Store) userNow(ctx context.Context, id int64) (User, error) {
	var u User
	err := s.rd.QueryRowContext(ctx, sqlUserByID, id).Scan(userFields(&u)...)
	u.normaliseTimes()
	return u, err
}

// UserByAccessKey finds the user of an unrevoked access key by the SHA-256 of its secret.
// Any failure to find one is KindUnauthorized; the caller must not learn why.
func (s *Store) UserByAccessKey(ctx context.Context, secretHash string) (KeyOwner, error) {
	ka, err := s.AccessByKey(ctx, secretHash, 0)
	return ka.KeyOwner, err
}

// TokenAccess is a live access token found by the SHA-256 of its secret, its user, and what the user
// reaches on the file asked about.
type TokenAccess struct {
	TokenHolder
	Reach Reach
}

// The file joined to a token is the one asked for, else the user's own (ZITADEL's resource owner).
var sqlTokenAccess = `SELECT ` + userColumns + `, oauth_tokens.id, oauth_tokens.client_id, oauth_tokens.scope,
	oauth_tokens.expires_at, oauth_tokens.revoked_at, oauth_tokens.family_id, ` + reachColumns + `
	FROM oauth_tokens JOIN users ON users.id = oauth_tokens.user_id
	` + reachJoins(`COALESCE(NULLIF(?, 0), users.owner_file_id)`) + `
	WHERE oauth_tokens.access_hash = ?`

// AccessByToken finds the user of a live access token (unexpired, unrevoked, of an existing user) by the
// SHA-256 of the token, and what the user reaches on fileID (0: the user's own file, if any). Anything else
// (a refresh token included: it is looked up by another column) is KindUnauthorized.
func (s *Store) AccessByToken(ctx context.Context, accessHash string, fileID int64) (TokenAccess, error) {
	ta, err := lookupCredential(ctx, s, credKey{hash: accessHash, file: fileID},
		func(ta *TokenAccess) (*User, Reach) { return &ta.User, ta.Reach },
		func() (TokenAccess, error) {
			var ta TokenAccess
			t := &ta.Token
			var rs reachScan
			err := s.rd.QueryRowContext(ctx, sqlTokenAccess, fileID, accessHash).Scan(userFields(&ta.User,
				append([]any{&t.ID, &t.ClientID, &t.Scope, &t.ExpiresAt, &t.RevokedAt, &t.FamilyID}, rs.fields()...)...)...)
			t.UserID, t.AccessHash, t.ExpiresAt = ta.User.ID, &accessHash, t.ExpiresAt.UTC()
			ta.User.normaliseTimes()
			ta.Reach = rs.reach()
			return ta, err
		})
	if err != nil {
		return TokenAccess{}, err
	}
	// Checked on every use, cached or not: expiry moves with the clock, not with the database.
	if ta.Token.RevokedAt != nil || !s.Now().Before(ta.Token.ExpiresAt) {
		return TokenAccess{}, &Error{Kind: KindUnauthorized, Message: "expired or revoked access token"}
	}
	return ta, nil
}

// UserByAccessToken finds the user of a live access token by the SHA-256 of the token: unexpired, unrevoked,
// of an existing user. Anything else (a refresh token included: it is looked up by another column) is
// KindUnauthorized.
func (s *Store) UserByAccessToken(ctx context.Context, accessHash string) (TokenHolder, error) {
	ta, err := s.AccessByToken(ctx, accessHash, 0)
	return ta.TokenHolder, err
}

const sqlFileAccess = `SELECT memberships.file_id, memberships.access_level, memberships.web_services, files.allow_web_services
	FROM memberships JOIN files ON files.id = memberships.file_id WHERE memberships.user_id = ? AND memberships.file_id = ?`

// FileAccess returns the user's membership on the file. No membership (or no file) is KindUnauthorized.
func (s *Store) FileAccess(ctx context.Context, userID, fileID int64) (FileAccess, error) {
	var fa FileAccess
	err := s.rd.QueryRowContext(ctx, sqlFileAccess, userID, fileID).Scan(&fa.FileID, &fa.AccessLevel, &fa.WebServices, &fa.AllowWebServices)
	if err != nil {
		return FileAccess{}, unauthorized(err)
	}
	return fa, nil
}

// unauthorized turns "not found" into KindUnauthorized and keeps outages as they are.
func unauthorized(err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return &Error{Kind: KindUnauthorized, Err: err}
	}
	err = translate(err)
	if KindOf(err) == KindNotFound {
		return &Error{Kind: KindUnauthorized, Err: err}
	}
	return err
}

// normaliseTimes puts every time of a user in UTC, whatever the driver returned.
func (u *User) normaliseTimes() {
	u.ChangedAt, u.CreatedAt, u.UpdatedAt = u.ChangedAt.UTC(), u.CreatedAt.UTC(), u.UpdatedAt.UTC()
}

// notFoundRow turns database/sql's "no rows" into GORM's, so translate maps both to KindNotFound.
func notFoundRow(err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return gormNotFound
	}
	return err
}

// OrphanedCredential reports whether secretHash is a credential that would still work but whose user row is
// gone (removed after the credential was issued): an unrevoked, unexpired access token, or an unrevoked access
// key. The lookups above fail such a credential like any unknown one; the workspace dialect tells the two
// apart (workspace.md §5: the user gone is 404, not 401). It runs only after a lookup failed.
func (s *Store) OrphanedCredential(ctx context.Context, secretHash string) (bool, error) {
	var expires time.Time
	err := s.rd.QueryRowContext(ctx, `SELECT oauth_tokens.expires_at FROM oauth_tokens
		LEFT JOIN users ON users.id = oauth_tokens.user_id
		WHERE oauth_tokens.access_hash = ? AND oauth_tokens.revoked_at IS NULL AND users.id IS NULL`, secretHash).Scan(&expires)
	switch {
	case err == nil:
		return s.Now().Before(expires), nil
	case !errors.Is(err, sql.ErrNoRows):
		return false, translate(err)
	}
	var id int64
	err = s.rd.QueryRowContext(ctx, `SELECT access_keys.id FROM access_keys LEFT JOIN users ON users.id = access_keys.user_id
		WHERE access_keys.secret_hash = ? AND access_keys.revoked_at IS NULL AND users.id IS NULL`, secretHash).Scan(&id)
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, sql.ErrNoRows):
		return false, nil
	}
	return false, translate(err)
}
