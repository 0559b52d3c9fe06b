package store

// The pgx adapter. The job queue (River) inserts its jobs through pgx,
// and a job must commit with the change that asks for it (a request row
// and its execution job, an outbox event and its deliveries) or not at
// all. GORM runs on database/sql, so PgxTx hands River a pgx.Tx over the
// very connection the context's GORM transaction runs on: River's inserts
// then join that transaction instead of opening their own. It is the only
// code here that knows about pgx.

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
)

// PgxTx runs fn with a pgx.Tx that executes on the PostgreSQL connection and
// inside the transaction that ctx carries (see WithTx), so that code written
// for pgx (the job queue's inserts) commits or rolls back with the GORM
// writes of the same transaction. fn must not keep the Tx: it is valid only
// while fn runs. Committing or rolling the Tx back is refused (the owner of
// the transaction does that); Begin opens a savepoint.
func (s *Store) PgxTx(ctx context.Context, fn func(tx pgx.Tx) error) error {
	if s.Dialect != Postgres {
		return fmt.Errorf("store: PgxTx needs PostgreSQL, not %s", s.Dialect)
	}
	a, ok := carried(ctx)
	if !ok || a.conn == nil {
		return errNoTx
	}
	return a.conn.Raw(func(driverConn any) error {
		c, ok := driverConn.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("store: unexpected PostgreSQL driver connection %T", driverConn)
		}
		return fn(&connTx{conn: c.Conn()})
	})
}

// connTx is a pgx.Tx over a connection whose transaction someone else owns:
// statements run in that transaction, Begin nests a savepoint, and only a
// savepoint can be committed or rolled back.
type connTx struct {
	conn  *pgx.Conn
	depth int // 0: the owner's transaction; n: the n-th nested savepoint
	done  bool
}

var _ pgx.Tx = (*connTx)(nil)

func (t *connTx) savepoint() string { return fmt.Sprintf("openvest_sp_%d", t.depth) }

func (t *connTx) Begin(ctx context.Context) (pgx.Tx, error) {
	n := &connTx{conn: t.conn, depth: t.depth + 1}
	if _, err := t.conn.Exec(ctx, "SAVEPOINT "+n.savepoint()); err != nil {
		return nil, err
	}
	return n, nil
}

func (t *connTx) Commit(ctx context.Context) error {
	return t.end(ctx, "RELEASE SAVEPOINT ", "it commits when WithTx returns")
}

func (t *connTx) Rollback(ctx context.Context) error {
	return t.end(ctx, "ROLLBACK TO SAVEPOINT ", "return an error from WithTx to roll it back")
}

// end releases or rolls back the savepoint of a nested Tx; the outermost
// one belongs to WithTx, which alone ends it (owner says how).
func (t *connTx) end(ctx context.Context, statement, owner string) error {
	if t.depth == 0 {
		return errors.New("store: the transaction belongs to its owner: " + owner)
	}
	if t.done {
		return pgx.ErrTxClosed
	}
	t.done = true
	_, err := t.conn.Exec(ctx, statement+t.savepoint())
	return err
}

func (t *connTx) CopyFrom(ctx context.Context, table pgx.Identifier, columns []string, src pgx.CopyFromSource) (int64, error) {
	return t.conn.CopyFrom(ctx, table, columns, src)
}

func (t *connTx) SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults {
	return t.conn.SendBatch(ctx, b)
}

func (t *connTx) LargeObjects() pgx.LargeObjects { return pgx.LargeObjects{} }

func (t *connTx) Prepare(ctx context.Context, name, sql string) (*pgconn.StatementDescription, error) {
	return t.conn.Prepare(ctx, name, sql)
}

func (t *connTx) Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	return t.conn.Exec(ctx, sql, args...)
}

func (t *connTx) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	return t.conn.Query(ctx, sql, args...)
}

func (t *connTx) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	return t.conn.QueryRow(ctx, sql, args...)
}

func (t *connTx) Conn() *pgx.Conn { return t.conn }
