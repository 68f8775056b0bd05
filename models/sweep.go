package models

import (
	"context"
	"fmt"
	"time"
)

// How long rows are kept after their use ends, before the sweeper deletes them.
const (
	// One-time codes, login tickets, reset links and SMS codes: an hour after they expire.
	sweepCodesAfter = time.Hour
	// Access and refresh tokens: a week after they are revoked, or after both of their secrets expired.
	sweepTokensAfter = 7 * 24 * time.Hour
	// Sent messages (their bodies are blanked when sent): 30 days, for the record.
	sweepSentAfter = 30 * 24 * time.Hour
	// The credential limits' counters: a day after their window opened (the longest window is an hour).
	sweepLimitsAfter = 24 * time.Hour
)

// Swept counts the rows one Sweep deleted, by what they were.
type Swept struct {
	Codes, OTPs, Tokens, Messages, Limits int64
}

// Total is the number of rows deleted.
func (w Swept) Total() int64 { return w.Codes + w.OTPs + w.Tokens + w.Messages + w.Limits }

// Sweep deletes what is past its use, at most batch rows a statement and maxRounds statements a kind: expired
// one-time codes (authorization codes, login tickets, reset links) and SMS codes, tokens revoked or with
// every secret expired for a week, messages sent more than 30 days ago, and spent limit counters. Running it
// on several instances at once is harmless: each statement deletes what it finds, and what another instance
// deleted first is simply not found.
func (s *Store) Sweep(ctx context.Context, batch, maxRounds int) (Swept, error) {
	now := s.Now().UTC()
	var w Swept
	for _, p := range []struct {
		n     *int64
		table string
		where string
		args  []any
	}{
		{&w.Codes, "oauth_codes", "expires_at < ?", []any{now.Add(-sweepCodesAfter)}},
		{&w.OTPs, "otps", "expires_at < ?", []any{now.Add(-sweepCodesAfter)}},
		{&w.Tokens, "oauth_tokens", "revoked_at < ?", []any{now.Add(-sweepTokensAfter)}},
		{&w.Tokens, "oauth_tokens", "expires_at < ? AND (refresh_expires_at IS NULL OR refresh_expires_at < ?)",
			[]any{now.Add(-sweepTokensAfter), now.Add(-sweepTokensAfter)}},
		{&w.Messages, "outbox", "sent_at < ?", []any{now.Add(-sweepSentAfter)}},
		{&w.Limits, "limit_counters", "window_ms < ?", []any{now.Add(-sweepLimitsAfter).UnixMilli()}},
	} {
		q := fmt.Sprintf(`DELETE FROM %s WHERE rowid IN (SELECT rowid FROM %s WHERE %s LIMIT ?)`, p.table, p.table, p.where)
		if s.dialect == "mysql" { // MySQL takes no LIMIT in an IN subquery, but a DELETE with one
			q = fmt.Sprintf(`DELETE FROM %s WHERE %s LIMIT ?`, p.table, p.where)
		}
		args := append(append([]any(nil), p.args...), batch)
		for range maxRounds {
			n, err := retryValue(ctx, func() (int64, error) {
				res, err := s.wr.ExecContext(ctx, q, args...)
				if err != nil {
					return 0, err
				}
				return res.RowsAffected()
			})
			if err != nil {
				return w, translate(err)
			}
			*p.n += n
			if n < int64(batch) {
				break
			}
		}
	}
	return w, nil
}
