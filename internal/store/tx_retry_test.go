package store_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/openvest/openvest/internal/store"
	"github.com/openvest/openvest/internal/testdb"
	"github.com/stretchr/testify/require"
)

// TestWithTxRunsADeadlockedTransactionAgain: two transactions lock two rows
// in opposite orders; PostgreSQL aborts one of them (deadlock detected,
// 40P01), and WithTx runs that one again instead of failing its caller.
// Both end committed, and the aborted one ran twice (the first checks for
// deadlocks after 100 ms, the other after a minute: it is the one aborted).
func TestWithTxRunsADeadlockedTransactionAgain(t *testing.T) {
	t.Parallel()
	s := testdb.Postgres(t)
	sqlDB, err := s.SQLDB()
	require.NoError(t, err)
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	table := "deadlock_probe_" + hex.EncodeToString(b)
	_, err = sqlDB.ExecContext(t.Context(), fmt.Sprintf("CREATE TABLE %s (id int PRIMARY KEY, v int NOT NULL); INSERT INTO %[1]s VALUES (1, 0), (2, 0)", table))
	require.NoError(t, err)
	t.Cleanup(func() { _, _ = sqlDB.Exec("DROP TABLE " + table) })

	// Each transaction's first run waits (bounded) until both hold their
	// first row, so the second statements are sure to deadlock.
	var locked sync.WaitGroup
	locked.Add(2)
	both := make(chan struct{})
	go func() { locked.Wait(); close(both) }()
	var runs [2]atomic.Int32
	update := func(tx pgx.Tx, id int) error {
		_, err := tx.Exec(context.Background(), fmt.Sprintf("UPDATE %s SET v = v + 1 WHERE id = $1", table), id)
		return err
	}
	run := func(i, first, second int) error {
		return s.WithTx(t.Context(), func(ctx context.Context) error {
			return s.PgxTx(ctx, func(tx pgx.Tx) error {
				n := runs[i].Add(1)
				// Only the first checks for the deadlock soon: were both to
				// check at once, a loaded server could abort both.
				timeout := []string{"100ms", "1min"}[i]
				if _, err := tx.Exec(context.Background(), "SET LOCAL deadlock_timeout = '"+timeout+"'"); err != nil {
					return err
				}
				if err := update(tx, first); err != nil {
					return err
				}
				if n == 1 {
					locked.Done()
					select {
					case <-both:
					case <-time.After(10 * time.Second):
						return fmt.Errorf("the other transaction never locked its first row")
					}
				}
				return update(tx, second)
			})
		})
	}
	errs := make(chan error, 2)
	go func() { errs <- run(0, 1, 2) }()
	go func() { errs <- run(1, 2, 1) }()
	require.NoError(t, <-errs)
	require.NoError(t, <-errs)
	require.Equal(t, int32(2), runs[0].Load(), "the transaction PostgreSQL aborted (the one that checked for the deadlock) ran again")
	require.Equal(t, int32(1), runs[1].Load(), "the other ran once")

	var sum int
	require.NoError(t, sqlDB.QueryRowContext(t.Context(), "SELECT sum(v) FROM "+table).Scan(&sum))
	require.Equal(t, 4, sum, "both transactions committed their two updates once each")
}

// TestWithTxDoesNotRetryOtherErrors: an ordinary failure runs once.
func TestWithTxDoesNotRetryOtherErrors(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, s *store.Store) {
		runs := 0
		err := s.WithTx(t.Context(), func(ctx context.Context) error {
			runs++
			return fmt.Errorf("a rule refused it")
		})
		require.ErrorContains(t, err, "a rule refused it")
		require.Equal(t, 1, runs)
	})
}
