// Package testdb gives each test package a fresh PostgreSQL database, and
// each test a fresh SQLite file, both migrated (the PostgreSQL one with the
// job queue's migrations too). The PostgreSQL server is
// TEST_DATABASE_URL (default: the local trust-auth server as postgres).
//
// Use it from TestMain:
//
//	func TestMain(m *testing.M) { testdb.Main(m, "store") }
//
// then open the package database with testdb.Postgres(t). Tests isolate
// themselves by creating their own organization, so they can run in
// parallel on one database.
//
// Hold and Holder.RequireWaits race a method against another transaction
// that holds the row it must lock: the test of a row lock.
package testdb

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/openvest/openvest/internal/jobs"
	"github.com/openvest/openvest/internal/store"
)

// DefaultAdminURL is used when TEST_DATABASE_URL is not set.
const DefaultAdminURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

var pgURL string

// AdminURL is the server the test databases are created on.
func AdminURL() string {
	if u := os.Getenv("TEST_DATABASE_URL"); u != "" {
		return u
	}
	return DefaultAdminURL
}

// Main creates the package's database, runs the tests and drops it.
func Main(m *testing.M, pkg string) {
	ctx := context.Background()
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	name := fmt.Sprintf("openvest_test_%s_%s", pkg, hex.EncodeToString(b))
	u, err := create(ctx, name)
	if err != nil {
		fmt.Fprintf(os.Stderr, "testdb: create database %s on %s: %v\nIs PostgreSQL running? Set TEST_DATABASE_URL to a server where this user may CREATE DATABASE.\n", name, AdminURL(), err)
		os.Exit(1)
	}
	pgURL = u
	code := m.Run()
	if err := drop(ctx, name); err != nil {
		fmt.Fprintf(os.Stderr, "testdb: drop database %s: %v\n", name, err)
	}
	os.Exit(code)
}

// URL is the package database's URL (after Main).
func URL() string { return pgURL }

// Postgres opens the package database, migrated; it is closed when t ends.
func Postgres(t testing.TB) *store.Store {
	t.Helper()
	if pgURL == "" {
		t.Fatal("testdb: call testdb.Main from TestMain first")
	}
	return open(t, pgURL, false) // Main migrated it
}

// SQLite opens a fresh, migrated SQLite file in t's temporary directory.
func SQLite(t testing.TB) *store.Store {
	t.Helper()
	return open(t, "sqlite://"+filepath.Join(t.TempDir(), "openvest.db"), true)
}

func open(t testing.TB, u string, migrate bool) *store.Store {
	t.Helper()
	s, err := store.Open(u, store.Options{MaxConns: 8})
	if err != nil {
		t.Fatalf("testdb: open: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	if !migrate {
		return s
	}
	if _, err := s.Migrate(context.Background()); err != nil {
		t.Fatalf("testdb: migrate: %v", err)
	}
	return s
}

func create(ctx context.Context, name string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, AdminURL())
	if err != nil {
		return "", err
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		return "", err
	}
	u, err := url.Parse(AdminURL())
	if err != nil {
		return "", err
	}
	u.Path = "/" + name
	// Migrate once here so that parallel tests do not race to apply them.
	s, err := store.Open(u.String(), store.Options{MaxConns: 2})
	if err != nil {
		return "", err
	}
	defer s.Close()
	if _, err := s.Migrate(ctx); err != nil {
		return "", err
	}
	if _, err := jobs.Migrate(ctx, s, u.String(), slog.New(slog.DiscardHandler)); err != nil {
		return "", err
	}
	return u.String(), nil
}

func drop(ctx context.Context, name string) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, AdminURL())
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)")
	return err
}

// FreshURL creates a database of the test's own, migrated, and returns its
// URL; it is dropped when the test ends. For tests that need an empty
// database, or run the service in another process.
func FreshURL(t testing.TB) string {
	t.Helper()
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	name := "openvest_test_fresh_" + hex.EncodeToString(b)
	u, err := create(context.Background(), name)
	if err != nil {
		t.Fatalf("testdb: create database %s: %v", name, err)
	}
	t.Cleanup(func() { _ = drop(context.Background(), name) })
	return u
}
