// Package models is the store: GORM models, the business operations on them, and the domain errors.
// It is the only package that touches GORM and SQL.
package models

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	// modernc.org/sqlite, under glebarez/go-sqlite's import path: see models/gosqlite and go.mod's replace.
	_ "github.com/glebarez/go-sqlite"
	"github.com/glebarez/sqlite"
	"github.com/go-sql-driver/mysql"
	"github.com/pressly/goose/v3"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/fileapi/fileapi/migrations"
)

// Store runs the business operations of fileapi on one database.
//
// On SQLite it keeps two pools: readers, and one writer connection that every write and every transaction
// goes through. SQLite takes one writer at a time anyway; queueing writers in the pool instead of in SQLite's
// busy handler (which sleeps in steps of up to 100 ms) keeps a write's wait as short as the write before it.
// On MySQL both are the same pool.
type Store struct {
	db      *gorm.DB // reads; on MySQL everything
	wdb     *gorm.DB // writes
	rd      *sqlPool // reads, with prepared statements
	wr      *sqlPool // writes and transactions, with prepared statements
	dialect string   // "sqlite" or "mysql"
	dsn     DSN
	creds   *credCache // credentials, exactly (see credCache)
	// profiles queues the profile changes of each user (see UpdateProfile).
	profiles profileQueues
	// counts is what ran on the database (see Cost).
	counts poolCounts
	// Now is the clock; tests replace it.
	Now func() time.Time
}

// DSN is a parsed --db value.
type DSN struct {
	Dialect string // "sqlite" or "mysql"
	// Path is the SQLite file; Config the MySQL connection.
	Path   string
	Config *mysql.Config
}

// String renders the DSN without its password, for logs and messages.
func (d DSN) String() string {
	if d.Dialect == "sqlite" {
		return "sqlite:" + d.Path
	}
	return fmt.Sprintf("mysql://%s@%s/%s", d.Config.User, d.Config.Addr, d.Config.DBName)
}

// ParseDSN reads "sqlite:PATH" or "mysql://USER:PASSWORD@HOST:PORT/DBNAME[?param=value…]".
func ParseDSN(s string) (DSN, error) {
	switch {
	case strings.HasPrefix(s, "sqlite:"):
		path := strings.TrimPrefix(s, "sqlite:")
		if path == "" || strings.ContainsAny(path, "?#") {
			return DSN{}, fmt.Errorf("invalid database %q: want sqlite:PATH", s)
		}
		return DSN{Dialect: "sqlite", Path: path}, nil
	case strings.HasPrefix(s, "mysql://"):
		u, err := url.Parse(s)
		if err != nil {
			return DSN{}, errors.New("invalid database URL: want mysql://USER:PASSWORD@HOST:PORT/DBNAME")
		}
		db := strings.TrimPrefix(u.Path, "/")
		if u.Host == "" || db == "" || strings.Contains(db, "/") || u.User == nil || u.User.Username() == "" {
			return DSN{}, errors.New("invalid database URL: want mysql://USER:PASSWORD@HOST:PORT/DBNAME")
		}
		cfg := mysql.NewConfig()
		cfg.User = u.User.Username()
		cfg.Passwd, _ = u.User.Password()
		cfg.Net = "tcp"
		cfg.Addr = u.Host
		if u.Port() == "" {
			cfg.Addr = net.JoinHostPort(u.Hostname(), "3306")
		}
		cfg.DBName = db
		cfg.ParseTime = true
		cfg.Loc = time.UTC
		cfg.Collation = "utf8mb4_bin"
		cfg.Timeout = 5 * time.Second
		cfg.ReadTimeout = 30 * time.Second
		cfg.WriteTimeout = 30 * time.Second
		cfg.Params = map[string]string{}
		for k, v := range u.Query() {
			cfg.Params[k] = v[0]
		}
		if tls := cfg.Params["tls"]; tls != "" {
			cfg.TLSConfig = tls
			delete(cfg.Params, "tls")
		}
		return DSN{Dialect: "mysql", Config: cfg}, nil
	}
	return DSN{}, fmt.Errorf("invalid database %q: want sqlite:PATH or mysql://USER:PASSWORD@HOST:PORT/DBNAME", redactDSN(s))
}

// redactDSN hides anything that may be a password in an unparseable --db value.
func redactDSN(s string) string {
	if i := strings.LastIndex(s, "@"); i >= 0 {
		if j := strings.Index(s, "://"); j >= 0 && j < i {
			return s[:j+3] + "…" + s[i:]
		}
		return "…" + s[i:]
	}
	return s
}

// Open connects to the database named by dsn and checks that it answers. It does not migrate.
func Open(ctx context.Context, dsn DSN) (*Store, error) {
	maxConns, err := maxConnsSetting()
	if err != nil {
		return nil, err
	}
	openCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	for {
		s, err := open(openCtx, dsn, maxConns)
		if err == nil {
			s.dsn = dsn
			return s, nil
		}
		// A new SQLite file turns to WAL under an exclusive lock that does not wait for the busy timeout:
		// processes opening it at once may find it locked for a moment, at the driver's first statement
		// (GORM's version query) or at the ping.
		if !strings.Contains(err.Error(), "database is locked") || openCtx.Err() != nil {
			return nil, fmt.Errorf("connect to %s: %w", dsn, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// open connects once and pings; on a failed ping it closes what it opened.
func open(ctx context.Context, dsn DSN, maxConns int) (*Store, error) {
	var (
		s   *Store
		err error
	)
	switch dsn.Dialect {
	case "sqlite":
		s, err = openSQLite(dsn.Path, maxConns)
	case "mysql":
		s, err = openMySQL(dsn.Config, maxConns)
	default:
		return nil, fmt.Errorf("unknown database dialect %q", dsn.Dialect)
	}
	if err != nil {
		return nil, err
	}
	if err := s.rd.db.PingContext(ctx); err != nil {
		_ = s.Close()
		return nil, err
	}
	return s, nil
}

// gormConfig is the GORM configuration of both dialects.
func gormConfig() *gorm.Config {
	return &gorm.Config{
		Logger: logger.Discard,
		// Single statements need no transaction of their own; multi-statement operations open one.
		SkipDefaultTransaction: true,
		// Statements are prepared once per connection: the request path runs the same few queries.
		PrepareStmt: true,
		NowFunc:     func() time.Time { return time.Now().UTC() },
	}
}

// sqliteReaders is the size of the SQLite reader pool (the writer is one more connection); mysqlConns the
// size of the MySQL pool. FILEAPI_DB_MAX_CONNS overrides both.
const (
	sqliteReaders = 4
	mysqlConns    = 32
)

// maxConnsSetting reads FILEAPI_DB_MAX_CONNS: the most connections a store opens for requests (0: the
// defaults). 1 puts every read and write of a SQLite store on its one writer connection: no code path may then
// wait for a second connection while it holds one, which make ci proves by running the suite so.
func maxConnsSetting() (int, error) {
	v := os.Getenv("FILEAPI_DB_MAX_CONNS")
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		return 0, fmt.Errorf("FILEAPI_DB_MAX_CONNS must be a whole number of at least 1 (got %q)", v)
	}
	return n, nil
}

// openSQLite opens the reader pool and the one writer connection of a SQLite database; with maxConns 1,
// the writer alone.
func openSQLite(path string, maxConns int) (*Store, error) {
	if dir := filepath.Dir(path); dir != "." {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, fmt.Errorf("create database folder: %w", err)
		}
	}
	// WAL lets readers run beside the writer; busy_timeout makes a writer of another process wait instead of
	// failing with SQLITE_BUSY; _txlock=immediate takes the write lock at BEGIN, so a read-then-write
	// transaction cannot deadlock on lock upgrade; synchronous(NORMAL) is durable in WAL mode across process
	// crashes.
	dsn := sqliteDSN(path)
	var pools [3]*sql.DB
	for i := range pools {
		db, err := sql.Open(sqlite.DriverName, dsn)
		if err != nil {
			closeAll(pools[:i]...)
			return nil, err
		}
		pools[i] = db
	}
	readers, writer, watch := pools[0], pools[1], pools[2]
	if maxConns == 1 {
		_ = readers.Close()
		readers = writer
	}
	n := sqliteReaders
	if maxConns > 1 {
		n = maxConns
	}
	readers.SetMaxOpenConns(n)
	readers.SetMaxIdleConns(n)
	for _, one := range []*sql.DB{writer, watch} {
		one.SetMaxOpenConns(1)
		one.SetMaxIdleConns(1)
	}
	wdb, err := gorm.Open(&sqlite.Dialector{Conn: writer}, gormConfig())
	if err != nil {
		closeAll(readers, writer, watch)
		return nil, err
	}
	db := wdb
	if readers != writer {
		if db, err = gorm.Open(&sqlite.Dialector{Conn: readers}, gormConfig()); err != nil {
			closeAll(readers, writer, watch)
			return nil, err
		}
	}
	s := &Store{db: db, wdb: wdb, dialect: "sqlite", creds: newCredCache(newChangeWatch(watch, path)),
		Now: func() time.Time { return time.Now().UTC() }}
	s.wr = newSQLPool(writer, &s.counts)
	s.rd = s.wr
	if readers != writer {
		s.rd = newSQLPool(readers, &s.counts)
	}
	return s, s.countGORM()
}

// sqliteDSN is the driver's name of a SQLite database, with the settings every connection needs.
func sqliteDSN(path string) string {
	return path + "?_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)" +
		"&_pragma=synchronous(NORMAL)&_pragma=foreign_keys(0)&_txlock=immediate"
}

// openMigrationPool opens a small pool of the store's database for migrations alone: goose holds one
// connection while a Go migration uses others, which the store's own pools may not have to spare (the SQLite
// writer has one).
func (s *Store) openMigrationPool() (*sql.DB, error) {
	var db *sql.DB
	if s.dialect == "sqlite" {
		var err error
		if db, err = sql.Open(sqlite.DriverName, sqliteDSN(s.dsn.Path)); err != nil {
			return nil, err
		}
	} else {
		connector, err := mysql.NewConnector(causalReads(s.dsn.Config))
		if err != nil {
			return nil, err
		}
		db = sql.OpenDB(connector)
	}
	db.SetMaxOpenConns(4)
	return db, nil
}

// openMySQL opens one pool for reads and writes.
func openMySQL(cfg *mysql.Config, maxConns int) (*Store, error) {
	cfg = causalReads(cfg)
	db, err := gorm.Open(gormMySQL(cfg), gormConfig())
	if err != nil {
		return nil, err
	}
	sqlDB, err := db.DB()
	if err != nil {
		return nil, err
	}
	n := mysqlConns
	if maxConns > 0 {
		n = maxConns
	}
	sqlDB.SetMaxOpenConns(n)
	sqlDB.SetMaxIdleConns(n)
	// Servers and proxies drop idle connections; recycle them before they do.
	sqlDB.SetConnMaxLifetime(5 * time.Minute)
	sqlDB.SetConnMaxIdleTime(time.Minute)
	s := &Store{db: db, wdb: db, dialect: "mysql", creds: newCredCache(nil), Now: func() time.Time { return time.Now().UTC() }}
	s.rd = newSQLPool(sqlDB, &s.counts)
	s.wr = s.rd
	return s, s.countGORM()
}

// causalReads returns cfg with wsrep_sync_wait=1 when the server is a node of a Galera cluster (and the DSN
// does not set it): each read then waits until the node has applied every transaction committed anywhere in
// the cluster before the read began. A key revoked through one node is then refused by the next request on
// any node, as on a single server. It costs a round of the cluster's messages per transaction that reads.
func causalReads(cfg *mysql.Config) *mysql.Config {
	if _, set := cfg.Params["wsrep_sync_wait"]; set {
		return cfg
	}
	connector, err := mysql.NewConnector(cfg)
	if err != nil {
		return cfg
	}
	db := sql.OpenDB(connector)
	defer func() { _ = db.Close() }()
	ctx, cancel := context.WithTimeout(context.Background(), cfg.Timeout+time.Second)
	defer cancel()
	var on string
	// MySQL, which has no such variable, answers an error: not Galera.
	if err := db.QueryRowContext(ctx, `SELECT @@global.wsrep_on`).Scan(&on); err != nil || (on != "1" && !strings.EqualFold(on, "ON")) {
		return cfg
	}
	c := cfg.Clone()
	if c.Params == nil {
		c.Params = map[string]string{}
	}
	c.Params["wsrep_sync_wait"] = "1"
	return c
}

func closeAll(dbs ...*sql.DB) {
	for _, db := range dbs {
		if db != nil {
			_ = db.Close()
		}
	}
}

// NamedPool is one of the store's connection pools, for its statistics.
type NamedPool struct {
	Name string
	DB   *sql.DB
}

// Pools lists the store's connection pools, for their statistics (collectors.NewDBStatsCollector): read
// them, run nothing on them.
func (s *Store) Pools() []NamedPool {
	if s.dialect == "mysql" {
		return []NamedPool{{"mysql", s.rd.db}}
	}
	pools := []NamedPool{{"sqlite_writer", s.wr.db}}
	if s.rd != s.wr {
		pools = append(pools, NamedPool{"sqlite_readers", s.rd.db})
	}
	if s.creds.watch != nil {
		pools = append(pools, NamedPool{"sqlite_watch", s.creds.watch.db})
	}
	return pools
}

// Ready reports whether the store can serve: the database answers and its schema is at this binary's
// version (every migration it embeds applied, none it does not know).
func (s *Store) Ready(ctx context.Context) error {
	if err := s.Ping(ctx); err != nil {
		return errors.New("the database does not answer")
	}
	p, err := s.goose(s.rd.db)
	if err != nil {
		return err
	}
	current, err := p.GetDBVersion(ctx)
	if err != nil {
		return errors.New("the schema version cannot be read")
	}
	var want int64
	for _, src := range p.ListSources() {
		want = max(want, src.Version)
	}
	if current != want {
		return fmt.Errorf("the schema is at version %d, this binary's is %d", current, want)
	}
	return nil
}

// Cost is what a store has run on its database so far.
type Cost struct {
	Statements   int64 // queries and writes, GORM's included
	Transactions int64
	Prepared     int64 // SQL texts prepared for a pool (each once; a pool prepares it on its connections)
}

// Cost returns what the store has run on the database so far. The tests of the request path read it.
func (s *Store) Cost() Cost {
	return Cost{Statements: s.counts.statements.Load(), Transactions: s.counts.transactions.Load(), Prepared: s.counts.prepared.Load()}
}

// countGORM makes GORM's statements count in Cost.
func (s *Store) countGORM() error {
	count := func(*gorm.DB) { s.counts.statements.Add(1) }
	for _, db := range []*gorm.DB{s.db, s.wdb} {
		cb := db.Callback()
		for _, err := range []error{
			cb.Query().After("gorm:query").Register("fileapi:count", count),
			cb.Create().After("gorm:create").Register("fileapi:count", count),
			cb.Update().After("gorm:update").Register("fileapi:count", count),
			cb.Delete().After("gorm:delete").Register("fileapi:count", count),
			cb.Row().After("gorm:row").Register("fileapi:count", count),
			cb.Raw().After("gorm:raw").Register("fileapi:count", count),
		} {
			if err != nil {
				return err
			}
		}
		if s.wdb == s.db {
			break
		}
	}
	return nil
}

// Close releases the database connections.
func (s *Store) Close() error {
	err := s.rd.close()
	if s.wr != s.rd {
		err = errors.Join(err, s.wr.close())
	}
	if s.creds.watch != nil {
		err = errors.Join(err, s.creds.watch.close())
	}
	return err
}

// Dialect is "sqlite" or "mysql".
func (s *Store) Dialect() string { return s.dialect }

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error {
	return translate(s.rd.db.PingContext(ctx))
}

func (s *Store) goose(db *sql.DB) (*goose.Provider, error) {
	dialect, folder := goose.DialectSQLite3, "sqlite"
	if s.dialect == "mysql" {
		dialect, folder = goose.DialectMySQL, "mysql"
	}
	sub, err := fs.Sub(migrations.FS, folder)
	if err != nil {
		return nil, err
	}
	return goose.NewProvider(dialect, db, sub, goose.WithGoMigrations(append(profileColumnMigrations(profileFields), signInNamesMigration(s.dialect))...))
}

// MigrationStatus is one migration and whether it is applied.
type MigrationStatus struct {
	Version int64  `json:"version"`
	Source  string `json:"source"`
	Applied bool   `json:"applied"`
}

// Migrate applies every pending migration ("up"), rolls back the last one ("down"), or reports ("status").
func (s *Store) Migrate(ctx context.Context, direction string) ([]MigrationStatus, error) {
	db, err := s.openMigrationPool()
	if err != nil {
		return nil, err
	}
	defer func() { _ = db.Close() }()
	p, err := s.goose(db)
	if err != nil {
		return nil, err
	}
	switch direction {
	case "up":
		if err := s.withMigrationLock(ctx, db, func() error { _, err := p.Up(ctx); return err }); err != nil {
			return nil, fmt.Errorf("migrate up: %w", err)
		}
	case "down":
		if err := s.withMigrationLock(ctx, db, func() error { _, err := p.Down(ctx); return err }); err != nil {
			return nil, fmt.Errorf("migrate down: %w", err)
		}
	case "status":
	default:
		return nil, fmt.Errorf("unknown migrate direction %q: want up, down or status", direction)
	}
	st, err := p.Status(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]MigrationStatus, 0, len(st))
	for _, m := range st {
		out = append(out, MigrationStatus{Version: m.Source.Version, Source: filepath.Base(m.Source.Path), Applied: m.State == goose.StateApplied})
	}
	return out, nil
}

// translate turns driver errors into domain errors: a lost database becomes KindUnavailable,
// a missing row KindNotFound, a unique violation KindConflict. Anything else stays internal.
func translate(err error) error {
	if err == nil {
		return nil
	}
	var me *Error
	if errors.As(err, &me) {
		return err
	}
	switch {
	case errors.Is(err, gorm.ErrRecordNotFound):
		return &Error{Kind: KindNotFound, Err: err}
	case isUnique(err):
		return &Error{Kind: KindConflict, Err: err}
	case isUnavailable(err):
		return &Error{Kind: KindUnavailable, Err: err}
	}
	return err
}

func isUnique(err error) bool {
	var my *mysql.MySQLError
	if errors.As(err, &my) {
		return my.Number == 1062
	}
	return strings.Contains(err.Error(), "UNIQUE constraint failed")
}

// isUnavailable reports errors that mean "the database cannot be reached now", which a retry may cure.
func isUnavailable(err error) bool {
	var netErr net.Error
	var my *mysql.MySQLError
	switch {
	case errors.Is(err, driver.ErrBadConn), errors.Is(err, mysql.ErrInvalidConn),
		errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE),
		errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, context.DeadlineExceeded),
		errors.As(err, &netErr):
		return true
	case errors.As(err, &my):
		// 1040 too many connections, 1047 a Galera node not ready (not yet synced), 1053 shutdown in progress,
		// 1205 lock wait timeout, 1213 deadlock,
		// 1927 connection killed (MariaDB).
		switch my.Number {
		case 1040, 1047, 1053, 1205, 1213, 1927:
			return true
		}
	}
	msg := err.Error()
	return strings.Contains(msg, "database is locked") || strings.Contains(msg, "sql: database is closed")
}

var gormNotFound = gorm.ErrRecordNotFound
