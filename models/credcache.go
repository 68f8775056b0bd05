package models

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
)

// credKey identifies one credential lookup: an access key or an access token by the hash of its secret, and
// the file asked about.
type credKey struct {
	key  bool // an access key; else an access token
	hash string
	file int64
}

// credCacheMax bounds the credentials kept between two commits; beyond it lookups go to the database.
const credCacheMax = 4096

// credCache keeps credential lookups, exactly, not for a time: a revoked key, a removed membership, a
// refreshed token is refused by the next request that starts after the change, on every instance.
//
//   - On SQLite (watch set) an entry stands while the database is unchanged: any commit, by any connection of
//     any process, retires every entry, and telling so costs no query (changeWatch).
//   - On MySQL (watch nil) there is no such signal short of a query, so a hit is checked by reading the
//     user's row (lookupCredential): one single-table query instead of the join of the credential, its user,
//     the file and the membership.
//
// Values are shared between hits: callers treat them as read-only.
type credCache struct {
	watch *changeWatch
	mu    sync.RWMutex
	gen   uint64 // the generation of every entry in m (always 1 without a watch)
	m     map[credKey]any
}

func newCredCache(watch *changeWatch) *credCache {
	return &credCache{watch: watch, gen: 1, m: map[credKey]any{}}
}

// checkHits reports whether a hit must be checked against the database before it is used.
func (c *credCache) checkHits() bool { return c.watch == nil }

// get returns the value cached for k: on SQLite only if the database has not changed since it was read. gen
// is the generation a value read after this call is stored under (0: do not store).
func (c *credCache) get(k credKey) (v any, gen uint64, hit bool) {
	gen = 1
	if c.watch != nil {
		var err error
		if gen, err = c.watch.generation(); err != nil {
			return nil, 0, false
		}
	}
	c.mu.RLock()
	if c.gen == gen {
		v, hit = c.m[k]
	}
	c.mu.RUnlock()
	return v, gen, hit
}

// put stores v, read from the database after get returned gen. A value read in an older generation than the
// cache's is dropped: it may predate a commit. A full cache starts over.
func (c *credCache) put(gen uint64, k credKey, v any) {
	if gen == 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case gen < c.gen:
		return
	case gen > c.gen || len(c.m) >= credCacheMax:
		c.gen, c.m = gen, make(map[credKey]any, len(c.m))
	}
	c.m[k] = v
}

// changeWatch numbers the states of a SQLite database: generation returns a new number whenever a commit may
// have happened since the number before, by any connection of this process or another.
//
// It reads the header of the WAL index, which every commit rewrites, from memory (see walIndex): no query,
// no lock. Where that cannot be read (another platform, or a header caught mid-write) it asks
// PRAGMA data_version on a connection of its own, which moves whenever another connection commits. One such
// check serves every request that arrived before it started: a request waits for a check that begins after
// its own arrival (so no commit finished before the request is missed), and all requests waiting then share
// that check's answer.
type changeWatch struct {
	db   *sql.DB // a pool of one connection, for the watch alone; it also keeps the WAL index alive
	path string  // the database file
	mu   sync.Mutex
	cond sync.Cond
	// index is the mapped WAL index once there is one; lastHeader is the header it last showed.
	index      atomic.Pointer[walIndex]
	lastHeader walIndexHeader
	// The fields below are guarded by mu, except conn, which only the running check touches.
	conn    *sql.Conn
	stmt    driver.Stmt // PRAGMA data_version, prepared on conn
	readRaw func(dc any) error
	ctx     context.Context //nolint:containedctx // the context of the read in progress, for readRaw
	dest    [1]driver.Value
	value   int64
	last    int64  // data_version at the last check
	fresh   bool   // conn is new: its data_version compares with nothing yet
	gen     uint64 // the current generation (from 1)
	started uint64 // checks started
	done    uint64 // the last check finished
	err     error  // the last check's error
	running bool
}

func newChangeWatch(db *sql.DB, path string) *changeWatch {
	w := &changeWatch{db: db, path: path, gen: 1}
	w.cond.L = &w.mu
	return w
}

// generation returns the current generation: it differs from any returned before a commit that finished
// before this call began.
func (w *changeWatch) generation() (uint64, error) {
	if x := w.index.Load(); x != nil {
		if h, ok := x.header(); ok {
			w.mu.Lock()
			if h != w.lastHeader {
				w.lastHeader = h
				w.gen++
			}
			g := w.gen
			w.mu.Unlock()
			return g, nil
		}
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	arrival := w.started
	for w.done <= arrival {
		if w.running {
			w.cond.Wait()
			continue
		}
		w.running = true
		w.started++
		n := w.started
		w.mu.Unlock()
		// Waiters share this check: one caller's cancellation must not fail it for the others.
		v, err := w.read(context.Background())
		w.mu.Lock()
		w.running, w.done, w.err = false, n, err
		if err == nil && (w.fresh || v != w.last) {
			w.last, w.fresh = v, false
			w.gen++
		}
		w.cond.Broadcast()
	}
	if w.err != nil {
		return 0, w.err
	}
	return w.gen, nil
}

// read returns data_version of the watch's connection, opening one when there is none. It talks to the
// driver directly (database/sql's row machinery would cost more than the PRAGMA itself): this runs for
// nearly every request.
func (w *changeWatch) read(ctx context.Context) (int64, error) {
	if w.conn == nil {
		c, err := w.db.Conn(ctx)
		if err != nil {
			return 0, err
		}
		w.conn, w.fresh = c, true
		if w.readRaw == nil {
			w.readRaw = w.readDriver
		}
	}
	defer w.mapIndex()
	w.ctx = ctx
	err := w.conn.Raw(w.readRaw)
	w.ctx = nil
	if err != nil {
		w.drop()
		return 0, err
	}
	return w.value, nil
}

// mapIndex maps the WAL index once the watch's connection has read the database (which creates it), so that
// later checks need no query. It stays mapped until close: the watch's connection keeps it alive.
func (w *changeWatch) mapIndex() {
	if w.index.Load() != nil || w.conn == nil {
		return
	}
	if x, err := mapWALIndex(w.path); err == nil {
		w.index.Store(x)
	}
}

// readDriver runs PRAGMA data_version on the driver's connection, preparing it on first use.
func (w *changeWatch) readDriver(dc any) error {
	if w.stmt == nil {
		p, ok := dc.(driver.ConnPrepareContext)
		if !ok {
			return errors.New("the SQLite driver cannot prepare statements")
		}
		st, err := p.PrepareContext(w.ctx, "PRAGMA data_version")
		if err != nil {
			return err
		}
		w.stmt = st
	}
	q, ok := w.stmt.(driver.StmtQueryContext)
	if !ok {
		return errors.New("the SQLite driver cannot query a prepared statement")
	}
	rows, err := q.QueryContext(w.ctx, nil)
	if err != nil {
		return err
	}
	defer func() { _ = rows.Close() }()
	if err := rows.Next(w.dest[:]); err != nil {
		return err
	}
	v, ok := w.dest[0].(int64)
	if !ok {
		return fmt.Errorf("PRAGMA data_version returned %T", w.dest[0])
	}
	w.value = v
	return nil
}

// drop closes the watch's connection; the next check opens another.
func (w *changeWatch) drop() {
	if w.stmt != nil {
		_ = w.stmt.Close()
		w.stmt = nil
	}
	_ = w.conn.Close()
	w.conn = nil
}

// close releases the watch's connection and pool.
func (w *changeWatch) close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if x := w.index.Swap(nil); x != nil {
		x.close()
	}
	if w.conn != nil {
		w.drop()
	}
	return w.db.Close()
}
