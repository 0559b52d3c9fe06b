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
	for name, tc := range map[string]struct {
		op   func(tr trader) error
		want string
	}{
		"Cancel locks the request": {
			op:   func(tr trader) error { _, err := tr.svc.Cancel(tr.ctx, tr.org, tr.request.ID); return err },
			want: "is CANCELED: only PENDING requests can be canceled",
		},
		"ForceOutcome locks the request": {
			op: func(tr trader) error {
				_, err := tr.svc.ForceOutcome(tr.ctx, tr.org, tr.request.ID, trading.Completed, "")
				return err
			},
			want: "is CANCELED: only PENDING requests can be forced",
		},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			tr := setupTrader(t)
			h := testdb.Hold(t, tr.s, canceled, tr.request.ID)
			err := h.RequireWaits(t, testdb.ForUpdate("requests"), func() error { return tc.op(tr) })
			require.True(t, errcode.Is(err, errcode.Conflict), "%v", err)
			require.ErrorContains(t, err, tc.want)
		})
	}
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

// held executes the trader's purchase and returns the asset it made.
func (tr trader) held(t *testing.T) trading.Asset {
	t.Helper()
	require.NoError(t, tr.svc.ExecuteRequest(tr.ctx, tr.org.ID, tr.request.ID, time.Time{}))
	page, err := tr.svc.Assets(tr.ctx, tr.org, trading.AssetFilter{}, investing.PageRequest{Limit: 10})
	require.NoError(t, err)
	require.Len(t, page.Items, 1)
	return page.Items[0]
}

// otherPortfolio is a second portfolio of the customer, in USD, with no account.
func (tr trader) otherPortfolio(t *testing.T) investing.Portfolio {
	t.Helper()
	p, err := investing.NewService(tr.s.Investing(), time.Now).CreatePortfolio(tr.ctx, tr.org, investing.NewPortfolio{CustomerID: tr.customer.ID, Currency: "USD"})
	require.NoError(t, err)
	return p
}

// TestAssetRowLocks: another transaction changes the asset while a method
// that locks it runs; the method waits on its lock and works on the
// committed quantity.
func TestAssetRowLocks(t *testing.T) {
	t.Parallel()
	const doubled = `UPDATE assets SET quantity = quantity * 2 WHERE id = ?`
	t.Run("a sell's execution locks the asset", func(t *testing.T) {
		t.Parallel()
		tr := setupTrader(t)
		a := tr.held(t)
		all := decimal.NewFromInt(100)
		sell, err := tr.svc.CreateSell(tr.ctx, tr.org, trading.NewSell{CustomerID: tr.customer.ID, Currency: "USD", AssetID: a.ID, Percentage: &all})
		require.NoError(t, err)
		other := tr.otherPortfolio(t)
		// The asset is attached to another portfolio meanwhile: the sell
		// must follow it there, which it learns only from the locked read.
		h := testdb.Hold(t, tr.s, `UPDATE assets SET portfolio_id = ? WHERE id = ?`, other.ID, a.ID)
		require.NoError(t, h.RequireWaits(t, testdb.ForUpdate("assets"), func() error {
			return tr.svc.ExecuteRequest(tr.ctx, tr.org.ID, sell.ID, time.Time{})
		}))
		r, err := tr.svc.Request(tr.ctx, tr.org, sell.ID)
		require.NoError(t, err)
		require.Equal(t, trading.Completed, r.Status, "error reason: %v", ptrValue(r.ErrorReason))
		got, err := tr.svc.Asset(tr.ctx, tr.org, a.ID)
		require.NoError(t, err)
		require.Equal(t, other.ID, got.PortfolioID)
		require.True(t, got.Quantity.IsZero(), "the asset sold where it is now: %s left", got.Quantity)
	})
	t.Run("AttachAsset locks the portfolio", func(t *testing.T) {
		t.Parallel()
		tr := setupTrader(t)
		a, other := tr.held(t), tr.otherPortfolio(t)
		h := testdb.Hold(t, tr.s, `UPDATE portfolios SET status = 'SUSPENDED' WHERE id = ?`, other.ID)
		err := h.RequireWaits(t, testdb.ForUpdate("portfolios"), func() error {
			_, err := tr.svc.AttachAsset(tr.ctx, tr.org, tr.customer.ID, other.ID, a.ID)
			return err
		})
		require.True(t, errcode.Is(err, errcode.Conflict), "%v", err)
		require.ErrorContains(t, err, "assets can be attached to ACTIVE portfolios only")
	})
	t.Run("AttachAsset locks the asset", func(t *testing.T) {
		t.Parallel()
		tr := setupTrader(t)
		a, other := tr.held(t), tr.otherPortfolio(t)
		h := testdb.Hold(t, tr.s, doubled, a.ID)
		require.NoError(t, h.RequireWaits(t, testdb.ForUpdate("assets"), func() error {
			_, err := tr.svc.AttachAsset(tr.ctx, tr.org, tr.customer.ID, other.ID, a.ID)
			return err
		}))
		got, err := tr.svc.Asset(tr.ctx, tr.org, a.ID)
		require.NoError(t, err)
		require.Equal(t, other.ID, got.PortfolioID)
		require.Equal(t, a.Quantity.Mul(decimal.NewFromInt(2)).String(), got.Quantity.String(), "the quantity committed meanwhile is not lost")
	})
}

func ptrValue(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
