package models

import (
	"context"
	"database/sql"
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
const outboxColumns = "id, kind, `to`, subject, body, created_at, attempts, next_attempt_at, last_error, sent_at"

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
			&m.NextAttemptAt, &m.LastError, &m.SentAt); err != nil {
			return nil, translate(err)
		}
		m.CreatedAt = m.CreatedAt.UTC()
		m.NextAttemptAt, m.SentAt = utcPtr(m.NextAttemptAt), utcPtr(m.SentAt)
		out = append(out, m)
	}
	return out, translate(rows.Err())
}

// MarkSent records that a message was delivered, and blanks its body: the body carries a one-time code or a
// reset link, which is a secret at rest once it has been handed on. The recipient, subject and times stay for
// the record. Marking a sent message again changes nothing.
func (s *Store) MarkSent(ctx context.Context, id int64) error {
	return s.deliveryAttempt(ctx, id, func(tx *sqlTx, attempts int64, now time.Time) error {
		_, err := tx.ExecContext(ctx, `UPDATE outbox SET sent_at = ?, body = '' WHERE id = ?`, now, id)
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
		_, err := tx.ExecContext(ctx, `UPDATE outbox SET attempts = ?, last_error = ?, next_attempt_at = ? WHERE id = ?`,
			attempts, reason, next, id)
		return err
	})
}

// deliveryAttempt locks an unsent message and applies record to it in one transaction. An unknown id is
// KindNotFound; a message already sent is left alone.
func (s *Store) deliveryAttempt(ctx context.Context, id int64, record func(tx *sqlTx, attempts int64, now time.Time) error) error {
	tx, err := s.wr.BeginTx(ctx) // BEGIN IMMEDIATE on SQLite (_txlock): this transaction is the only writer
	if err != nil {
		return translate(err)
	}
	defer func() { _ = tx.Rollback() }()
	q := `SELECT attempts, sent_at FROM outbox WHERE id = ?`
	if s.dialect == "mysql" {
		q += ` FOR UPDATE` // two senders reporting on one message must not both read the old count
	}
	var attempts int64
	var sent *time.Time
	switch err := tx.QueryRowContext(ctx, q, id).Scan(&attempts, &sent); {
	case errors.Is(err, sql.ErrNoRows):
		return &Error{Kind: KindNotFound, Message: fmt.Sprintf("message %d does not exist", id), Err: err}
	case err != nil:
		return translate(err)
	case sent != nil:
		return nil
	}
	if err := record(tx, attempts, s.Now().UTC()); err != nil {
		return translate(err)
	}
	return translate(tx.Commit())
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
