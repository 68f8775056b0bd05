package models

import (
	"context"

	"gorm.io/gorm"
)

// Every change to what a user's credentials reach moves users.access_version in the same transaction, as its
// last statement: transactions that touch credentials lock the user's row after the others (tokens, keys,
// memberships, files), one order for all, so that they cannot deadlock each other. The credential cache
// checks a cached credential against it (credcache.go).

// bumpAccess moves the access version of one user.
func bumpAccess(ctx context.Context, db execer, userID int64) error {
	_, err := db.ExecContext(ctx, `UPDATE users SET access_version = access_version + 1 WHERE id = ?`, userID)
	return err
}

// bumpAccessOfFile moves the access version of every member of a file.
func bumpAccessOfFile(ctx context.Context, db execer, fileID int64) error {
	_, err := db.ExecContext(ctx, `UPDATE users SET access_version = access_version + 1
		WHERE id IN (SELECT user_id FROM memberships WHERE file_id = ?)`, fileID)
	return err
}

// bumpAccessOfToken moves the access version of the user of a token row.
func bumpAccessOfToken(ctx context.Context, db execer, tokenID int64) error {
	_, err := db.ExecContext(ctx, `UPDATE users SET access_version = access_version + 1
		WHERE id = (SELECT user_id FROM oauth_tokens WHERE id = ?)`, tokenID)
	return err
}

// bumpAccessOfFamily moves the access version of the user of a token family.
func bumpAccessOfFamily(ctx context.Context, db execer, familyID int64) error {
	_, err := db.ExecContext(ctx, `UPDATE users SET access_version = access_version + 1
		WHERE id IN (SELECT user_id FROM oauth_tokens WHERE family_id = ?)`, familyID)
	return err
}

// inTx runs f in a transaction of the writer pool and commits it; a deadlock or a lost certification runs it
// again from the start (see retry).
func (s *Store) inTx(ctx context.Context, f func(tx *sqlTx) error) error {
	return translate(retry(ctx, func() error {
		tx, err := s.wr.BeginTx(ctx)
		if err != nil {
			return err
		}
		defer func() { _ = tx.Rollback() }()
		if err := f(tx); err != nil {
			return err
		}
		return tx.Commit()
	}))
}

// bumpAccessGORM moves the access version of one user inside a GORM transaction.
func bumpAccessGORM(tx *gorm.DB, userID int64) error {
	return tx.Exec(`UPDATE users SET access_version = access_version + 1 WHERE id = ?`, userID).Error
}
