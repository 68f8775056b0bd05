package models

import (
	"context"
	"database/sql"
	"sync"
	"sync/atomic"
	"time"
)

// sqlPool is a database/sql pool whose statements are prepared once, on first use, and then reused on every
// connection of the pool. On MySQL a statement with arguments that is not prepared costs a prepare, an
// execute and a close: three round trips instead of one. SQL text is the cache key, so a text built at run
// time must come from a bounded set (column lists from the code, never from input).
type sqlPool struct {
	db     *sql.DB
	stmts  sync.Map // SQL text → *sql.Stmt
	counts *poolCounts
}

// poolCounts counts what ran through a store's pools (see Store.Cost).
type poolCounts struct {
	statements, transactions, prepared atomic.Int64
}

func newSQLPool(db *sql.DB, counts *poolCounts) *sqlPool { return &sqlPool{db: db, counts: counts} }

// stmt returns the prepared statement of q, preparing it on first use.
func (p *sqlPool) stmt(ctx context.Context, q string) (*sql.Stmt, error) {
	if st, ok := p.stmts.Load(q); ok {
		return st.(*sql.Stmt), nil
	}
	st, err := p.db.PrepareContext(ctx, q)
	if err != nil {
		return nil, err
	}
	if prev, loaded := p.stmts.LoadOrStore(q, st); loaded {
		_ = st.Close()
		return prev.(*sql.Stmt), nil
	}
	p.counts.prepared.Add(1)
	return st, nil
}

// QueryRowContext runs a query that returns at most one row. When the statement cannot be prepared (the
// database is down, say) the query runs unprepared, so that the row reports the error as database/sql would.
func (p *sqlPool) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	p.counts.statements.Add(1)
	st, err := p.stmt(ctx, q)
	if err != nil {
		return p.db.QueryRowContext(ctx, q, args...)
	}
	return st.QueryRowContext(ctx, args...)
}

// QueryContext runs a query that returns rows.
func (p *sqlPool) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	p.counts.statements.Add(1)
	st, err := p.stmt(ctx, q)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}

// ExecContext runs a statement that returns no rows.
func (p *sqlPool) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	p.counts.statements.Add(1)
	st, err := p.stmt(ctx, q)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(ctx, args...)
}

// BeginTx starts a transaction (BEGIN IMMEDIATE on SQLite: see Open).
func (p *sqlPool) BeginTx(ctx context.Context) (*sqlTx, error) {
	p.counts.transactions.Add(1)
	tx, err := p.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	return &sqlTx{tx: tx, pool: p}, nil
}

// close releases the prepared statements and the pool.
func (p *sqlPool) close() error {
	p.stmts.Range(func(_, st any) bool {
		_ = st.(*sql.Stmt).Close()
		return true
	})
	return p.db.Close()
}

// sqlTx is a transaction of an sqlPool: its statements are the pool's prepared ones, bound to the
// transaction's connection (database/sql reuses a statement already prepared on that connection).
//
// A statement the pool has not prepared yet runs unprepared, and the pool prepares it when the transaction
// ends: preparing it at once would wait for a second connection of the pool while this one is held, which
// deadlocks a pool of one (the SQLite writer) and stalls a busy one.
type sqlTx struct {
	tx     *sql.Tx
	pool   *sqlPool
	missed []string // statements run unprepared
}

// stmt returns the pool's statement of q bound to the transaction, or nil when the pool has none yet.
func (t *sqlTx) stmt(ctx context.Context, q string) *sql.Stmt {
	t.pool.counts.statements.Add(1)
	if st, ok := t.pool.stmts.Load(q); ok {
		return t.tx.StmtContext(ctx, st.(*sql.Stmt))
	}
	t.missed = append(t.missed, q)
	return nil
}

// QueryRowContext runs a query that returns at most one row inside the transaction.
func (t *sqlTx) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	if st := t.stmt(ctx, q); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return t.tx.QueryRowContext(ctx, q, args...)
}

// QueryContext runs a query that returns rows inside the transaction.
func (t *sqlTx) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	if st := t.stmt(ctx, q); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return t.tx.QueryContext(ctx, q, args...)
}

// ExecContext runs a statement that returns no rows inside the transaction.
func (t *sqlTx) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	if st := t.stmt(ctx, q); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return t.tx.ExecContext(ctx, q, args...)
}

// Commit commits the transaction.
func (t *sqlTx) Commit() error {
	err := t.tx.Commit()
	t.prepareMissed()
	return err
}

// Rollback aborts the transaction; after a commit it does nothing.
func (t *sqlTx) Rollback() error {
	err := t.tx.Rollback()
	t.prepareMissed()
	return err
}

// prepareMissed prepares, once the connection is back in the pool, the statements this transaction ran
// unprepared. A failure only means they run unprepared again next time.
func (t *sqlTx) prepareMissed() {
	if len(t.missed) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for _, q := range t.missed {
		if _, err := t.pool.stmt(ctx, q); err != nil {
			break
		}
	}
	t.missed = nil
}

// rowQuerier is an sqlPool or an sqlTx.
type rowQuerier interface {
	QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row
}

// execer is an sqlPool or an sqlTx.
type execer interface {
	ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error)
}

// querier is an sqlPool or an sqlTx.
type querier interface {
	QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error)
}
