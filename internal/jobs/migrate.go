package jobs

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/openvest/openvest/internal/store"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
)

// Migrate applies River's own migrations (its job and leader tables) to
// the store's database, and returns how many it applied. databaseURL is
// the PostgreSQL URL (unused on SQLite).
func Migrate(ctx context.Context, st *store.Store, databaseURL string, log *slog.Logger) (int, error) {
	if log == nil {
		log = slog.Default()
	}
	cfg := &rivermigrate.Config{Logger: log}
	var (
		res *rivermigrate.MigrateResult
		err error
	)
	switch st.Dialect {
	case store.Postgres:
		pool, perr := pgxpool.New(ctx, databaseURL)
		if perr != nil {
			return 0, fmt.Errorf("job queue migrations: connect: %w", perr)
		}
		defer pool.Close()
		m, merr := rivermigrate.New(riverpgxv5.New(pool), cfg)
		if merr != nil {
			return 0, merr
		}
		res, err = m.Migrate(ctx, rivermigrate.DirectionUp, nil)
	case store.SQLite:
		sqlDB, serr := st.SQLDB()
		if serr != nil {
			return 0, serr
		}
		m, merr := rivermigrate.New(riversqlite.New(sqlDB), cfg)
		if merr != nil {
			return 0, merr
		}
		res, err = m.Migrate(ctx, rivermigrate.DirectionUp, nil)
	default:
		return 0, fmt.Errorf("job queue migrations: unsupported database %s", st.Dialect)
	}
	if err != nil {
		return 0, fmt.Errorf("job queue migrations: %w", err)
	}
	return len(res.Versions), nil
}
