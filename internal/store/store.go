// Package store is the GORM persistence of Openvest: PostgreSQL in
// production and in the test suite, an embedded pure-Go SQLite file by
// default. It opens and migrates the database and implements the domain
// packages' repository interfaces. Private row structs map to domain types
// here; a row never reaches JSON.
//
// The machinery, one concern a file: store.go opens a database of either
// dialect; tx.go is the one transaction mechanism (the unit of work of
// package txn, carried by the context) and pgxtx.go its adapter for the
// job queue's pgx inserts; migrate.go applies the migrations; errors.go
// maps database errors to domain ones; page.go pages lists. The
// repositories follow, one file per aggregate.
package store

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/glebarez/sqlite"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// Dialect names the database kind.
type Dialect string

// The dialects.
const (
	Postgres Dialect = "postgres"
	SQLite   Dialect = "sqlite"
)

// Store is an open database.
type Store struct {
	DB      *gorm.DB
	Dialect Dialect
}

// Options tune Open.
type Options struct {
	MaxConns int // PostgreSQL pool size (default: pool_max_conns of the URL, else 32); SQLite always uses one connection
	// MaxIdleConns (default MaxConns) and IdleTimeout (default 1m) bound
	// the idle connections of the PostgreSQL pool.
	MaxIdleConns int
	IdleTimeout  time.Duration
	// TransactionPooler: the URL reaches a transaction pooler (see PoolURL).
	TransactionPooler bool
	Logger            *slog.Logger
}

// Open connects to url: postgres://… or postgresql://… for PostgreSQL,
// sqlite://PATH for an SQLite file (sqlite://openvest.db is relative to the
// working directory, sqlite:///var/lib/openvest.db absolute).
func Open(url string, opts Options) (*Store, error) {
	cfg := &gorm.Config{
		Logger:                 logger.Discard,
		SkipDefaultTransaction: true, // writes run in explicit transactions
		PrepareStmt:            false,
		NowFunc:                func() time.Time { return time.Now().UTC().Truncate(time.Microsecond) },
	}
	var (
		s   = &Store{}
		err error
	)
	switch {
	case strings.HasPrefix(url, "postgres://"), strings.HasPrefix(url, "postgresql://"):
		s.Dialect = Postgres
		var urlMax int
		if url, urlMax, err = PoolURL(url, opts.TransactionPooler); err != nil {
			return nil, err
		}
		if opts.MaxConns <= 0 {
			opts.MaxConns = urlMax
		}
		s.DB, err = gorm.Open(postgres.Open(url), cfg)
	case strings.HasPrefix(url, "sqlite://"):
		s.Dialect = SQLite
		path := strings.TrimPrefix(url, "sqlite://")
		if path == "" {
			return nil, errors.New("OPENVEST_DATABASE_URL: sqlite:// needs a file path, as in sqlite://openvest.db")
		}
		dsn := "file:" + path + "?_pragma=foreign_keys(1)&_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_time_format=sqlite"
		s.DB, err = gorm.Open(sqlite.Open(dsn), cfg)
	default:
		return nil, fmt.Errorf("OPENVEST_DATABASE_URL=%q: use postgres://user@host:5432/db or sqlite://path/to/file.db", redact(url))
	}
	if err != nil {
		return nil, fmt.Errorf("open %s database: %w", s.Dialect, err)
	}
	sqlDB, err := s.DB.DB()
	if err != nil {
		return nil, err
	}
	if s.Dialect == SQLite {
		// One writer at a time is SQLite's model; one connection makes it
		// explicit and keeps transactions from failing with SQLITE_BUSY.
		sqlDB.SetMaxOpenConns(1)
	} else {
		n := opts.MaxConns
		if n <= 0 {
			n = 32
		}
		idle := opts.MaxIdleConns
		if idle <= 0 || idle > n {
			idle = n
		}
		sqlDB.SetMaxOpenConns(n)
		sqlDB.SetMaxIdleConns(idle)
		sqlDB.SetConnMaxIdleTime(cmp.Or(opts.IdleTimeout, time.Minute))
	}
	return s, nil
}

// Close closes the connection pool.
func (s *Store) Close() error {
	sqlDB, err := s.DB.DB()
	if err != nil {
		return err
	}
	return sqlDB.Close()
}

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error {
	sqlDB, err := s.DB.DB()
	if err != nil {
		return err
	}
	return sqlDB.PingContext(ctx)
}

// SQLDB is the connection pool under the store.
func (s *Store) SQLDB() (*sql.DB, error) { return s.DB.DB() }

func redact(url string) string {
	if i := strings.Index(url, "@"); i >= 0 {
		if j := strings.Index(url, "://"); j >= 0 && j < i {
			return url[:j+3] + "…" + url[i:]
		}
	}
	return url
}
