package jobs_test

import (
	"context"
	"crypto/rand"
	"errors"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/openvest/openvest/internal/apitest"
	"github.com/openvest/openvest/internal/auth"
	"github.com/openvest/openvest/internal/investing"
	"github.com/openvest/openvest/internal/jobs"
	"github.com/openvest/openvest/internal/market"
	"github.com/openvest/openvest/internal/store"
	"github.com/openvest/openvest/internal/testdb"
	"github.com/openvest/openvest/internal/trading"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"
)

func TestMain(m *testing.M) { testdb.Main(m, "jobs") }

// bundle is a store, a job queue of the test's own, the trading service
// it executes with, and an organization with one customer.
type bundle struct {
	ctx      context.Context
	st       *store.Store
	queue    *jobs.Queue
	cfg      jobs.Config
	trading  *trading.Service
	org      investing.Org
	customer int64
}

// setup wires the queue; start says whether it works its jobs.
func setup(t *testing.T, st *store.Store, url string, start bool) bundle {
	t.Helper()
	return setupWith(t, st, url, start, func(*jobs.Config) {})
}

// setupWith is setup with the queue's configuration changed by tune.
func setupWith(t *testing.T, st *store.Store, url string, start bool, tune func(*jobs.Config)) bundle {
	t.Helper()
	ctx := t.Context()
	cfg := apitest.TestJobs()
	cfg.DatabaseURL, cfg.Logger = url, slog.New(slog.DiscardHandler)
	tune(&cfg)
	q, err := jobs.New(ctx, st, cfg)
	require.NoError(t, err)
	tr := trading.NewService(st.Trading(), market.NewSandbox(), q, time.Now)
	q.Register(tr)
	if start {
		require.NoError(t, q.Start(context.Background()))
	}
	t.Cleanup(func() { require.NoError(t, q.Stop(context.Background())) })

	o := auth.Organization{
		Name: "Org " + rand.Text()[:6], ClientID: "client_" + rand.Text(), Sandbox: true,
		InvestmentTypes: []string{"INTERNATIONAL_STOCKS"}, DefaultInvestmentTypes: []string{"INTERNATIONAL_STOCKS"},
		SignaturePolicy: auth.PolicyOptional, CreatedAt: time.Now().UTC(),
	}
	require.NoError(t, st.Auth().CreateOrganization(ctx, &o, auth.Hash("secret")))
	org := investing.Org{ID: o.ID, InvestmentTypes: []investing.InvestmentType{investing.InternationalStocks}, Defaults: []investing.InvestmentType{investing.InternationalStocks}, Sandbox: true}
	c, err := investing.NewService(st.Investing(), time.Now).CreateCustomer(ctx, org, investing.NewCustomer{FirstName: "Jane", LastName: "Banda"})
	require.NoError(t, err)
	return bundle{ctx: ctx, st: st, queue: q, cfg: cfg, trading: tr, org: org, customer: c.ID}
}

// jobsInQueue counts the test queue's jobs in the given states.
func (b bundle) jobsInQueue(t *testing.T, states ...string) int64 {
	t.Helper()
	var n int64
	require.NoError(t, b.st.DB.WithContext(b.ctx).Raw("SELECT count(*) FROM river_job WHERE queue = ? AND state IN ?", b.cfg.Queue, states).Scan(&n).Error)
	return n
}

func (b bundle) purchase(t *testing.T, amount string) trading.Request {
	t.Helper()
	r, err := b.trading.CreatePurchase(b.ctx, b.org, trading.NewPurchase{
		CustomerID: b.customer, Currency: investing.USD, InstrumentID: 2, Amount: decimal.RequireFromString(amount),
	})
	require.NoError(t, err)
	return r
}

func (b bundle) waitSettled(t *testing.T, id int64) trading.Request {
	t.Helper()
	var r trading.Request
	require.Eventually(t, func() bool {
		var err error
		r, err = b.trading.Request(b.ctx, b.org, id)
		require.NoError(t, err)
		return r.Status != trading.Pending
	}, 15*time.Second, 10*time.Millisecond)
	return r
}

func (b bundle) transactions(t *testing.T, requestID int64) []trading.Transaction {
	t.Helper()
	page, err := b.trading.Transactions(b.ctx, b.org, trading.TransactionFilter{RequestID: &requestID}, investing.PageRequest{Limit: 100})
	require.NoError(t, err)
	return page.Items
}

// TestEnqueueIsTransactional: the job is inserted in the transaction of
// the request; when that transaction rolls back, neither exists.
func TestEnqueueIsTransactional(t *testing.T) {
	t.Parallel()
	b := setup(t, testdb.Postgres(t), testdb.URL(), false)
	boom := errors.New("the response could not be stored")
	var rolledBack trading.Request
	err := b.st.WithTx(b.ctx, func(ctx context.Context) error {
		r, err := b.trading.CreatePurchase(ctx, b.org, trading.NewPurchase{
			CustomerID: b.customer, Currency: investing.USD, InstrumentID: 2, Amount: decimal.NewFromInt(50),
		})
		require.NoError(t, err)
		rolledBack = r
		return boom
	})
	require.ErrorIs(t, err, boom)
	_, err = b.trading.Request(b.ctx, b.org, rolledBack.ID)
	require.Error(t, err, "the request was rolled back")
	require.Zero(t, b.jobsInQueue(t, "available", "scheduled"), "and so was its job")

	r := b.purchase(t, "50")
	require.Equal(t, int64(1), b.jobsInQueue(t, "available"), "a committed request has its job")
	_, err = b.trading.Request(b.ctx, b.org, r.ID)
	require.NoError(t, err)
}

// TestSameJobTwiceFillsOnce: two jobs for the same execution (a retry, a
// duplicate) and concurrent direct executions fill the request once.
func TestSameJobTwiceFillsOnce(t *testing.T) {
	t.Parallel()
	b := setup(t, testdb.Postgres(t), testdb.URL(), false)
	r := b.purchase(t, "100")
	// A second job for the same execution, as a crash before River
	// recorded the first one's completion would leave.
	require.NoError(t, b.st.WithTx(b.ctx, func(ctx context.Context) error {
		return b.queue.Schedule(ctx, trading.Execution{OrganizationID: b.org.ID, RequestID: r.ID})
	}))
	require.Equal(t, int64(2), b.jobsInQueue(t, "available"))

	// Race them against direct executions of the same request.
	require.NoError(t, b.queue.Start(context.Background()))
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() { require.NoError(t, b.trading.ExecuteRequest(b.ctx, b.org.ID, r.ID, time.Time{})) })
	}
	wg.Wait()
	require.Equal(t, trading.Completed, b.waitSettled(t, r.ID).Status)
	require.Eventually(t, func() bool { return b.jobsInQueue(t, "completed") == 2 }, 15*time.Second, 10*time.Millisecond)

	txs := b.transactions(t, r.ID)
	require.Len(t, txs, 1, "one fill")
	assets, err := b.trading.Assets(b.ctx, b.org, trading.AssetFilter{CustomerID: &b.customer}, investing.PageRequest{Limit: 10})
	require.NoError(t, err)
	require.Len(t, assets.Items, 1)
	require.True(t, assets.Items[0].Quantity.Equal(txs[0].Quantity), "the holding is the one fill: %s vs %s", assets.Items[0].Quantity, txs[0].Quantity)
	got, err := b.trading.Request(b.ctx, b.org, r.ID)
	require.NoError(t, err)
	require.Equal(t, 1, got.Executions)
}

// TestSQLite runs the queue on the embedded SQLite database: River's
// migrations, a transactional insert and a worked job.
func TestSQLite(t *testing.T) {
	t.Parallel()
	st := testdb.SQLite(t)
	_, err := jobs.Migrate(t.Context(), st, "", slog.New(slog.DiscardHandler))
	require.NoError(t, err)
	b := setup(t, st, "", true)
	r := b.purchase(t, "25.50")
	got := b.waitSettled(t, r.ID)
	require.Equal(t, trading.Completed, got.Status, "%v", got.ErrorReason)
	require.Len(t, b.transactions(t, r.ID), 1)
}

// TestOverdueCyclesAreRescheduled: a recurring plan whose job was lost is
// picked up again by the sweep, and its cycle runs once.
func TestOverdueCyclesAreRescheduled(t *testing.T) {
	t.Parallel()
	url := testdb.FreshURL(t) // the sweep is global: keep other tests' plans out of it
	st, err := store.Open(url, store.Options{MaxConns: 4})
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	b := setup(t, st, url, false)
	r, err := b.trading.CreatePurchase(b.ctx, b.org, trading.NewPurchase{
		CustomerID: b.customer, Currency: investing.USD, InstrumentID: 2, Amount: decimal.RequireFromString("100"),
		IsRecurring: true, Schedule: ptr(trading.Weekly),
	})
	require.NoError(t, err)
	// The job of the first cycle is lost, and the cycle is now long overdue.
	require.NoError(t, st.DB.Exec("DELETE FROM river_job WHERE queue = ?", b.cfg.Queue).Error)
	due := time.Now().Add(-time.Hour).UTC().Truncate(time.Microsecond)
	require.NoError(t, st.DB.Exec("UPDATE requests SET next_execution_at = ? WHERE id = ?", due, r.ID).Error)

	n, err := b.trading.RescheduleOverdue(b.ctx)
	require.NoError(t, err)
	require.Equal(t, 1, n)
	require.NoError(t, b.queue.Start(context.Background()))
	require.Eventually(t, func() bool { return len(b.transactions(t, r.ID)) == 1 }, 15*time.Second, 10*time.Millisecond)

	got, err := b.trading.Request(b.ctx, b.org, r.ID)
	require.NoError(t, err)
	require.Equal(t, trading.Pending, got.Status, "a plan stays pending")
	require.Equal(t, 1, got.Executions)
	require.True(t, got.NextExecutionAt.After(due), "the next cycle is scheduled")
	// A second sweep finds nothing overdue.
	n, err = b.trading.RescheduleOverdue(b.ctx)
	require.NoError(t, err)
	require.Zero(t, n)
}

func ptr[T any](v T) *T { return &v }

// TestBatchedJobsFillOnce: the jobs of a customer's purchases, queued
// together, run as one batch: the first job fills them all (one executedAt),
// and every other job finds its request done and completes without a
// second fill.
func TestBatchedJobsFillOnce(t *testing.T) {
	t.Parallel()
	for name, open := range map[string]func(t *testing.T) bundle{
		"postgres": func(t *testing.T) bundle { return setup(t, testdb.Postgres(t), testdb.URL(), false) },
		"sqlite": func(t *testing.T) bundle {
			st := testdb.SQLite(t)
			_, err := jobs.Migrate(t.Context(), st, "", slog.New(slog.DiscardHandler))
			require.NoError(t, err)
			return setup(t, st, "", false)
		},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			b := open(t)
			const n = 12
			var ids []int64
			for i := range n {
				ids = append(ids, b.purchase(t, decimal.NewFromInt(int64(10+i)).String()).ID)
			}
			require.Equal(t, int64(n), b.jobsInQueue(t, "available"))
			require.NoError(t, b.queue.Start(context.Background()))
			for _, id := range ids {
				require.Equal(t, trading.Completed, b.waitSettled(t, id).Status)
			}
			require.Eventually(t, func() bool { return b.jobsInQueue(t, "completed") == n }, 15*time.Second, 10*time.Millisecond)
			require.Zero(t, b.jobsInQueue(t, "available", "running", "retryable", "scheduled"))

			executed := map[time.Time]bool{}
			total := decimal.Zero
			for _, id := range ids {
				txs := b.transactions(t, id)
				require.Len(t, txs, 1, "request %d: one fill", id)
				executed[txs[0].ExecutedAt] = true
				total = total.Add(txs[0].Quantity)
				got, err := b.trading.Request(b.ctx, b.org, id)
				require.NoError(t, err)
				require.Equal(t, 1, got.Executions)
			}
			require.Len(t, executed, 1, "one batch executed them all")
			assets, err := b.trading.Assets(b.ctx, b.org, trading.AssetFilter{CustomerID: &b.customer}, investing.PageRequest{Limit: 10})
			require.NoError(t, err)
			require.Len(t, assets.Items, 1)
			require.True(t, assets.Items[0].Quantity.Equal(total), "the holding is the sum of the fills: %s vs %s", assets.Items[0].Quantity, total)
		})
	}
}
