package models

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"

	"github.com/glebarez/sqlite"
	"github.com/pressly/goose/v3"
)

// TestProfileColumnMigrations: a field's `added` tag becomes a migration that adds its column to users, and whose
// down drops it again; fields of one version share one migration, in version order. (SQLite here; the JobTitle
// trial of the closing note ran the same migration on MariaDB through the whole suite.)
func TestProfileColumnMigrations(t *testing.T) {
	ctx := context.Background()
	db, err := sql.Open(sqlite.DriverName, sqliteDSN(filepath.Join(t.TempDir(), "p.db")))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = db.Close() }()
	if _, err := db.ExecContext(ctx, `CREATE TABLE users (id INTEGER PRIMARY KEY, first_name TEXT)`); err != nil {
		t.Fatal(err)
	}
	p, err := goose.NewProvider(goose.DialectSQLite3, db, nil, goose.WithGoMigrations(profileColumnMigrations([]profileField{
		{name: "B", column: "b_test", added: 12, sqlType: "BIGINT"},
		{name: "A", column: "a_test", added: 11, sqlType: "VARCHAR(200)"},
		{name: "C", column: "c_test", added: 11, sqlType: "VARCHAR(20)"},
		{name: "FirstName", column: "first_name"},
	})...))
	if err != nil {
		t.Fatal(err)
	}
	columns := func() map[string]bool {
		t.Helper()
		rows, err := db.QueryContext(ctx, `SELECT name FROM pragma_table_info('users')`)
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = rows.Close() }()
		out := map[string]bool{}
		for rows.Next() {
			var n string
			if err := rows.Scan(&n); err != nil {
				t.Fatal(err)
			}
			out[n] = true
		}
		return out
	}
	if _, err := p.UpTo(ctx, 11); err != nil {
		t.Fatal(err)
	}
	if c := columns(); !c["a_test"] || c["b_test"] || !c["c_test"] {
		t.Fatalf("up to 11: columns %v", c)
	}
	if _, err := p.Up(ctx); err != nil {
		t.Fatal(err)
	}
	if c := columns(); !c["a_test"] || !c["b_test"] || !c["c_test"] {
		t.Fatalf("up: columns %v", c)
	}
	if _, err := p.DownTo(ctx, 0); err != nil {
		t.Fatal(err)
	}
	if c := columns(); c["a_test"] || c["b_test"] || c["c_test"] || !c["first_name"] {
		t.Fatalf("down: columns %v", c)
	}
}
