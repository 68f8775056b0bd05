package models

import (
	"context"
	"time"
)

// LimitCounter is one bucket of the credential limits: how many events since its window opened.
type LimitCounter struct {
	Bucket   string `gorm:"primaryKey"`
	WindowMS int64  `gorm:"column:window_ms"`
	N        int64
}

// TableName implements gorm's tabler.
func (LimitCounter) TableName() string { return "limit_counters" }

// LimitCounts returns the events counted in the open windows of the buckets (missing or expired: 0) and when
// each window closes.
func (s *Store) LimitCounts(ctx context.Context, window time.Duration, buckets ...string) (n []int64, closes []time.Time, err error) {
	n, closes = make([]int64, len(buckets)), make([]time.Time, len(buckets))
	now := s.Now()
	for i, b := range buckets {
		var start, count int64
		err := s.rd.QueryRowContext(ctx, `SELECT window_ms, n FROM limit_counters WHERE bucket = ?`, b).Scan(&start, &count)
		if notFoundRow(err) == gormNotFound {
			continue
		} else if err != nil {
			return nil, nil, translate(err)
		}
		end := time.UnixMilli(start).Add(window)
		if now.Before(end) {
			n[i], closes[i] = count, end
		}
	}
	return n, closes, nil
}

// CountLimitEvent counts one event in each bucket, opening a new window where none is open. One statement a
// bucket, so that instances counting at once never lose a count.
func (s *Store) CountLimitEvent(ctx context.Context, window time.Duration, buckets ...string) error {
	now := s.Now()
	nowMS, expiredMS := now.UnixMilli(), now.Add(-window).UnixMilli()
	q := `INSERT INTO limit_counters (bucket, window_ms, n) VALUES (?, ?, 1)
		ON CONFLICT (bucket) DO UPDATE SET n = CASE WHEN window_ms <= ? THEN 1 ELSE n + 1 END,
		window_ms = CASE WHEN window_ms <= ? THEN excluded.window_ms ELSE window_ms END`
	if s.dialect == "mysql" {
		// MySQL applies the assignments in order: n is computed while window_ms is still the old one.
		q = `INSERT INTO limit_counters (bucket, window_ms, n) VALUES (?, ?, 1)
		ON DUPLICATE KEY UPDATE n = IF(window_ms <= ?, 1, n + 1), window_ms = IF(window_ms <= ?, VALUES(window_ms), window_ms)`
	}
	for _, b := range buckets {
		err := retry(ctx, func() error {
			_, err := s.wr.ExecContext(ctx, q, b, nowMS, expiredMS, expiredMS)
			return err
		})
		if err != nil {
			return translate(err)
		}
	}
	return nil
}

// ResetLimit closes the windows of the buckets.
func (s *Store) ResetLimit(ctx context.Context, buckets ...string) error {
	for _, b := range buckets {
		err := retry(ctx, func() error {
			_, err := s.wr.ExecContext(ctx, `DELETE FROM limit_counters WHERE bucket = ?`, b)
			return err
		})
		if err != nil {
			return translate(err)
		}
	}
	return nil
}
