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

// Migrations run under a lock that every instance sharing the database sees, so that instances starting at
// once on an empty database apply each migration once: the first takes the lock and migrates, the others
// wait for it and then find nothing to do. The lock is a row (MySQL's GET_LOCK is per server, and a Galera
// cluster does not share it between its nodes); a lock held for longer than migrationLockStale is taken to be
// a dead migrator's and is taken over.
const (
	migrationLockStale = 10 * time.Minute
	migrationLockWait  = 5 * time.Minute
	migrationLockPoll  = 250 * time.Millisecond
)

// withMigrationLock runs f while this store holds the migration lock.
func (s *Store) withMigrationLock(ctx context.Context, db *sql.DB, f func() error) error {
	if _, err := db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS fileapi_migration_lock (
		id INT NOT NULL PRIMARY KEY, holder VARCHAR(64) NOT NULL, taken_ms BIGINT NOT NULL)`); err != nil {
		return fmt.Errorf("migration lock: %w", err)
	}
	var b [16]byte
	_, _ = rand.Read(b[:])
	holder := hex.EncodeToString(b[:])
	deadline := time.Now().Add(migrationLockWait)
	for {
		// The wall clock, not s.Now: a lock's age is real time, whatever a test's clock says.
		now := time.Now()
		_, err := db.ExecContext(ctx, `INSERT INTO fileapi_migration_lock (id, holder, taken_ms) VALUES (1, ?, ?)`, holder, now.UnixMilli())
		if err == nil {
			break
		}
		if !isUnique(err) && !retryable(err) {
			return fmt.Errorf("migration lock: %w", err)
		}
		var taken int64
		switch err := db.QueryRowContext(ctx, `SELECT taken_ms FROM fileapi_migration_lock WHERE id = 1`).Scan(&taken); {
		case notFoundRow(err) == gormNotFound:
			continue // released in between
		case err != nil:
			return fmt.Errorf("migration lock: %w", err)
		case now.Sub(time.UnixMilli(taken)) > migrationLockStale:
			// Its holder died: take it over (only that holder's, should another have taken it over first).
			if _, err := db.ExecContext(ctx, `DELETE FROM fileapi_migration_lock WHERE id = 1 AND taken_ms = ?`, taken); err != nil {
				return fmt.Errorf("migration lock: %w", err)
			}
			continue
		}
		if time.Now().After(deadline) {
			return errors.New("migration lock: another instance has been migrating for longer than 5 minutes")
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(migrationLockPoll):
		}
	}
	defer func() {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		_, _ = db.ExecContext(ctx, `DELETE FROM fileapi_migration_lock WHERE id = 1 AND holder = ?`, holder)
	}()
	return f()
}

// AppliedMigrations lists the version of every migration recorded as applied, once per record: a version
// applied twice would show twice.
func (s *Store) AppliedMigrations(ctx context.Context) ([]int64, error) {
	rows, err := s.rd.db.QueryContext(ctx, `SELECT version_id FROM goose_db_version WHERE version_id > 0 AND is_applied ORDER BY id`)
	if err != nil {
		return nil, translate(err)
	}
	defer func() { _ = rows.Close() }()
	var out []int64
	for rows.Next() {
		var v int64
		if err := rows.Scan(&v); err != nil {
			return nil, translate(err)
		}
		out = append(out, v)
	}
	return out, translate(rows.Err())
}
