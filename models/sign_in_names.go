package models

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/pressly/goose/v3"
	"gorm.io/gorm"
)

// One sign-in namespace (saasu.md §6.4, workspace.md §5): no user's username or e-mail equals another user's
// username or e-mail, compared case-insensitively. sign_in_names holds, for every user, the folded username and
// the folded e-mail; its primary key makes the database refuse a name another user holds, so of two requests
// racing for one name only one can win, whatever the instance. Every change of a username or an e-mail
// changes these rows in the same transaction.

// SignInName is one name of the sign-in namespace and the user who holds it.
type SignInName struct {
	NameKey string `gorm:"primaryKey"`
	UserID  int64
}

// TableName implements gorm's tabler.
func (SignInName) TableName() string { return "sign_in_names" }

// migrationSignInNames is migration 8, in Go: it must find the names that existing users already share, and
// report them all, before it changes anything.
const migrationSignInNames = 8

func signInNamesMigration(dialect string) *goose.Migration {
	return goose.NewGoMigration(migrationSignInNames,
		&goose.GoFunc{RunDB: func(ctx context.Context, db *sql.DB) error { return upSignInNames(ctx, db, dialect) }},
		&goose.GoFunc{RunDB: func(ctx context.Context, db *sql.DB) error {
			_, err := db.ExecContext(ctx, `DROP TABLE sign_in_names`)
			return err
		}})
}

func upSignInNames(ctx context.Context, db *sql.DB, dialect string) error {
	rows, err := db.QueryContext(ctx, `SELECT id, username_key, email_key FROM users ORDER BY id`)
	if err != nil {
		return err
	}
	holders := map[string][]int64{}
	for rows.Next() {
		var id int64
		var username string
		var email *string
		if err := rows.Scan(&id, &username, &email); err != nil {
			_ = rows.Close()
			return err
		}
		for _, n := range userNames(username, email) {
			holders[n] = append(holders[n], id)
		}
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return err
	}
	if err := sharedNames(holders); err != nil {
		return err
	}
	create := `CREATE TABLE sign_in_names (name_key TEXT NOT NULL PRIMARY KEY, user_id INTEGER NOT NULL)`
	index := `CREATE INDEX sign_in_names_user ON sign_in_names (user_id)`
	if dialect == "mysql" {
		create = `CREATE TABLE sign_in_names (name_key VARCHAR(254) NOT NULL, user_id INT NOT NULL, PRIMARY KEY (name_key),
			KEY sign_in_names_user (user_id)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`
		index = ``
	}
	for _, q := range []string{create, index} {
		if q == "" {
			continue
		}
		if _, err := db.ExecContext(ctx, q); err != nil {
			return err
		}
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback() }()
	for n, ids := range holders {
		if _, err := tx.ExecContext(ctx, `INSERT INTO sign_in_names (name_key, user_id) VALUES (?, ?)`, n, ids[0]); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// sharedNames reports every name that several users hold (the first 20 by name, and how many more), or nil.
func sharedNames(holders map[string][]int64) error {
	var shared []string
	for n, ids := range holders {
		if len(ids) > 1 {
			shared = append(shared, n)
		}
	}
	if len(shared) == 0 {
		return nil
	}
	sort.Strings(shared)
	var b strings.Builder
	fmt.Fprintf(&b, "users share %d sign-in name(s) (a username or an e-mail, compared case-insensitively); nothing "+
		"was changed. Give each name to one user (change the others' username or e-mail), then migrate again:", len(shared))
	for i, n := range shared {
		if i == 20 {
			fmt.Fprintf(&b, "\n  … and %d more", len(shared)-i)
			break
		}
		fmt.Fprintf(&b, "\n  %q is held by users %v", n, holders[n])
	}
	return errors.New(b.String())
}

// userNames are the folded names a user holds: the username, and the e-mail when it is another name.
func userNames(usernameKey string, emailKey *string) []string {
	if emailKey == nil || *emailKey == usernameKey {
		return []string{usernameKey}
	}
	return []string{usernameKey, *emailKey}
}

// nameTaken is the conflict of a name held by another user; field is "Username" or "Email".
func nameTaken(field string, err error) *Error {
	return &Error{Kind: KindConflict, Field: field, Message: field + " is already in use", Err: err}
}

// renameUser moves a user's names in sign_in_names from before to after, in the caller's transaction. A name
// another user holds is a KindConflict naming the field.
func renameUser(ctx context.Context, tx *sqlTx, userID int64, before, after User) error {
	old, next := userNames(before.UsernameKey, before.EmailKey), userNames(after.UsernameKey, after.EmailKey)
	for _, n := range old {
		if !contains(next, n) {
			if _, err := tx.ExecContext(ctx, `DELETE FROM sign_in_names WHERE name_key = ? AND user_id = ?`, n, userID); err != nil {
				return err
			}
		}
	}
	for _, n := range next {
		if contains(old, n) {
			continue
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO sign_in_names (name_key, user_id) VALUES (?, ?)`, n, userID); err != nil {
			if isUnique(err) {
				field := "Username"
				if n != after.UsernameKey {
					field = "Email"
				}
				return nameTaken(field, err)
			}
			return err
		}
	}
	return nil
}

// claimNamesGORM inserts a new user's names, in the caller's GORM transaction.
func claimNamesGORM(tx *gorm.DB, u User) error {
	for _, n := range userNames(u.UsernameKey, u.EmailKey) {
		if err := tx.Exec(`INSERT INTO sign_in_names (name_key, user_id) VALUES (?, ?)`, n, u.ID).Error; err != nil {
			if isUnique(err) {
				if n == u.UsernameKey {
					return &Error{Kind: KindConflict, Field: "username", Message: fmt.Sprintf("the username %q is already in use", u.Username), Err: err}
				}
				return &Error{Kind: KindConflict, Field: "email", Message: fmt.Sprintf("the e-mail %q is already in use", *u.Email), Err: err}
			}
			return err
		}
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
