package store_test

import (
	"context"
	"testing"

	"github.com/openvest/openvest/internal/testdb"
	"github.com/stretchr/testify/require"
)

// TestLockedRowStaysReferenceable: a row read with its lock (an execution
// holding a portfolio) can still be referenced by a concurrent insert: the
// foreign-key check's FOR KEY SHARE does not wait for it, while a second
// locker does. lock_timeout turns a wait into an error at once.
func TestLockedRowStaysReferenceable(t *testing.T) {
	t.Parallel()
	s := testdb.Postgres(t)
	f := setup(t, s)
	h := f.holding(t, f.org)

	locked := make(chan struct{})
	release := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- s.WithTx(f.ctx, func(ctx context.Context) error {
			if _, err := f.repo.Portfolio(ctx, f.org, h.p.ID, true); err != nil {
				return err
			}
			close(locked)
			<-release
			return nil
		})
	}()
	<-locked
	defer func() {
		close(release)
		require.NoError(t, <-done)
	}()

	other, err := s.DB.DB()
	require.NoError(t, err)
	conn, err := other.Conn(f.ctx)
	require.NoError(t, err)
	defer conn.Close()
	_, err = conn.ExecContext(f.ctx, `SET lock_timeout = '50ms'`)
	require.NoError(t, err)
	_, err = conn.ExecContext(f.ctx, `SELECT 1 FROM portfolios WHERE organization_id = $1 AND id = $2 FOR KEY SHARE`, f.org, h.p.ID)
	require.NoError(t, err, "a foreign-key check of the locked portfolio must not wait")
	_, err = conn.ExecContext(f.ctx, `SELECT 1 FROM portfolios WHERE organization_id = $1 AND id = $2 FOR NO KEY UPDATE`, f.org, h.p.ID)
	require.ErrorContains(t, err, "lock timeout", "a second locker must wait for the first")
}
