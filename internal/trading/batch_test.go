package trading_test

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/openvest/openvest/internal/auth"
	"github.com/openvest/openvest/internal/event"
	"github.com/openvest/openvest/internal/investing"
	"github.com/openvest/openvest/internal/market"
	"github.com/openvest/openvest/internal/store"
	"github.com/openvest/openvest/internal/testdb"
	"github.com/openvest/openvest/internal/trading"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"
)

// recorder is an event.Emitter that keeps what it is given; fail, when
// set, refuses an emission (the change rolls back).
type recorder struct {
	mu     sync.Mutex
	events []event.Event
	fail   func(events []event.Event) error
}

func (r *recorder) Emit(_ context.Context, _ int64, events ...event.Event) error {
	if r.fail != nil {
		if err := r.fail(events); err != nil {
			return err
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, events...)
	return nil
}

// desk is an organization with one customer (an INTERNATIONAL_STOCKS
// account) on a store, a trading service on a fixed clock, and the events
// it emitted.
type desk struct {
	ctx      context.Context
	s        *store.Store
	svc      *trading.Service
	org      investing.Org
	customer investing.Customer
	rec      *recorder
}

var batchClock = time.Date(2026, 3, 2, 15, 4, 5, 0, time.UTC)

func newDesk(t testing.TB, s *store.Store) desk {
	t.Helper()
	stocks := investing.InternationalStocks
	a := auth.Organization{
		Name: "Org " + rand.Text()[:6], ClientID: "client_" + rand.Text(), Sandbox: true,
		InvestmentTypes: []string{string(stocks)}, DefaultInvestmentTypes: []string{string(stocks)},
		SignaturePolicy: auth.PolicyOptional, CreatedAt: time.Now().UTC(),
	}
	require.NoError(t, s.Auth().CreateOrganization(t.Context(), &a, auth.Hash("secret")))
	org := investing.Org{ID: a.ID, InvestmentTypes: []investing.InvestmentType{stocks}, Defaults: []investing.InvestmentType{stocks}, Sandbox: true}
	now := func() time.Time { return batchClock }
	c, err := investing.NewService(s.Investing(), now).CreateCustomer(t.Context(), org, investing.NewCustomer{FirstName: "Jane", LastName: "Banda"})
	require.NoError(t, err)
	rec := &recorder{}
	svc := trading.NewService(s.Trading(), market.NewSandbox(), noScheduler{}, now).WithEvents(rec)
	return desk{ctx: t.Context(), s: s, svc: svc, org: org, customer: c, rec: rec}
}

// purchases places the same mix on a desk: fractional instruments (two of
// them, one in EUR), a whole-share one, and one a purchase cannot fill (50
// USD of GE at about 175 USD a share, whole shares only: it FAILS).
func (d desk) purchases(t testing.TB) []trading.Request {
	t.Helper()
	mix := []struct {
		instrument int64
		currency   investing.Currency
		amount     string
	}{
		{1, "USD", "100"}, {1, "USD", "33.33"}, {2, "EUR", "250.10"}, {24, "USD", "100"},
		{27, "USD", "50"}, {1, "EUR", "12.34"}, {2, "USD", "1"}, {24, "USD", "45.99"}, {1, "USD", "999.99"},
	}
	var out []trading.Request
	for _, m := range mix {
		r, err := d.svc.CreatePurchase(d.ctx, d.org, trading.NewPurchase{CustomerID: d.customer.ID, Currency: m.currency, InstrumentID: m.instrument, Amount: decimal.RequireFromString(m.amount)})
		require.NoError(t, err)
		out = append(out, r)
	}
	return out
}

// outcome is everything an execution wrote for the desk's customer, with
// the ids of the organization's rows left out and money as the API
// writes it (decimal strings): comparable between two desks.
type outcome struct {
	Requests, Transactions, Assets, Portfolio, Events []string
}

func (d desk) outcome(t *testing.T) outcome {
	t.Helper()
	var o outcome
	reqs, err := d.svc.Requests(d.ctx, d.org, trading.RequestFilter{}, investing.PageRequest{Limit: 100})
	require.NoError(t, err)
	for _, r := range reqs.Items {
		o.Requests = append(o.Requests, anon(t, requestOf(r)))
	}
	txs, err := d.svc.Transactions(d.ctx, d.org, trading.TransactionFilter{}, investing.PageRequest{Limit: 100})
	require.NoError(t, err)
	for _, x := range txs.Items {
		o.Transactions = append(o.Transactions, anon(t, transactionOf(x)))
	}
	assets, err := d.svc.Assets(d.ctx, d.org, trading.AssetFilter{}, investing.PageRequest{Limit: 100})
	require.NoError(t, err)
	for _, a := range assets.Items {
		o.Assets = append(o.Assets, anon(t, assetOf(a)))
	}
	ps, err := d.s.Investing().ListPortfolios(d.ctx, d.org.ID, d.customer.ID, investing.PageRequest{Limit: 10})
	require.NoError(t, err)
	for _, p := range ps.Items {
		o.Portfolio = append(o.Portfolio, anon(t, portfolioOf(p)))
	}
	d.rec.mu.Lock()
	defer d.rec.mu.Unlock()
	for _, e := range d.rec.events {
		var v any
		switch e := e.(type) {
		case trading.RequestCreated:
			continue // the same path on both desks
		case trading.RequestUpdated:
			v = requestOf(e.Request)
		case trading.TransactionCreated:
			v = transactionOf(e.Transaction)
		case trading.AssetCreated:
			v = assetOf(e.Asset)
		case trading.AssetUpdated:
			v = assetOf(e.Asset)
		case investing.PortfolioUpdated:
			v = portfolioOf(e.Portfolio)
		default:
			t.Fatalf("unexpected event %T", e)
		}
		o.Events = append(o.Events, e.EventName()+" "+anon(t, v))
	}
	return o
}

func anon(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return string(b)
}

func requestOf(r trading.Request) trading.Request {
	r.ID, r.OrganizationID, r.CustomerID, r.AccountID, r.PortfolioID = 0, 0, 0, 0, 0
	return r
}

func transactionOf(x trading.Transaction) trading.Transaction {
	x.ID, x.OrganizationID, x.CustomerID, x.AccountID, x.PortfolioID, x.RequestID, x.AssetID = 0, 0, 0, 0, 0, 0, nil
	return x
}

func assetOf(a trading.Asset) trading.Asset {
	a.ID, a.OrganizationID, a.CustomerID, a.AccountID, a.PortfolioID = 0, 0, 0, 0, 0
	return a
}

func portfolioOf(p investing.Portfolio) investing.Portfolio {
	p.ID, p.OrganizationID, p.CustomerID, p.AccountID = 0, 0, 0, nil
	return p
}

var batchStores = map[string]func(testing.TB) *store.Store{"postgres": testdb.Postgres, "sqlite": testdb.SQLite}

// TestBatchIsSingleExecutions: one batch of a customer's purchases writes
// exactly what executing them one by one writes — transactions, holdings,
// portfolio values, request statuses and every event, in order — and
// takes every PENDING purchase of the account.
func TestBatchIsSingleExecutions(t *testing.T) {
	t.Parallel()
	for name, open := range batchStores {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s := open(t)
			single, batch := newDesk(t, s), newDesk(t, s)
			for _, r := range single.purchases(t) {
				require.NoError(t, single.svc.ExecuteRequest(single.ctx, single.org.ID, r.ID, time.Time{}))
			}
			rs := batch.purchases(t)
			// The batch of a purchase in the middle of the run takes them all.
			require.NoError(t, batch.svc.ExecuteBatch(batch.ctx, batch.org.ID, rs[3].ID))
			want, got := single.outcome(t), batch.outcome(t)
			require.Len(t, got.Transactions, len(rs))
			require.Contains(t, got.Requests[4], `"Status":"ERROR"`, "the GE purchase fails in the batch too")
			require.Equal(t, want, got)
			// The other purchases' own jobs find nothing to do.
			for _, r := range rs {
				require.NoError(t, batch.svc.ExecuteBatch(batch.ctx, batch.org.ID, r.ID))
				require.NoError(t, batch.svc.ExecuteRequest(batch.ctx, batch.org.ID, r.ID, time.Time{}))
			}
			require.Equal(t, want, batch.outcome(t), "executing them again changed nothing")
		})
	}
}

// TestBatchFailureRollsBack: when the batch fails (here its emission is
// refused), nothing of it stays, and the request executes alone.
func TestBatchFailureRollsBack(t *testing.T) {
	t.Parallel()
	for name, open := range batchStores {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s := open(t)
			single, batch := newDesk(t, s), newDesk(t, s)
			one := single.purchases(t)[2]
			require.NoError(t, single.svc.ExecuteRequest(single.ctx, single.org.ID, one.ID, time.Time{}))
			rs := batch.purchases(t)
			refused := 0
			batch.rec.fail = func(events []event.Event) error {
				if len(events) > 4 { // a batch's emission; one execution emits 4
					refused++
					return errors.New("the outbox refuses the batch")
				}
				return nil
			}
			require.NoError(t, batch.svc.ExecuteBatch(batch.ctx, batch.org.ID, rs[2].ID))
			require.Equal(t, 1, refused, "the batch ran and failed")
			require.Equal(t, single.outcome(t), batch.outcome(t), "only the request itself executed, alone")
			for i, r := range rs {
				got, err := batch.svc.Request(batch.ctx, batch.org, r.ID)
				require.NoError(t, err)
				if i != 2 {
					require.Equal(t, trading.Pending, got.Status, "request %d", i)
				}
			}
		})
	}
}

// TestConcurrentBatchesFillOnce: the jobs of every purchase of one account
// run at once, as batches and as single executions: each purchase is
// filled once, and the holding is the sum of the fills.
func TestConcurrentBatchesFillOnce(t *testing.T) {
	t.Parallel()
	for name, open := range batchStores {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			d := newDesk(t, open(t))
			var rs []trading.Request
			for range 3 {
				rs = append(rs, d.purchases(t)...)
			}
			var wg sync.WaitGroup
			errs := make(chan error, 2*len(rs))
			for i, r := range rs {
				wg.Go(func() { errs <- d.svc.ExecuteBatch(d.ctx, d.org.ID, r.ID) })
				if i%3 == 0 {
					wg.Go(func() { errs <- d.svc.ExecuteRequest(d.ctx, d.org.ID, r.ID, time.Time{}) })
				}
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				require.NoError(t, err)
			}
			txs, err := d.svc.Transactions(d.ctx, d.org, trading.TransactionFilter{}, investing.PageRequest{Limit: 100})
			require.NoError(t, err)
			require.Len(t, txs.Items, len(rs), "one transaction per purchase")
			held := map[int64]decimal.Decimal{}
			seen := map[int64]bool{}
			for _, x := range txs.Items {
				require.False(t, seen[x.RequestID], "request %d filled twice", x.RequestID)
				seen[x.RequestID] = true
				held[x.InstrumentID] = held[x.InstrumentID].Add(x.Quantity)
			}
			assets, err := d.svc.Assets(d.ctx, d.org, trading.AssetFilter{}, investing.PageRequest{Limit: 100})
			require.NoError(t, err)
			for _, a := range assets.Items {
				require.True(t, held[a.InstrumentID].Equal(a.Quantity), "%s: held %s, filled %s", a.Symbol, a.Quantity, held[a.InstrumentID])
			}
			for _, r := range rs {
				got, err := d.svc.Request(d.ctx, d.org, r.ID)
				require.NoError(t, err)
				require.NotEqual(t, trading.Pending, got.Status)
				require.Equal(t, 1, got.Executions, fmt.Sprintf("request %d", r.ID))
			}
		})
	}
}

// TestBatchLocks: a batch waits on the portfolio's lock as the single path
// does, and leaves a request another transaction holds to it instead of
// waiting for it while holding the portfolio.
func TestBatchLocks(t *testing.T) {
	t.Parallel()
	t.Run("a batch locks the portfolio", func(t *testing.T) {
		t.Parallel()
		tr := setupTrader(t)
		h := testdb.Hold(t, tr.s, `UPDATE portfolios SET status = 'SUSPENDED' WHERE id = ?`, tr.request.PortfolioID)
		require.NoError(t, h.RequireWaits(t, testdb.ForUpdate("portfolios"), func() error {
			return tr.svc.ExecuteBatch(tr.ctx, tr.org.ID, tr.request.ID)
		}))
		r, err := tr.svc.Request(tr.ctx, tr.org, tr.request.ID)
		require.NoError(t, err)
		require.Equal(t, trading.Failed, r.Status, "a portfolio suspended meanwhile does not trade")
		require.Contains(t, *r.ErrorReason, "only ACTIVE portfolios can trade")
	})
	t.Run("a request another transaction holds runs alone, after it", func(t *testing.T) {
		t.Parallel()
		tr := setupTrader(t)
		h := testdb.Hold(t, tr.s, `UPDATE requests SET status = 'CANCELED' WHERE id = ?`, tr.request.ID)
		require.NoError(t, h.RequireWaits(t, testdb.ForUpdate("requests"), func() error {
			return tr.svc.ExecuteBatch(tr.ctx, tr.org.ID, tr.request.ID)
		}))
		r, err := tr.svc.Request(tr.ctx, tr.org, tr.request.ID)
		require.NoError(t, err)
		require.Equal(t, trading.Canceled, r.Status, "a request canceled meanwhile does not execute")
		txs, err := tr.svc.Transactions(tr.ctx, tr.org, trading.TransactionFilter{}, investing.PageRequest{Limit: 10})
		require.NoError(t, err)
		require.Empty(t, txs.Items)
	})
	t.Run("a batch skips a request another transaction holds", func(t *testing.T) {
		t.Parallel()
		tr := setupTrader(t)
		other, err := tr.svc.CreatePurchase(tr.ctx, tr.org, trading.NewPurchase{CustomerID: tr.customer.ID, Currency: "USD", InstrumentID: tr.request.InstrumentID, Amount: decimal.NewFromInt(50)})
		require.NoError(t, err)
		h := testdb.Hold(t, tr.s, `UPDATE requests SET status = 'CANCELED' WHERE id = ?`, other.ID)
		done := make(chan error, 1)
		go func() { done <- tr.svc.ExecuteBatch(tr.ctx, tr.org.ID, tr.request.ID) }()
		select {
		case err := <-done:
			require.NoError(t, err)
		case <-time.After(10 * time.Second):
			h.Commit(t)
			t.Fatal("the batch waited on the request another transaction holds")
		}
		h.Commit(t)
		r, err := tr.svc.Request(tr.ctx, tr.org, tr.request.ID)
		require.NoError(t, err)
		require.Equal(t, trading.Completed, r.Status)
		o, err := tr.svc.Request(tr.ctx, tr.org, other.ID)
		require.NoError(t, err)
		require.Equal(t, trading.Canceled, o.Status)
		txs, err := tr.svc.Transactions(tr.ctx, tr.org, trading.TransactionFilter{RequestID: &other.ID}, investing.PageRequest{Limit: 10})
		require.NoError(t, err)
		require.Empty(t, txs.Items, "the held request was not filled")
	})
}

// BenchmarkRequestRead: the first statement of every execution job (and
// the only one of a job whose request a batch executed), on PostgreSQL;
// -benchmem shows what it allocates.
func BenchmarkRequestRead(b *testing.B) {
	d := newDesk(b, testdb.Postgres(b))
	r := d.purchases(b)[0]
	repo := d.s.Trading()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := repo.Request(d.ctx, d.org.ID, r.ID, false); err != nil {
			b.Fatal(err)
		}
	}
}
