package trading_test

import (
	"context"
	"crypto/rand"
	"testing"
	"time"

	"github.com/openvest/openvest/internal/auth"
	"github.com/openvest/openvest/internal/errcode"
	"github.com/openvest/openvest/internal/investing"
	"github.com/openvest/openvest/internal/market"
	"github.com/openvest/openvest/internal/store"
	"github.com/openvest/openvest/internal/testdb"
	"github.com/openvest/openvest/internal/trading"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"
)

func TestMain(m *testing.M) { testdb.Main(m, "trading") }

// noScheduler leaves executions to the test, which calls ExecuteRequest.
type noScheduler struct{}

func (noScheduler) Schedule(context.Context, trading.Execution) error { return nil }

// trader is a sandbox organization with one customer (an
// INTERNATIONAL_STOCKS account) and a PENDING purchase of 100 USD of AAPL.
type trader struct {
	ctx      context.Context
	s        *store.Store
	svc      *trading.Service
	org      investing.Org
	customer investing.Customer
	request  trading.Request
}

func setupTrader(t *testing.T) trader {
	t.Helper()
	s := testdb.Postgres(t)
	stocks := investing.InvestmentType("INTERNATIONAL_STOCKS")
	a := auth.Organization{
		Name: "Org " + rand.Text()[:6], ClientID: "client_" + rand.Text(), Sandbox: true,
		InvestmentTypes: []string{string(stocks)}, DefaultInvestmentTypes: []string{string(stocks)},
		SignaturePolicy: auth.PolicyOptional, CreatedAt: time.Now().UTC(),
	}
	require.NoError(t, s.Auth().CreateOrganization(t.Context(), &a, auth.Hash("secret")))
	org := investing.Org{ID: a.ID, InvestmentTypes: []investing.InvestmentType{stocks}, Defaults: []investing.InvestmentType{stocks}, Sandbox: true}
	c, err := investing.NewService(s.Investing(), time.Now).CreateCustomer(t.Context(), org, investing.NewCustomer{FirstName: "Jane", LastName: "Banda"})
	require.NoError(t, err)
	svc := trading.NewService(s.Trading(), market.NewSandbox(), noScheduler{}, time.Now)
	q, err := svc.Instrument(t.Context(), org, "AAPL")
	require.NoError(t, err)
	r, err := svc.CreatePurchase(t.Context(), org, trading.NewPurchase{CustomerID: c.ID, Currency: "USD", InstrumentID: q.ID, Amount: decimal.NewFromInt(100)})
	require.NoError(t, err)
	return trader{ctx: t.Context(), s: s, svc: svc, org: org, customer: c, request: r}
}

// TestRowLocks: another transaction changes the request or the portfolio
// while a method that locks it runs; the method waits on its lock and
// then decides on the committed row.
func TestRowLocks(t *testing.T) {
	t.Parallel()
	const canceled = `UPDATE requests SET status = 'CANCELED' WHERE id = ?`
	t.Run("Cancel locks the request", func(t *testing.T) {
		t.Parallel()
		tr := setupTrader(t)
		h := testdb.Hold(t, tr.s, canceled, tr.request.ID)
		err := h.RequireWaits(t, testdb.ForUpdate("requests"), func() error {
			_, err := tr.svc.Cancel(tr.ctx, tr.org, tr.request.ID)
			return err
		})
		require.True(t, errcode.Is(err, errcode.Conflict), "%v", err)
		require.ErrorContains(t, err, "is CANCELED: only PENDING requests can be canceled")
	})
	t.Run("ForceOutcome locks the request", func(t *testing.T) {
		t.Parallel()
		tr := setupTrader(t)
		h := testdb.Hold(t, tr.s, canceled, tr.request.ID)
		err := h.RequireWaits(t, testdb.ForUpdate("requests"), func() error {
			_, err := tr.svc.ForceOutcome(tr.ctx, tr.org, tr.request.ID, trading.Completed, "")
			return err
		})
		require.True(t, errcode.Is(err, errcode.Conflict), "%v", err)
		require.ErrorContains(t, err, "is CANCELED: only PENDING requests can be forced")
	})
	t.Run("ExecuteRequest locks the request", func(t *testing.T) {
		t.Parallel()
		tr := setupTrader(t)
		h := testdb.Hold(t, tr.s, canceled, tr.request.ID)
		require.NoError(t, h.RequireWaits(t, testdb.ForUpdate("requests"), func() error {
			return tr.svc.ExecuteRequest(tr.ctx, tr.org.ID, tr.request.ID, time.Time{})
		}))
		r, err := tr.svc.Request(tr.ctx, tr.org, tr.request.ID)
		require.NoError(t, err)
		require.Equal(t, trading.Canceled, r.Status, "a request canceled meanwhile does not execute")
		txs, err := tr.svc.Transactions(tr.ctx, tr.org, trading.TransactionFilter{}, investing.PageRequest{Limit: 10})
		require.NoError(t, err)
		require.Empty(t, txs.Items)
	})
	t.Run("an execution locks the portfolio", func(t *testing.T) {
		t.Parallel()
		tr := setupTrader(t)
		h := testdb.Hold(t, tr.s, `UPDATE portfolios SET status = 'SUSPENDED' WHERE id = ?`, tr.request.PortfolioID)
		require.NoError(t, h.RequireWaits(t, testdb.ForUpdate("portfolios"), func() error {
			return tr.svc.ExecuteRequest(tr.ctx, tr.org.ID, tr.request.ID, time.Time{})
		}))
		r, err := tr.svc.Request(tr.ctx, tr.org, tr.request.ID)
		require.NoError(t, err)
		require.Equal(t, trading.Failed, r.Status, "a portfolio suspended meanwhile does not trade")
		require.Contains(t, *r.ErrorReason, "only ACTIVE portfolios can trade")
		p, err := tr.s.Investing().Portfolio(tr.ctx, tr.org.ID, tr.request.PortfolioID, false)
		require.NoError(t, err)
		require.Equal(t, investing.Suspended, p.Status)
	})
}
