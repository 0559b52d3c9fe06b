package httpapi

import (
	"database/sql"
	"database/sql/driver"
	"errors"
	"net"
	"net/http"
	"strconv"
	"strings"
	"syscall"

	"github.com/jackc/pgx/v5/pgconn"
)

// retryAfterSeconds is the Retry-After of a 503 while the database is out.
const retryAfterSeconds = 2

// unavailableError is the 503 answered while the database cannot be
// reached: a retry later can succeed, unlike after a 500.
func unavailableError() *apiError {
	return &apiError{
		Status:  http.StatusServiceUnavailable,
		Message: "the service is temporarily unavailable: its database cannot be reached; retry after " + strconv.Itoa(retryAfterSeconds) + " seconds",
		Header:  http.Header{"Retry-After": {strconv.Itoa(retryAfterSeconds)}},
	}
}

// databaseUnavailable reports whether err says the database cannot be
// reached (down, restarting, shutting down, the pool closed) rather than
// that a statement failed.
func databaseUnavailable(err error) bool {
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
