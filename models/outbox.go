package models

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"time"
)

// Message kinds of the outbox.
const (
	MessageEmail = "email"
	MessageSMS   = "sms"
)

// Retry delays of a message that failed: 30 s after the first failure, doubling up to an hour.
const (
	retryFirst = 30 * time.Second
	retryMax   = time.Hour
	// lastErrorLen is the width of outbox.last_error, in characters.
	lastErrorLen = 1000
)

// outboxColumns is every column of outbox, in the order scanMessage reads them. The column "to" is a
// reserved word: backticks quote it on both MySQL and SQLite.
const outboxColumns = "id, kind, `to`, subject, body, created_at, attempts, next_attempt_at, last_error, sent_at, claim, lease_until"

// enqueue writes one message to the outbox inside the caller's transaction, so that a change and the
// message it causes commit together (or not at all). The message is due at once.
func enqueue(ctx context.Context, tx *sqlTx, now time.Time, kind, to, subject, body string) error {
	now = now.UTC()
	_, err := tx.ExecContext(ctx, "INSERT INTO outbox (kind, `to`, subject, body, created_at, attempts, next_attempt_at) VALUES (?, ?, ?, ?, ?, 0, ?)",
		kind, to, subject, body, now, now)
	return err
}

// Outbox lists messages, newest last, optionally only those to one address ("" lists all).
func (s *Store) Outbox(ctx context.Context, to string) ([]OutboxMessage, error) {
	q, args := "SELECT "+outboxColumns+" FROM outbox ORDER BY id", []any(nil)
	if to != "" {
		q, args = "SELECT "+outboxColumns+" FROM outbox WHERE `to` = ? ORDER BY id", []any{to}
	}
	return s.messages(ctx, q, args...)
}

// PendingMessages returns up to n unsent messages whose next attempt is due, oldest first.
func (s *Store) PendingMessages(ctx context.Context, n int) ([]OutboxMessage, error) {
	if n <= 0 {
		return nil, nil
	}
	// Times are written in UTC by this package, so the comparison is the same on both dialects.
	return s.messages(ctx, "SELECT "+outboxColumns+" FROM outbox WHERE sent_at IS NULL"+
		" AND (next_attempt_at IS NULL OR next_attempt_at <= ?) ORDER BY id LIMIT ?", s.Now().UTC(), n)
}

// ClaimMessages takes up to n unsent messages whose next attempt is due and which no live lease holds,
// oldest first, leases them to the caller until lease from now, and returns them. Each message is claimed by
// one caller at a time, whichever instance it runs on: a sender delivers only what it claimed, so several
// senders deliver each message once. When a sender dies with messages claimed, they are claimable again once
// the lease has run out.
func (s *Store) ClaimMessages(ctx context.Context, n int, lease time.Duration) ([]OutboxMessage, error) {
	if n <= 0 {
		return nil, nil
	}
	var b [16]byte
	_, _ = rand.Read(b[:])
	claim := hex.EncodeToString(b[:])
	now := s.Now().UTC()
	// Times are written in UTC by this package, so the comparisons are the same on both dialects.
	q := `UPDATE outbox SET claim = ?, lease_until = ? WHERE id IN (SELECT id FROM outbox WHERE sent_at IS NULL
		AND (next_attempt_at IS NULL OR next_attempt_at <= ?) AND (lease_until IS NULL OR lease_until <= ?) ORDER BY id LIMIT ?)`
	if s.dialect == "mysql" { // MySQL takes no LIMIT in an IN subquery, but an UPDATE with one
		q = `UPDATE outbox SET claim = ?, lease_until = ? WHERE sent_at IS NULL
		AND (next_attempt_at IS NULL OR next_attempt_at <= ?) AND (lease_until IS NULL OR lease_until <= ?) ORDER BY id LIMIT ?`
	}
	err := retry(ctx, func() error {
		_, err := s.wr.ExecContext(ctx, q, claim, now.Add(lease), now, now, n)
		return err
	})
	if err != nil {
		return nil, translate(err)
	}
	return s.messages(ctx, "SELECT "+outboxColumns+" FROM outbox WHERE claim = ? AND sent_at IS NULL ORDER BY id", claim)
}

// ReleaseMessages gives back the unsent messages of a claim (a sender stopping), so that any sender may take
// them at once.
func (s *Store) ReleaseMessages(ctx context.Context, claim string) error {
	return s.inTx(ctx, func(tx *sqlTx) error {
		_, err := tx.ExecContext(ctx, `UPDATE outbox SET claim = NULL, lease_until = NULL WHERE claim = ? AND sent_at IS NULL`, claim)
		return err
	})
}

// OutboxBacklog is the number of unsent messages and when the oldest of them was written (zero when none).
func (s *Store) OutboxBacklog(ctx context.Context) (pending int64, oldest time.Time, err error) {
	if err = s.rd.QueryRowContext(ctx, `SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL`).Scan(&pending); err != nil || pending == 0 {
		return pending, time.Time{}, translate(err)
	}
	// By column, not MIN(): SQLite gives an aggregate of a time back as text.
	err = s.rd.QueryRowContext(ctx, `SELECT created_at FROM outbox WHERE sent_at IS NULL ORDER BY id LIMIT 1`).Scan(&oldest)
	if notFoundRow(err) == gormNotFound {
		return 0, time.Time{}, nil // sent in between
	}
	return pending, oldest.UTC(), translate(err)
}

// messages runs a query over outboxColumns.
func (s *Store) messages(ctx context.Context, q string, args ...any) ([]OutboxMessage, error) {
	rows, err := s.rd.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, translate(err)
	}
	defer func() { _ = rows.Close() }()
	var out []OutboxMessage
	for rows.Next() {
		var m OutboxMessage
		if err := rows.Scan(&m.ID, &m.Kind, &m.To, &m.Subject, &m.Body, &m.CreatedAt, &m.Attempts,
			&m.NextAttemptAt, &m.LastError, &m.SentAt, &m.Claim, &m.LeaseUntil); err != nil {
			return nil, translate(err)
		}
		m.CreatedAt = m.CreatedAt.UTC()
		m.NextAttemptAt, m.SentAt, m.LeaseUntil = utcPtr(m.NextAttemptAt), utcPtr(m.SentAt), utcPtr(m.LeaseUntil)
		out = append(out, m)
	}
	return out, translate(rows.Err())
}

// MarkSent records that a message was delivered, and blanks its body: the body carries a one-time code or a
// reset link, which is a secret at rest once it has been handed on. The recipient, subject and times stay for
// the record. Marking a sent message again changes nothing.
func (s *Store) MarkSent(ctx context.Context, id int64) error {
	return s.deliveryAttempt(ctx, id, func(tx *sqlTx, attempts int64, now time.Time) error {
		_, err := tx.ExecContext(ctx, `UPDATE outbox SET sent_at = ?, body = '', claim = NULL, lease_until = NULL WHERE id = ?`, now, id)
		return err
	})
}

// MarkFailed records a failed delivery: one more attempt, the reason (cut to 1000 characters), and the next
// attempt after a delay that starts at 30 s and doubles with each failure up to 1 h, or at retryAt when that
// is later (a provider's Retry-After; the zero time for none). A message already sent stays sent.
func (s *Store) MarkFailed(ctx context.Context, id int64, reason string, retryAt time.Time) error {
	return s.deliveryAttempt(ctx, id, func(tx *sqlTx, attempts int64, now time.Time) error {
		attempts++
		next := now.Add(retryDelay(attempts))
		if retryAt.After(next) {
			next = retryAt.UTC()
		}
		if r := []rune(reason); len(r) > lastErrorLen {
			reason = string(r[:lastErrorLen])
		}
		_, err := tx.ExecContext(ctx, `UPDATE outbox SET attempts = ?, last_error = ?, next_attempt_at = ?,
			claim = NULL, lease_until = NULL WHERE id = ?`, attempts, reason, next, id)
		return err
	})
}

// deliveryAttempt locks an unsent message and applies record to it in one transaction. An unknown id is
// KindNotFound; a message already sent is left alone.
func (s *Store) deliveryAttempt(ctx context.Context, id int64, record func(tx *sqlTx, attempts int64, now time.Time) error) error {
	q := `SELECT attempts, sent_at FROM outbox WHERE id = ?`
	if s.dialect == "mysql" {
		q += ` FOR UPDATE` // two senders reporting on one message must not both read the old count
	}
	return s.inTx(ctx, func(tx *sqlTx) error {
		var attempts int64
		var sent *time.Time
		switch err := tx.QueryRowContext(ctx, q, id).Scan(&attempts, &sent); {
		case errors.Is(err, sql.ErrNoRows):
			return &Error{Kind: KindNotFound, Message: fmt.Sprintf("message %d does not exist", id), Err: err}
		case err != nil:
			return err
		case sent != nil:
			return nil
		}
		return record(tx, attempts, s.Now().UTC())
	})
}

// retryDelay is the wait after the n-th failed attempt (n ≥ 1).
func retryDelay(n int64) time.Duration {
	d := retryFirst
	for i := int64(1); i < n && d < retryMax; i++ {
		d *= 2
	}
	return min(d, retryMax)
}

// utcPtr puts a nullable time in UTC, whatever the driver returned.
func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}
