package models

import (
	"context"
	"database/sql"
	"errors"
	"time"
)

// Kinds of OAuthCode.
const (
	CodeAuthorization = "code"   // an authorization code, exchanged at the token endpoint
	CodeTicket        = "ticket" // a login ticket, carrying a sign-in through the pages
)

// Stages of a login ticket.
const (
	StageOTP     = "otp"     // the password was right; the SMS code is awaited
	StageConsent = "consent" // signed in; the consent is awaited
)

// OAuthCode is an authorization code or a login ticket: single use, short-lived, stored as SHA-256, bound to
// a client, a user, the redirect URI as sent (nil when none was), the scope and the PKCE challenge.
type OAuthCode struct {
	ID            int64 `gorm:"primaryKey"`
	CodeHash      string
	Kind          string
	ClientID      string
	UserID        int64
	RedirectURI   *string
	Scope         string
	CodeChallenge *string
	Stage         string
	ExpiresAt     time.Time
	UsedAt        *time.Time
	FamilyID      *int64
	CreatedAt     time.Time
}

// TableName implements gorm's tabler.
func (OAuthCode) TableName() string { return "oauth_codes" }

const codeColumns = `id, code_hash, kind, client_id, user_id, redirect_uri, scope, code_challenge, stage, expires_at, used_at, family_id, created_at`

func codeFields(c *OAuthCode) []any {
	return []any{&c.ID, &c.CodeHash, &c.Kind, &c.ClientID, &c.UserID, &c.RedirectURI, &c.Scope, &c.CodeChallenge,
		&c.Stage, &c.ExpiresAt, &c.UsedAt, &c.FamilyID, &c.CreatedAt}
}

// CreateCode stores a new code or ticket.
func (s *Store) CreateCode(ctx context.Context, c OAuthCode) (OAuthCode, error) {
	return retryValue(ctx, func() (OAuthCode, error) {
		c.CreatedAt = s.Now()
		c.ExpiresAt = c.ExpiresAt.UTC()
		err := s.wdb.WithContext(ctx).Create(&c).Error
		return c, translate(err)
	})
}

// Ticket returns a live login ticket (unused, unexpired); anything else is KindNotFound.
func (s *Store) Ticket(ctx context.Context, hash string) (OAuthCode, error) {
	var c OAuthCode
	err := s.rd.QueryRowContext(ctx, `SELECT `+codeColumns+` FROM oauth_codes WHERE code_hash = ? AND kind = ?`, hash, CodeTicket).Scan(codeFields(&c)...)
	if err != nil {
		return OAuthCode{}, translate(notFoundRow(err))
	}
	if c.UsedAt != nil || !s.Now().Before(c.ExpiresAt) {
		return OAuthCode{}, &Error{Kind: KindNotFound, Message: "the sign-in has expired"}
	}
	return c, nil
}

// AdvanceTicket moves a live ticket to the next stage.
func (s *Store) AdvanceTicket(ctx context.Context, hash, stage string) error {
	return retry(ctx, func() error {
		res, err := s.wr.ExecContext(ctx, `UPDATE oauth_codes SET stage = ? WHERE code_hash = ? AND kind = ? AND used_at IS NULL AND expires_at > ?`,
			stage, hash, CodeTicket, s.Now())
		return oneRow(res, err, "the sign-in has expired")
	})
}

// UseTicket uses up a live ticket, once: a second use is KindNotFound.
func (s *Store) UseTicket(ctx context.Context, hash string) (OAuthCode, error) {
	return retryValue(ctx, func() (OAuthCode, error) {
		c, err := s.Ticket(ctx, hash)
		if err != nil {
			return OAuthCode{}, err
		}
		res, err := s.wr.ExecContext(ctx, `UPDATE oauth_codes SET used_at = ? WHERE id = ? AND used_at IS NULL`, s.Now(), c.ID)
		return c, oneRow(res, err, "the sign-in has expired")
	})
}

func oneRow(res sql.Result, err error, msg string) error {
	if err != nil {
		return translate(err)
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return &Error{Kind: KindNotFound, Message: msg, Err: err}
	}
	return nil
}

// ErrCodeInvalid is the refusal of a code that is unknown, expired, used, or not for this exchange.
var ErrCodeInvalid = &Error{Kind: KindInvalid, Message: "The authorization code is invalid or has expired."}

// ExchangeCode trades an authorization code for tokens in one transaction. check sees the live code first
// and may refuse it (wrong client, redirect URI or PKCE verifier): then nothing is consumed. A code that was
// already exchanged revokes every token its exchange produced, and is refused.
func (s *Store) ExchangeCode(ctx context.Context, hash string, check func(OAuthCode) error, tokens func(OAuthCode) (NewToken, error)) (OAuthToken, error) {
	return retryValue(ctx, func() (OAuthToken, error) {
		tx, err := s.wr.BeginTx(ctx)
		if err != nil {
			return OAuthToken{}, translate(err)
		}
		defer func() { _ = tx.Rollback() }()
		q := `SELECT ` + codeColumns + ` FROM oauth_codes WHERE code_hash = ? AND kind = ?`
		if s.dialect == "mysql" {
			q += ` FOR UPDATE`
		}
		var c OAuthCode
		err = tx.QueryRowContext(ctx, q, hash, CodeAuthorization).Scan(codeFields(&c)...)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return OAuthToken{}, ErrCodeInvalid
		case err != nil:
			return OAuthToken{}, translate(err)
		case c.UsedAt != nil:
			if c.FamilyID != nil {
				if err := revokeFamily(ctx, tx, s.Now(), *c.FamilyID); err != nil {
					return OAuthToken{}, err
				}
				if err := tx.Commit(); err != nil {
					return OAuthToken{}, translate(err)
				}
			}
			return OAuthToken{}, ErrCodeInvalid
		case !s.Now().Before(c.ExpiresAt):
			return OAuthToken{}, ErrCodeInvalid
		}
		if err := check(c); err != nil {
			return OAuthToken{}, err
		}
		nt, err := tokens(c)
		if err != nil {
			return OAuthToken{}, err
		}
		t, err := s.insertToken(ctx, tx, nt)
		if err != nil {
			return OAuthToken{}, err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE oauth_codes SET used_at = ?, family_id = ? WHERE id = ?`, s.Now(), *t.FamilyID, c.ID); err != nil {
			return OAuthToken{}, translate(err)
		}
		return t, translate(tx.Commit())
	})
}

// ErrRefreshInvalid is the refusal of a refresh token that is unknown, expired, revoked, retired or another
// client's.
var ErrRefreshInvalid = &Error{Kind: KindInvalid, Message: "The refresh token is invalid or has expired."}

// RotateRefresh retires a client's refresh token and stores its successor (RFC 9700 §4.14.2) in one
// transaction. A refresh token presented after it was retired revokes its whole family. Access tokens issued
// earlier stay valid until they expire.
func (s *Store) RotateRefresh(ctx context.Context, refreshHash, clientID string, next func(OAuthToken) (NewToken, error)) (OAuthToken, error) {
	return retryValue(ctx, func() (OAuthToken, error) {
		tx, err := s.wr.BeginTx(ctx)
		if err != nil {
			return OAuthToken{}, translate(err)
		}
		defer func() { _ = tx.Rollback() }()
		q := `SELECT ` + tokenColumns + ` FROM oauth_tokens WHERE refresh_hash = ?`
		if s.dialect == "mysql" {
			q += ` FOR UPDATE`
		}
		var t OAuthToken
		err = tx.QueryRowContext(ctx, q, refreshHash).Scan(tokenFields(&t)...)
		now := s.Now()
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return OAuthToken{}, ErrRefreshInvalid
		case err != nil:
			return OAuthToken{}, translate(err)
		case t.ClientID == nil || *t.ClientID != clientID:
			return OAuthToken{}, ErrRefreshInvalid
		case t.RefreshRetiredAt != nil && t.RevokedAt == nil && t.FamilyID != nil:
			if err := revokeFamily(ctx, tx, now, *t.FamilyID); err != nil {
				return OAuthToken{}, err
			}
			if err := tx.Commit(); err != nil {
				return OAuthToken{}, translate(err)
			}
			return OAuthToken{}, ErrRefreshInvalid
		case !(TokenInfo{Token: t, Refresh: true}).Active(now):
			return OAuthToken{}, ErrRefreshInvalid
		}
		nt, err := next(t)
		if err != nil {
			return OAuthToken{}, err
		}
		nt.FamilyID, nt.FamilyExpiresAt = t.FamilyID, t.FamilyExpiresAt
		if nt.RefreshExpiresAt != nil && t.FamilyExpiresAt != nil && nt.RefreshExpiresAt.After(*t.FamilyExpiresAt) {
			nt.RefreshExpiresAt = t.FamilyExpiresAt
		}
		nextTok, err := s.insertToken(ctx, tx, nt)
		if err != nil {
			return OAuthToken{}, err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE oauth_tokens SET refresh_retired_at = ? WHERE id = ?`, now, t.ID); err != nil {
			return OAuthToken{}, translate(err)
		}
		return nextTok, translate(tx.Commit())
	})
}

// insertToken stores a token inside a transaction; a token that starts a family is its own family.
func (s *Store) insertToken(ctx context.Context, tx *sqlTx, nt NewToken) (OAuthToken, error) {
	t := OAuthToken{UserID: nt.UserID, ClientID: nt.ClientID, Scope: nt.Scope, AccessHash: &nt.AccessHash,
		ExpiresAt: nt.ExpiresAt.UTC(), RefreshHash: nt.RefreshHash, RefreshExpiresAt: nt.RefreshExpiresAt,
		FamilyID: nt.FamilyID, FamilyExpiresAt: nt.FamilyExpiresAt, CreatedAt: s.Now()}
	res, err := tx.ExecContext(ctx, `INSERT INTO oauth_tokens (access_hash, refresh_hash, user_id, client_id, family_id, scope,
		expires_at, refresh_expires_at, family_expires_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		t.AccessHash, t.RefreshHash, t.UserID, t.ClientID, t.FamilyID, t.Scope, t.ExpiresAt, t.RefreshExpiresAt, t.FamilyExpiresAt, t.CreatedAt)
	if err != nil {
		return OAuthToken{}, translate(err)
	}
	if t.ID, err = res.LastInsertId(); err != nil {
		return OAuthToken{}, translate(err)
	}
	if t.FamilyID == nil {
		t.FamilyID = &t.ID
		if _, err := tx.ExecContext(ctx, `UPDATE oauth_tokens SET family_id = ? WHERE id = ?`, t.ID, t.ID); err != nil {
			return OAuthToken{}, translate(err)
		}
	}
	return t, nil
}
