package store

import (
	"context"
	"database/sql"
	"errors"
	"math/rand/v2"
	"time"

	"github.com/openvest/openvest/internal/dberr"
	"github.com/openvest/openvest/internal/telemetry"
	"github.com/openvest/openvest/internal/txn"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// The one transaction mechanism of the store: a transaction travels in the
// context (WithTx puts it there), and every repository statement runs on
// the handle conn returns for its context, so that it joins the
// transaction its context carries, or runs on the pool when there is none.

var _ txn.Transactor = (*Store)(nil)

// txKey carries the transaction of a context (see WithTx).
type txKey struct{}

// ambient is the transaction a context carries: the GORM handle and, on
// PostgreSQL, the connection it runs on (see PgxTx).
type ambient struct {
	db   *gorm.DB
	conn *sql.Conn
}

// carried returns the transaction ctx carries, if any.
func carried(ctx context.Context) (*ambient, bool) {
	tx, ok := ctx.Value(txKey{}).(*ambient)
	return tx, ok
}

// WithTx implements txn.Transactor: fn runs in one database transaction
// that every repository call made with the context fn receives joins,
// including the units of work the domain services open (they do not nest:
// one unit of work, one commit). It commits when fn returns nil and rolls
// back otherwise. Called with a context that already carries a
// transaction, it joins that one; an outermost transaction the database
// aborted for a deadlock or a serialization failure runs again (see
// retryTransient).
func (s *Store) WithTx(ctx context.Context, fn func(ctx context.Context) error) error {
	if _, ok := carried(ctx); ok {
		return fn(ctx)
	}
	return retryTransient(ctx, func() error {
		ctx, committed := txn.Track(ctx) // a run's own after-commit functions
		err := s.transaction(ctx, func(tx *gorm.DB, conn *sql.Conn) error {
			return fn(context.WithValue(ctx, txKey{}, &ambient{db: tx, conn: conn}))
		})
		if err == nil {
			committed()
		}
		return err
	})
}

// conn is the handle a repository statement uses: the transaction ctx
// carries, else the pool.
func (s *Store) conn(ctx context.Context) *gorm.DB {
	if tx, ok := carried(ctx); ok {
		return tx.db.WithContext(ctx)
	}
	return s.DB.WithContext(ctx)
}

// pool is what a statement written by hand goes to: the transaction ctx
// carries (its *sql.Tx), else the pool (*sql.DB). Unlike conn it builds
// no GORM session (a statement clone and its maps, five allocations per
// call), which such a statement does not use; it takes ctx itself.
func (s *Store) pool(ctx context.Context) gorm.ConnPool {
	if tx, ok := carried(ctx); ok {
		return tx.db.Statement.ConnPool
	}
	return s.DB.Statement.ConnPool
}

// lock adds FOR NO KEY UPDATE on PostgreSQL; SQLite serializes writers
// anyway. Two lockers of a row still exclude each other, but the row may be
// referenced meanwhile: a foreign-key check (FOR KEY SHARE) of a new
// purchase does not wait for the execution that holds its portfolio (FOR
// UPDATE made every insert referencing a locked row queue behind it). Keys
// never change; a DELETE takes the stronger lock itself.
func (s *Store) lock(q *gorm.DB, lock bool) *gorm.DB {
	if lock && s.Dialect == Postgres {
		return q.Clauses(clause.Locking{Strength: "NO KEY UPDATE"})
	}
	return q
}

// transientAttempts is how many times an outermost transaction runs when
// the database aborts it for a deadlock or a serialization failure.
const transientAttempts = 4

// retryTransient runs a whole transaction again, after a short randomised
// pause, when the database aborted it for losing a race with another one
// (dberr.Transient): a concurrent change must not cost the caller a 500.
// Only an outermost transaction is retried, so fn's work is rolled back
// in full before it runs again.
func retryTransient(ctx context.Context, run func() error) error {
	var err error
	for attempt := range transientAttempts {
		if err = run(); !dberr.Transient(err) || attempt == transientAttempts-1 {
			return err
		}
		pause := time.Duration(5<<attempt)*time.Millisecond + time.Duration(rand.Int64N(int64(5*time.Millisecond)))
		select {
		case <-ctx.Done():
			return err
		case <-time.After(pause):
		}
	}
	return err
}

// transaction runs fn in a new database transaction. On PostgreSQL the
// transaction is begun on a connection taken from the pool for its
// duration, so that PgxTx can reach the driver connection it runs on.
func (s *Store) transaction(ctx context.Context, fn func(tx *gorm.DB, conn *sql.Conn) error) (err error) {
	ctx, span := startTx(ctx, s.Dialect)
	defer func() { telemetry.End(span, err) }()
	if s.Dialect != Postgres {
		return s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error { return fn(tx, nil) })
	}
	sqlDB, err := s.DB.DB()
	if err != nil {
		return err
	}
	conn, err := sqlDB.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	db := s.DB.WithContext(ctx)
	db.Statement.ConnPool = conn // *sql.Conn begins the transaction GORM runs fn in
	return db.Transaction(func(tx *gorm.DB) error { return fn(tx, conn) })
}

// errNoTx is returned by the raw transaction accessors outside a transaction.
var errNoTx = errors.New("store: no transaction in the context: run inside WithTx")

// SQLTx returns the *sql.Tx of the SQLite transaction ctx carries, so that
// the job queue's inserts on SQLite commit with the GORM writes (see PgxTx
// for PostgreSQL).
func (s *Store) SQLTx(ctx context.Context) (*sql.Tx, error) {
	a, ok := carried(ctx)
	if !ok {
		return nil, errNoTx
	}
	tx, ok := a.db.Statement.ConnPool.(*sql.Tx)
	if !ok {
		return nil, errNoTx
	}
	return tx, nil
}
