package testdb

import (
	"strings"
	"testing"
	"time"

	"github.com/openvest/openvest/internal/store"
	"gorm.io/gorm"
)

// Holder is an open PostgreSQL transaction, on a connection of its own,
// that keeps the row locks its statement took until Commit: the "other
// writer" of a row-lock test.
type Holder struct {
	db  *gorm.DB
	tx  *gorm.DB
	pid int
}

// Hold begins a transaction on s (PostgreSQL) and runs sql in it — an
// UPDATE of the rows a test races for, or a SELECT … FOR UPDATE — leaving
// the transaction open. It is rolled back when the test ends, unless
// committed.
func Hold(t testing.TB, s *store.Store, sql string, args ...any) *Holder {
	t.Helper()
	tx := s.DB.WithContext(t.Context()).Begin()
	if tx.Error != nil {
		t.Fatalf("testdb: begin the holding transaction: %v", tx.Error)
	}
	h := &Holder{db: s.DB, tx: tx}
	t.Cleanup(func() { _ = tx.Rollback().Error })
	if err := tx.Raw("SELECT pg_backend_pid()").Scan(&h.pid).Error; err != nil {
		t.Fatalf("testdb: read the holding backend's pid: %v", err)
	}
	res := tx.Exec(sql, args...)
	if res.Error != nil {
		t.Fatalf("testdb: hold %q: %v", sql, res.Error)
	}
	if res.RowsAffected == 0 {
		t.Fatalf("testdb: hold %q: no row", sql)
	}
	return h
}

// Commit ends the holding transaction, releasing its locks.
func (h *Holder) Commit(t testing.TB) {
	t.Helper()
	if err := h.tx.Commit().Error; err != nil {
		t.Fatalf("testdb: commit the holding transaction: %v", err)
	}
}

// RequireWaits runs op while h holds its rows and requires that op waits
// for h on a statement containing each of lock's fragments (for example
// `"customers"` and "FOR UPDATE": the row lock op must take before it
// decides anything); then h commits, and RequireWaits returns op's error
// once op ends. A test fails, within ten seconds, when op ends without
// waiting, or waits on another statement (a plain UPDATE: it read the row
// without the lock and decided on a stale value).
func (h *Holder) RequireWaits(t testing.TB, lock []string, op func() error) error {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- op() }()
	deadline := time.Now().Add(10 * time.Second)
	var waiting []string
	for {
		select {
		case err := <-done:
			h.Commit(t)
			t.Fatalf("the operation ended (err: %v) without waiting on %q while another transaction held the row", err, lock)
		default:
		}
		waiting = waiting[:0]
		if err := h.db.Raw(`SELECT query FROM pg_stat_activity WHERE ? = ANY(pg_blocking_pids(pid))`, h.pid).Scan(&waiting).Error; err != nil {
			t.Fatalf("testdb: read the waiting statements: %v", err)
		}
		if waitsOn(waiting, lock) {
			break
		}
		if time.Now().After(deadline) {
			h.Commit(t)
			t.Fatalf("the operation did not wait on %q within 10s; statements waiting on the holder: %q", lock, waiting)
		}
		time.Sleep(5 * time.Millisecond) // polling a condition, with a deadline
	}
	h.Commit(t)
	select {
	case err := <-done:
		return err
	case <-time.After(10 * time.Second):
		t.Fatalf("the operation did not end within 10s of the holder's commit")
		return nil
	}
}

func waitsOn(queries, fragments []string) bool {
	for _, q := range queries {
		all := true
		for _, f := range fragments {
			all = all && strings.Contains(q, f)
		}
		if all {
			return true
		}
	}
	return false
}

// ForUpdate is the statement of a row lock on table as the store sends
// it (FOR NO KEY UPDATE: lockers exclude each other, foreign-key checks do
// not wait), for RequireWaits.
func ForUpdate(table string) []string { return []string{`FROM "` + table + `"`, "FOR NO KEY UPDATE"} }
