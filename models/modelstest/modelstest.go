// Package modelstest opens a fresh, migrated database for each test: SQLite always, and MySQL or MariaDB
// as well when FILEAPI_TEST_MYSQL_DSN is set (mysql://USER:PASSWORD@HOST:PORT/PREFIX; each test gets its
// own database named PREFIX_<n>, dropped when the test ends).
package modelstest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/stretchr/testify/require"

	"github.com/fileapi/fileapi/models"
)

// EnvMySQL names the environment variable that turns on the MySQL runs.
const EnvMySQL = "FILEAPI_TEST_MYSQL_DSN"

// Epoch is the fixed clock of every test store.
var Epoch = time.Date(2026, 11, 23, 10, 4, 5, 123456000, time.UTC)

// Dialects lists the databases this test run covers.
func Dialects() []string {
	if os.Getenv(EnvMySQL) != "" {
		return []string{"sqlite", "mysql"}
	}
	return []string{"sqlite"}
}

// Each runs f once per database as a parallel subtest named after the dialect.
func Each(t *testing.T, f func(t *testing.T, dsn models.DSN)) {
	t.Helper()
	for _, d := range Dialects() {
		t.Run(d, func(t *testing.T) {
			t.Parallel()
			f(t, NewDSN(t, d))
		})
	}
}

// NewDSN creates an empty, unmigrated database of the dialect and returns its DSN.
func NewDSN(t testing.TB, dialect string) models.DSN {
	t.Helper()
	if dialect == "sqlite" {
		return models.DSN{Dialect: "sqlite", Path: filepath.Join(t.TempDir(), "fileapi.db")}
	}
	raw := os.Getenv(EnvMySQL)
	require.NotEmpty(t, raw, "%s is not set", EnvMySQL)
	dsn, err := models.ParseDSN(raw)
	require.NoError(t, err)
	var suffix [6]byte
	_, _ = rand.Read(suffix[:])
	name := fmt.Sprintf("%s_%s", dsn.Config.DBName, hex.EncodeToString(suffix[:]))
	admin := *dsn.Config
	admin.DBName = ""
	db, err := sql.Open("mysql", admin.FormatDSN())
	require.NoError(t, err)
	defer func() { _ = db.Close() }()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, err = db.ExecContext(ctx, "CREATE DATABASE `"+name+"` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin")
	require.NoError(t, err, "cannot create a test database on %s (is MariaDB running?)", dsn)
	t.Cleanup(func() {
		db, err := sql.Open("mysql", admin.FormatDSN())
		if err == nil {
			_, _ = db.Exec("DROP DATABASE IF EXISTS `" + name + "`")
			_ = db.Close()
		}
	})
	cfg := dsn.Config.Clone()
	cfg.DBName = name
	return models.DSN{Dialect: "mysql", Config: cfg}
}

// Open opens and migrates a fresh database of the dialect, with the clock fixed at Epoch.
func Open(t testing.TB, dialect string) *models.Store {
	t.Helper()
	return OpenDSN(t, NewDSN(t, dialect))
}

// OpenDSN opens and migrates the database at dsn, with the clock fixed at Epoch.
func OpenDSN(t testing.TB, dsn models.DSN) *models.Store {
	t.Helper()
	s, err := models.Open(context.Background(), dsn)
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	_, err = s.Migrate(context.Background(), "up")
	require.NoError(t, err)
	s.Now = func() time.Time { return Epoch }
	return s
}

// Ensure the driver is linked for sql.Open("mysql").
var _ = mysql.ErrInvalidConn
