package models

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"
	"time"
)

// NewToken is an access token to store, with its refresh token when it has one. Hashes only: the
// secrets themselves are never stored.
type NewToken struct {
	UserID           int64
	ClientID         *string // nil for tokens issued by the Saasu endpoints
	Scope            string
	AccessHash       string
	ExpiresAt        time.Time
	RefreshHash      *string
	RefreshExpiresAt *time.Time
	FamilyID         *int64
	FamilyExpiresAt  *time.Time
}

// CreateToken stores an issued token. A token that starts a family is its own family.
func (s *Store) CreateToken(ctx context.Context, nt NewToken) (OAuthToken, error) {
	return retryValue(ctx, func() (OAuthToken, error) {
		tx, err := s.wr.BeginTx(ctx)
		if err != nil {
			return OAuthToken{}, translate(err)
		}
		defer func() { _ = tx.Rollback() }()
		t, err := s.insertToken(ctx, tx, nt)
		if err != nil {
			return OAuthToken{}, err
		}
		return t, translate(tx.Commit())
	})
}

// TokenHolder is a live access token and its user.
type TokenHolder struct {
	Token OAuthToken
	User  User
}

// RefreshSaasu renews a Saasu refresh token (one issued without a client): the row gets a new access token
// and scope, so the earlier access token of this refresh token stops working at once; the refresh token
// itself is kept, and the scope follows the user's memberships as they are now, read in the same transaction.
// An unknown, expired, revoked or client-issued refresh token is KindInvalid.
func (s *Store) RefreshSaasu(ctx context.Context, refreshHash, newAccessHash string, expiresAt time.Time) (OAuthToken, error) {
	return retryValue(ctx, func() (OAuthToken, error) {
		tx, err := s.wr.BeginTx(ctx)
		if err != nil {
			return OAuthToken{}, translate(err)
		}
		defer func() { _ = tx.Rollback() }()
		q := `SELECT id, user_id, client_id, refresh_expires_at, revoked_at FROM oauth_tokens WHERE refresh_hash = ?`
		if s.dialect == "mysql" {
			q += ` FOR UPDATE`
		}
		var t OAuthToken
		err = tx.QueryRowContext(ctx, q, refreshHash).Scan(&t.ID, &t.UserID, &t.ClientID, &t.RefreshExpiresAt, &t.RevokedAt)
		invalid := &Error{Kind: KindInvalid, Message: "The refresh token is invalid or has expired."}
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return OAuthToken{}, invalid
		case err != nil:
			return OAuthToken{}, translate(err)
		case t.ClientID != nil || t.RevokedAt != nil || t.RefreshExpiresAt == nil || !s.Now().Before(*t.RefreshExpiresAt):
			return OAuthToken{}, invalid
		}
		var exists int
		if err := tx.QueryRowContext(ctx, `SELECT 1 FROM users WHERE id = ?`, t.UserID).Scan(&exists); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return OAuthToken{}, invalid
			}
			return OAuthToken{}, translate(err)
		}
		ids, err := fileIDs(ctx, tx, t.UserID)
		if err != nil {
			return OAuthToken{}, err
		}
		sc := Scope(ids)
		if _, err := tx.ExecContext(ctx, `UPDATE oauth_tokens SET access_hash = ?, expires_at = ?, scope = ? WHERE id = ?`,
			newAccessHash, expiresAt.UTC(), sc, t.ID); err != nil {
			return OAuthToken{}, translate(err)
		}
		if err := bumpAccess(ctx, tx, t.UserID); err != nil { // the replaced access token dies
			return OAuthToken{}, translate(err)
		}
		if err := tx.Commit(); err != nil {
			return OAuthToken{}, translate(err)
		}
		t.AccessHash, t.Scope, t.ExpiresAt = &newAccessHash, sc, expiresAt.UTC()
		return t, nil
	})
}

// FileIDs lists the files a user holds a membership on, ascending.
func (s *Store) FileIDs(ctx context.Context, userID int64) ([]int64, error) {
	return fileIDs(ctx, s.rd, userID)
}

func fileIDs(ctx context.Context, db querier, userID int64) ([]int64, error) {
	rows, err := db.QueryContext(ctx, `SELECT file_id FROM memberships WHERE user_id = ? ORDER BY file_id`, userID)
	if err != nil {
		return nil, translate(err)
	}
	defer func() { _ = rows.Close() }()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, translate(err)
		}
		ids = append(ids, id)
	}
	return ids, translate(rows.Err())
}

// Scope is the scope string of a set of files: "full", then "fileid:N" for each, ascending as given.
func Scope(fileIDs []int64) string {
	var b strings.Builder
	b.WriteString("full")
	for _, id := range fileIDs {
		b.WriteString(" fileid:")
		b.WriteString(strconv.FormatInt(id, 10))
	}
	return b.String()
}

// ScopeHasFile reports whether a scope string grants the file.
func ScopeHasFile(scope string, fileID int64) bool {
	want := "fileid:" + strconv.FormatInt(fileID, 10)
	for _, part := range strings.Fields(scope) {
		if part == want {
			return true
		}
	}
	return false
}

// tokenColumns is every column of oauth_tokens, in the order tokenFields reads them.
const tokenColumns = `oauth_tokens.id, oauth_tokens.access_hash, oauth_tokens.refresh_hash, oauth_tokens.user_id,
	oauth_tokens.client_id, oauth_tokens.family_id, oauth_tokens.scope, oauth_tokens.expires_at,
	oauth_tokens.refresh_expires_at, oauth_tokens.family_expires_at, oauth_tokens.created_at,
	oauth_tokens.refresh_retired_at, oauth_tokens.revoked_at`

func tokenFields(t *OAuthToken) []any {
	return []any{&t.ID, &t.AccessHash, &t.RefreshHash, &t.UserID, &t.ClientID, &t.FamilyID, &t.Scope, &t.ExpiresAt,
		&t.RefreshExpiresAt, &t.FamilyExpiresAt, &t.CreatedAt, &t.RefreshRetiredAt, &t.RevokedAt}
}

// TokenInfo is a stored token found by the hash of its access or its refresh secret, with its user.
type TokenInfo struct {
	Token   OAuthToken
	User    User
	Refresh bool // the hash was the refresh token's
}

// Active reports whether the secret that was looked up still works now: not revoked, not expired, and for a
// refresh token not retired by rotation.
func (ti TokenInfo) Active(now time.Time) bool {
	t := ti.Token
	if t.RevokedAt != nil {
		return false
	}
	if !ti.Refresh {
		return now.Before(t.ExpiresAt)
	}
	return t.RefreshRetiredAt == nil && t.RefreshExpiresAt != nil && now.Before(*t.RefreshExpiresAt) &&
		(t.FamilyExpiresAt == nil || now.Before(*t.FamilyExpiresAt))
}

// TokenByHash finds a token by the SHA-256 of either of its secrets; none is KindNotFound.
func (s *Store) TokenByHash(ctx context.Context, hash string) (TokenInfo, error) {
	for _, col := range []string{"access_hash", "refresh_hash"} {
		var ti TokenInfo
		args := append(userFields(&ti.User), tokenFields(&ti.Token)...)
		err := s.rd.QueryRowContext(ctx, `SELECT `+userColumns+`, `+tokenColumns+`
			FROM oauth_tokens JOIN users ON users.id = oauth_tokens.user_id WHERE oauth_tokens.`+col+` = ?`, hash).Scan(args...)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return TokenInfo{}, translate(err)
		}
		ti.Refresh = col == "refresh_hash"
		ti.User.normaliseTimes()
		return ti, nil
	}
	return TokenInfo{}, &Error{Kind: KindNotFound, Message: "no such token"}
}

// RevokeToken revokes one stored token (its access token, and its refresh token with it).
func (s *Store) RevokeToken(ctx context.Context, id int64) error {
	return s.inTx(ctx, func(tx *sqlTx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE oauth_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL`, s.Now(), id); err != nil {
			return err
		}
		return bumpAccessOfToken(ctx, tx, id)
	})
}

// RevokeFamily revokes every access and refresh token issued from one authorization.
func (s *Store) RevokeFamily(ctx context.Context, familyID int64) error {
	return s.inTx(ctx, func(tx *sqlTx) error { return revokeFamily(ctx, tx, s.Now(), familyID) })
}

// revokeFamily revokes a token family inside a caller's transaction.
func revokeFamily(ctx context.Context, tx *sqlTx, now time.Time, familyID int64) error {
	if _, err := tx.ExecContext(ctx, `UPDATE oauth_tokens SET revoked_at = ? WHERE family_id = ? AND revoked_at IS NULL`, now, familyID); err != nil {
		return translate(err)
	}
	return translate(bumpAccessOfFamily(ctx, tx, familyID))
}

// ExpireAccess ends a token's access secret now and leaves its refresh token as it is.
func (s *Store) ExpireAccess(ctx context.Context, id int64) error {
	return s.inTx(ctx, func(tx *sqlTx) error {
		now := s.Now()
		if _, err := tx.ExecContext(ctx, `UPDATE oauth_tokens SET expires_at = ? WHERE id = ? AND expires_at > ?`, now, id, now); err != nil {
			return err
		}
		return bumpAccessOfToken(ctx, tx, id)
	})
}
