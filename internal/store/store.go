// Package store is the GORM persistence of Openvest: PostgreSQL in
// production and in the test suite, an embedded pure-Go SQLite file by
// default. It opens and migrates the database and implements the domain
// packages' repository interfaces. Private row structs map to domain types
// here; a row never reaches JSON.
package store

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/glebarez/sqlite"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/openvest/openvest/db"
	"github.com/openvest/openvest/internal/dberr"
	"github.com/openvest/openvest/internal/errcode"
	"github.com/openvest/openvest/internal/telemetry"
	"github.com/pressly/goose/v3"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
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
	bound   bool      // DB is a transaction
	txConn  *sql.Conn // when bound on PostgreSQL: the connection the transaction runs on
}

// txKey carries the ambient transaction of a context (see WithTx).
type txKey struct{}

// ambient is the transaction a context carries: the GORM handle and, on
// PostgreSQL, the connection it runs on (see RawTx).
type ambient struct {
	db   *gorm.DB
	conn *sql.Conn
}

// WithTx runs fn in one database transaction that every repository call
// made with the context fn receives joins, including the transactions the
// domain services open (they do not nest: one unit of work, one commit).
// It commits when fn returns nil and rolls back otherwise. Called with a
// context that already carries a transaction, it joins that one.
//
// The HTTP layer uses it so that a business change and the response stored
// for its idempotency key commit together.
func (s *Store) WithTx(ctx context.Context, fn func(ctx context.Context) error) error {
	if _, ok := ctx.Value(txKey{}).(*ambient); ok {
		return fn(ctx)
	}
	if s.bound {
		return fn(context.WithValue(ctx, txKey{}, &ambient{db: s.DB, conn: s.txConn}))
	}
	return retryTransient(ctx, func() error {
		return s.transaction(ctx, func(tx *gorm.DB, conn *sql.Conn) error {
			return fn(context.WithValue(ctx, txKey{}, &ambient{db: tx, conn: conn}))
		})
	})
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
// duration, so that RawTx can reach the driver connection it runs on.
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

// conn is the handle a repository call uses: the store's own transaction
// when it is bound to one, else the context's ambient transaction, else the pool.
func (s *Store) conn(ctx context.Context) *gorm.DB {
	if !s.bound {
		if tx, ok := ctx.Value(txKey{}).(*ambient); ok {
			return tx.db.WithContext(ctx)
		}
	}
	return s.DB.WithContext(ctx)
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

// inTx runs fn in a transaction with a Store bound to it: the store's own
// when it is already bound, else the context's ambient one (see WithTx),
// else a new one. Transactions do not nest.
func (s *Store) inTx(ctx context.Context, fn func(tx *Store) error) error {
	if s.bound {
		return fn(s)
	}
	if tx, ok := ctx.Value(txKey{}).(*ambient); ok {
		return fn(&Store{DB: tx.db, Dialect: s.Dialect, bound: true, txConn: tx.conn})
	}
	return s.transaction(ctx, func(tx *gorm.DB, conn *sql.Conn) error {
		return fn(&Store{DB: tx, Dialect: s.Dialect, bound: true, txConn: conn})
	})
}

// uniqueViolation reports whether err is a unique-constraint violation,
// and the constraint (PostgreSQL) or column list (SQLite) it names.
func uniqueViolation(err error) (string, bool) {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.ConstraintName, pgErr.Code == "23505"
	}
	if err != nil {
		msg := err.Error()
		if i := strings.Index(msg, "UNIQUE constraint failed: "); i >= 0 {
			return msg[i+len("UNIQUE constraint failed: "):], true
		}
	}
	return "", false
}

func notFound(err error, format string, args ...any) error {
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return errcode.New(errcode.NotFound, format, args...)
	}
	return err
}

// pageQuery orders by created_at then id, in the page's direction, qualified
// by table name, and applies limit and offset.
func pageQuery(q *gorm.DB, table string, limit, offset int, desc bool) *gorm.DB {
	dir := "ASC"
	if desc {
		dir = "DESC"
	}
	return q.Order(table + ".created_at " + dir + ", " + table + ".id " + dir).Limit(limit).Offset(offset)
}

// total returns the number of rows on all pages. It counts only when the
// page is full or empty past the first page; otherwise the page itself tells.
func total(q *gorm.DB, items, limit, offset int) (int64, error) {
	if items < limit && (items > 0 || offset == 0) {
		return int64(offset + items), nil
	}
	var n int64
	err := q.Count(&n).Error
	return n, err
}

func redact(url string) string {
	if i := strings.Index(url, "@"); i >= 0 {
		if j := strings.Index(url, "://"); j >= 0 && j < i {
			return url[:j+3] + "…" + url[i:]
		}
	}
	return url
}

// mapRows converts database rows to domain values.
func mapRows[R, T any](rows []R, conv func(R) T) []T {
	out := make([]T, len(rows))
	for i, row := range rows {
		out[i] = conv(row)
	}
	return out
}
