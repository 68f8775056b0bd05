package models

import (
	"context"
	"database/sql"
	"errors"
	"time"
)

// CodeReset is the kind of an OAuthCode row that is a password-reset link (saasu.md §6.3).
const CodeReset = "reset"

// StartReset stores a password-reset link for a user and writes its e-mail to the outbox, in one transaction;
// links issued before it stop working.
func (s *Store) StartReset(ctx context.Context, userID int64, hash string, expiresAt time.Time, m Message) error {
	return s.inTx(ctx, func(tx *sqlTx) error {
		now := s.Now()
		if err := voidResetLinks(ctx, tx, now, userID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO oauth_codes (code_hash, kind, client_id, user_id, scope, stage, expires_at, created_at)
			VALUES (?, ?, '', ?, '', '', ?, ?)`, hash, CodeReset, userID, expiresAt.UTC(), now); err != nil {
			return err
		}
		return enqueue(ctx, tx, now, m.Kind, m.To, m.Subject, m.Body)
	})
}

// voidResetLinks spends every pending password-reset link of a user.
func voidResetLinks(ctx context.Context, tx *sqlTx, now time.Time, userID int64) error {
	_, err := tx.ExecContext(ctx, `UPDATE oauth_codes SET used_at = ? WHERE user_id = ? AND kind = ? AND used_at IS NULL`, now, userID, CodeReset)
	return err
}

// ErrResetInvalid refuses a reset link that is unknown, used or expired.
var ErrResetInvalid = &Error{Kind: KindNotFound, Message: "This link is invalid or has expired."}

// ResetUser returns the user of a live reset link.
func (s *Store) ResetUser(ctx context.Context, hash string) (int64, error) {
	var c OAuthCode
	err := s.rd.QueryRowContext(ctx, `SELECT `+codeColumns+` FROM oauth_codes WHERE code_hash = ? AND kind = ?`, hash, CodeReset).Scan(codeFields(&c)...)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return 0, ErrResetInvalid
	case err != nil:
		return 0, translate(err)
	case c.UsedAt != nil || !s.Now().Before(c.ExpiresAt):
		return 0, ErrResetInvalid
	}
	return c.UserID, nil
}

// CompleteReset uses up a live reset link: the user's password becomes passwordHash, every other pending
// reset link of the user is voided, and every access and refresh token of the user is revoked, in one
// transaction.
func (s *Store) CompleteReset(ctx context.Context, hash, passwordHash string) error {
	// Read before the transaction: it must not wait for a reader connection while it holds the writer.
	userID, err := s.ResetUser(ctx, hash)
	if err != nil {
		return err
	}
	return s.inTx(ctx, func(tx *sqlTx) error {
		now := s.Now()
		res, err := tx.ExecContext(ctx, `UPDATE oauth_codes SET used_at = ? WHERE code_hash = ? AND kind = ? AND used_at IS NULL`, now, hash, CodeReset)
		if err := oneRow(res, err, ErrResetInvalid.Message); err != nil {
			return ErrResetInvalid
		}
		// Every other pending link of the user dies with it: two requests that raced may both have left one.
		if err := voidResetLinks(ctx, tx, now, userID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE oauth_tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL`, now, userID); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, sqlSetPassword, passwordHash, now, userID)
		return err
	})
}

// UserByEmail finds the one user whose e-mail matches, case-insensitively; none or several is KindNotFound.
func (s *Store) UserByEmail(ctx context.Context, email string) (User, error) {
	rows, err := s.rd.QueryContext(ctx, sqlUsersByEmail, Fold(email))
	if err != nil {
		return User{}, translate(err)
	}
	defer func() { _ = rows.Close() }()
	var found []User
	for rows.Next() {
		var u User
		if err := rows.Scan(userFields(&u)...); err != nil {
			return User{}, translate(err)
		}
		u.normaliseTimes()
		found = append(found, u)
	}
	if err := rows.Err(); err != nil {
		return User{}, translate(err)
	}
	if len(found) != 1 {
		return User{}, &Error{Kind: KindNotFound, Message: "no unique user with that e-mail"}
	}
	return found[0], nil
}
