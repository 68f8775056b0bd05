// Package sqlite takes the place of github.com/glebarez/go-sqlite (see go.mod's replace): it links
// modernc.org/sqlite, the driver glebarez/go-sqlite was forked from, under the same import path.
//
// Why: glebarez/go-sqlite v1.23.0, the newest, compiles a statement's SQL again on every execution, even
// through a prepared *sql.Stmt, and that compiling was a quarter of the CPU of a request. modernc.org/sqlite
// keeps a prepared statement compiled. Both register the driver name "sqlite", so the two cannot be linked
// into one binary; the GORM dialector github.com/glebarez/sqlite imports glebarez/go-sqlite for its error
// type alone, which this package provides from modernc.org/sqlite.
package sqlite

import msqlite "modernc.org/sqlite"

// Error is the driver's error type, as github.com/glebarez/sqlite expects it.
type Error = msqlite.Error
