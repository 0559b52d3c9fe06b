package jobs_test

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/openvest/openvest/internal/apitest"
	"github.com/openvest/openvest/internal/investing"
	"github.com/openvest/openvest/internal/jobs"
	"github.com/openvest/openvest/internal/market"
	"github.com/openvest/openvest/internal/store"
	"github.com/openvest/openvest/internal/testdb"
	"github.com/openvest/openvest/internal/trading"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"
)

// TestPeriodicOncePerCluster: three replicas on one database register the
// same periodic task; it runs once (the leader alone inserts it), where
// per-process tickers ran it three times.
func TestPeriodicOncePerCluster(t *testing.T) {
	t.Parallel()
	url := testdb.FreshURL(t) // a database of its own: one leader election
	cfg := apitest.TestJobs()
	cfg.DatabaseURL, cfg.Logger = url, slog.New(slog.DiscardHandler)
	var runs atomic.Int64
	queues := make([]*jobs.Queue, 3)
	for i := range queues {
		st, err := store.Open(url, store.Options{MaxConns: 4})
		require.NoError(t, err)
		t.Cleanup(func() { _ = st.Close() })
		q, err := jobs.New(t.Context(), st, cfg)
		require.NoError(t, err)
		q.Register(trading.NewService(st.Trading(), market.NewSandbox(), q, time.Now))
		require.NoError(t, q.Every("count", time.Hour, func(context.Context) error { runs.Add(1); return nil }))
		require.ErrorContains(t, q.Every("count", time.Hour, func(context.Context) error { return nil }), "registered twice")
		queues[i] = q
	}
	for _, q := range queues {
		require.NoError(t, q.Start(context.Background()))
	}
	require.Eventually(t, func() bool { return runs.Load() >= 1 }, 30*time.Second, 20*time.Millisecond)
	for _, q := range queues {
		require.NoError(t, q.Stop(context.Background()))
	}
	st, err := store.Open(url, store.Options{MaxConns: 1})
	require.NoError(t, err)
	defer st.Close()
	var n int64
	require.NoError(t, st.DB.Raw("SELECT count(*) FROM river_job WHERE kind = 'periodic_task'").Scan(&n).Error)
	require.Equal(t, int64(1), n, "one job inserted for the cluster")
	require.Equal(t, int64(1), runs.Load(), "one run for the cluster")
}

// TestRescheduleUniquePerCycle: replicas rescheduling the same overdue
// cycle at once insert one job for it, and the cycle executes once.
func TestRescheduleUniquePerCycle(t *testing.T) {
	t.Parallel()
	url := testdb.URL()
	var (
		stores []*store.Store
		bs     []bundle
	)
	for range 3 {
		st, err := store.Open(url, store.Options{MaxConns: 4})
		require.NoError(t, err)
		t.Cleanup(func() { _ = st.Close() })
		stores = append(stores, st)
	}
	first := setup(t, stores[0], url, false)
	bs = append(bs, first)
	for _, st := range stores[1:] {
		cfg := first.cfg // the same queue: replicas of one service
		q, err := jobs.New(t.Context(), st, cfg)
		require.NoError(t, err)
		tr := trading.NewService(st.Trading(), market.NewSandbox(), q, time.Now)
		q.Register(tr)
		t.Cleanup(func() { require.NoError(t, q.Stop(context.Background())) })
		b := first
		b.st, b.queue, b.trading = st, q, tr
		bs = append(bs, b)
	}
	r, err := first.trading.CreatePurchase(first.ctx, first.org, trading.NewPurchase{
		CustomerID: first.customer, Currency: investing.USD, InstrumentID: 2, Amount: decimal.RequireFromString("100"),
		IsRecurring: true, Schedule: ptr(trading.Weekly),
	})
	require.NoError(t, err)
	require.NoError(t, first.st.DB.Exec("DELETE FROM river_job WHERE queue = ?", first.cfg.Queue).Error)
	due := time.Now().Add(-time.Hour).UTC().Truncate(time.Microsecond)
	require.NoError(t, first.st.DB.Exec("UPDATE requests SET next_execution_at = ? WHERE id = ?", due, r.ID).Error)

	var wg sync.WaitGroup
	counts := make([]int, len(bs))
	errs := make([]error, len(bs))
	for i, b := range bs {
		wg.Add(1)
		go func() { defer wg.Done(); counts[i], errs[i] = b.trading.RescheduleOverdue(b.ctx) }()
	}
	wg.Wait()
	for i := range bs {
		require.NoError(t, errs[i])
		require.Equal(t, 1, counts[i], "each replica saw the overdue cycle")
	}
	require.Equal(t, int64(1), first.jobsInQueue(t, "available", "scheduled"), "one job for the cycle")
	for _, b := range bs {
		require.NoError(t, b.queue.Start(context.Background()))
	}
	require.Eventually(t, func() bool { return len(first.transactions(t, r.ID)) == 1 }, 15*time.Second, 10*time.Millisecond)
	got, err := first.trading.Request(first.ctx, first.org, r.ID)
	require.NoError(t, err)
	require.Equal(t, 1, got.Executions)
}
