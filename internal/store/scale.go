package store

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
)

// PoolURL prepares a PostgreSQL URL for a pool of Openvest's own. The
// pool_* parameters of pgxpool (pool_max_conns, …), which the database/sql
// pool does not know and PostgreSQL would refuse as settings, are taken out;
// pool_max_conns is returned (0 when absent) so that it can size the pool.
// Behind a transaction pooler (PgBouncer pool_mode=transaction), where a
// server connection is not the same from one transaction to the next, the
// URL gets default_query_exec_mode=simple_protocol (no server-side prepared
// statements) unless it names a mode of its own.
func PoolURL(raw string, transactionPooler bool) (string, int, error) {
	if !strings.HasPrefix(raw, "postgres://") && !strings.HasPrefix(raw, "postgresql://") {
		return raw, 0, nil
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", 0, fmt.Errorf("OPENVEST_DATABASE_URL %s: %w", redact(raw), err)
	}
	q := u.Query()
	maxConns := 0
	for k := range q {
		if !strings.HasPrefix(k, "pool_") {
			continue
		}
		if k == "pool_max_conns" {
			if maxConns, err = strconv.Atoi(q.Get(k)); err != nil || maxConns <= 0 {
				return "", 0, fmt.Errorf("database URL %s: pool_max_conns=%q: use a positive integer", redact(raw), q.Get(k))
			}
		}
		q.Del(k)
	}
	if transactionPooler && q.Get("default_query_exec_mode") == "" {
		q.Set("default_query_exec_mode", "simple_protocol")
	}
	u.RawQuery = q.Encode()
	return u.String(), maxConns, nil
}

// migrationLockKey is the advisory lock that serializes migrations ("openvest").
const migrationLockKey int64 = 0x6f70656e76657374

// WithMigrationLock runs fn while holding a PostgreSQL advisory lock on a
// connection of its own to databaseURL, so that replicas starting together
// migrate one after the other: the first applies the migrations, the others
// find nothing left to do. The lock is transaction-scoped
// (pg_advisory_xact_lock in a transaction held open for fn's duration), so
// it holds through a transaction pooler too, which keeps one server
// connection for a transaction; it is released when fn returns or the
// process dies.
func WithMigrationLock(ctx context.Context, databaseURL string, fn func(context.Context) error) error {
	cfg, err := pgx.ParseConfig(databaseURL)
	if err != nil {
		return fmt.Errorf("migration lock: %w", err)
	}
	cfg.DefaultQueryExecMode = pgx.QueryExecModeSimpleProtocol
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return fmt.Errorf("migration lock: connect: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	tx, err := conn.Begin(ctx)
	if err != nil {
		return fmt.Errorf("migration lock: begin: %w", err)
	}
	defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()
	if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", migrationLockKey); err != nil {
		return fmt.Errorf("migration lock: take it: %w", err)
	}
	return fn(ctx)
}
