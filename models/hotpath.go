package models

import (
	"context"
	"database/sql"
	"errors"
	"time"
)

// The queries that run on every request go through database/sql with fixed SQL instead of GORM: GORM's
// callbacks and reflection cost more than the query itself on SQLite, and the SQLite driver re-parses a
// statement on every call, so fewer, fixed statements matter. TestModelsMatchSchema and the store tests
// keep these column lists honest.

// userColumns is every column of users, in the order scanUser reads them.
const userColumns = `users.id, users.username, users.username_key, users.email, users.email_key, users.password_hash,
	users.first_name, users.last_name, users.nick_name, users.display_name, users.preferred_language, users.gender,
	users.mobile_number, users.is_2fa_enabled, users.timezone_id, users.date_time_format_id, users.number_format_id,
	users.user_type, users.owner_file_id, users.version, users.changed_at, users.created_at, users.updated_at`

// userFields returns the scan destinations of userColumns, followed by extra.
func userFields(u *User, extra ...any) []any {
	return append([]any{&u.ID, &u.Username, &u.UsernameKey, &u.Email, &u.EmailKey, &u.PasswordHash,
		&u.FirstName, &u.LastName, &u.NickName, &u.DisplayName, &u.PreferredLanguage, &u.Gender,
		&u.MobileNumber, &u.Is2FAEnabled, &u.TimezoneID, &u.DateTimeFormatID, &u.NumberFormatID,
		&u.UserType, &u.OwnerFileID, &u.Version, &u.ChangedAt, &u.CreatedAt, &u.UpdatedAt}, extra...)
}

const sqlUserByKey = `SELECT ` + userColumns + `, access_keys.id, access_keys.file_id, access_keys.revoked_at
	FROM access_keys JOIN users ON users.id = access_keys.user_id WHERE access_keys.secret_hash = ?`

// UserByAccessKey finds the user of an unrevoked access key by the SHA-256 of its secret.
// Any failure to find one is KindUnauthorized; the caller must not learn why.
func (s *Store) UserByAccessKey(ctx context.Context, secretHash string) (KeyOwner, error) {
	var ko KeyOwner
	var revoked *time.Time
	err := s.rd.QueryRowContext(ctx, sqlUserByKey, secretHash).Scan(userFields(&ko.User, &ko.KeyID, &ko.KeyFileID, &revoked)...)
	if err != nil {
		return KeyOwner{}, unauthorized(err)
	}
	if revoked != nil {
		return KeyOwner{}, &Error{Kind: KindUnauthorized, Message: "revoked access key"}
	}
	ko.User.normaliseTimes()
	return ko, nil
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
