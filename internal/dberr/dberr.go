// Package dberr classifies database errors by what the caller can do about
// them: Unavailable (the database cannot be reached: answer 503 and retry
// later) and Transient (the transaction lost a race with another one — a
// deadlock or a serialization failure — and running it again can succeed).
// Both PostgreSQL (pgx) and SQLite errors are recognised.
package dberr

import (
	"database/sql"
	"database/sql/driver"
	"errors"
	"net"
	"strings"
	"syscall"

	"github.com/jackc/pgx/v5/pgconn"
)

// Unavailable reports whether err says the database cannot be reached
// (down, restarting, shutting down, the pool closed) rather than that a
// statement failed.
func Unavailable(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, sql.ErrConnDone) || errors.Is(err, driver.ErrBadConn) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) {
		return true
	}
	var ce *pgconn.ConnectError
	if errors.As(err, &ce) {
		return true
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		// Class 08: connection exception; 57P01-57P03: admin shutdown,
		// crash shutdown, cannot connect now (starting up).
		return strings.HasPrefix(pe.Code, "08") || pe.Code == "57P01" || pe.Code == "57P02" || pe.Code == "57P03"
	}
	var ne net.Error
	if errors.As(err, &ne) {
		return true
	}
	msg := err.Error()
	for _, s := range []string{"sql: database is closed", "connection refused", "conn closed", "failed to connect", "connection reset by peer", "broken pipe", "unexpected EOF", "the database system is"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}

// Transient reports whether err is a conflict between concurrent
// transactions that PostgreSQL resolved by aborting this one — deadlock
// detected (40P01) or a serialization failure (40001) — or SQLite's "database
// is locked": the whole transaction may be run again.
func Transient(err error) bool {
	if err == nil {
		return false
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == "40P01" || pe.Code == "40001"
	}
	msg := err.Error()
	return strings.Contains(msg, "database is locked") || strings.Contains(msg, "SQLITE_BUSY")
}
