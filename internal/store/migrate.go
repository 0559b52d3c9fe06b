package store

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"

	"github.com/openvest/openvest/db"
	"github.com/pressly/goose/v3"
)

// Migrate applies the embedded migrations of the store's dialect and
// returns how many it applied.
func (s *Store) Migrate(ctx context.Context) (int, error) {
	sqlDB, err := s.DB.DB()
	if err != nil {
		return 0, err
	}
	return migrate(ctx, sqlDB, s.Dialect)
}

func migrate(ctx context.Context, sqlDB *sql.DB, d Dialect) (int, error) {
	sub, err := fs.Sub(db.Migrations, "migrations/"+string(d))
	if err != nil {
		return 0, err
	}
	dialect := goose.DialectPostgres
	if d == SQLite {
		dialect = goose.DialectSQLite3
	}
	p, err := goose.NewProvider(dialect, sqlDB, sub)
	if err != nil {
		return 0, fmt.Errorf("migrations: %w", err)
	}
	results, err := p.Up(ctx)
	if err != nil {
		return 0, fmt.Errorf("apply migrations: %w", err)
	}
	return len(results), nil
}
