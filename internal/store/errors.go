package store

import (
	"errors"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/openvest/openvest/internal/errcode"
	"gorm.io/gorm"
)

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
