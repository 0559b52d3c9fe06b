package store_test

import (
	"testing"
	"time"

	"github.com/openvest/openvest/internal/errcode"
	"github.com/openvest/openvest/internal/investing"
	"github.com/openvest/openvest/internal/store"
	"github.com/openvest/openvest/internal/testdb"
	"github.com/openvest/openvest/internal/trading"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"
)

// holding is one customer's account, portfolio and asset of instrument 1.
type holding struct {
	c investing.Customer
	a investing.Account
	p investing.Portfolio
	x trading.Asset
}

func (f fixture) holding(t *testing.T, orgID int64) holding {
	t.Helper()
	c := f.customer(t, orgID, customerOpts{})
	a := f.account(t, c, investing.InternationalStocks, accountOpts{})
	p := f.portfolio(t, c, portfolioOpts{Account: &a})
	x := trading.Asset{
		OrganizationID: orgID, CustomerID: c.ID, AccountID: a.ID, PortfolioID: p.ID, InstrumentID: 1, Symbol: "AAPL",
		Currency: investing.USD, Quantity: decimal.RequireFromString("0.12345678"), AverageCost: decimal.RequireFromString("230.0000046"),
		InvestmentAmount: decimal.RequireFromString("28.40"), MarketValue: decimal.RequireFromString("28.40"), CreatedAt: t0, UpdatedAt: t0,
	}
	require.NoError(t, f.s.Trading().CreateAsset(f.ctx, &x))
	return holding{c: c, a: a, p: p, x: x}
}

func TestTradingRepository(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, s *store.Store) {
		f := setup(t, s)
		repo := s.Trading()
		h := f.holding(t, f.org)

		// Assets keep every digit and are scoped by organization.
		got, err := repo.Asset(f.ctx, f.org, h.x.ID, false)
		require.NoError(t, err)
		require.Equal(t, "0.12345678", got.Quantity.String())
		require.Equal(t, "230.0000046", got.AverageCost.String())
		_, err = repo.Asset(f.ctx, f.other, h.x.ID, false)
		require.True(t, errcode.Is(err, errcode.NotFound))
		_, found, err := repo.AssetOf(f.ctx, f.org, h.p.ID, 1)
		require.NoError(t, err)
		require.True(t, found)
		dup := h.x
		require.True(t, errcode.Is(repo.CreateAsset(f.ctx, &dup), errcode.Conflict), "one asset per instrument per portfolio")

		amount := decimal.RequireFromString("90071992547409.93")
		next := t0.Add(7 * 24 * time.Hour)
		r := trading.Request{
			OrganizationID: f.org, CustomerID: h.c.ID, AccountID: h.a.ID, PortfolioID: h.p.ID, Type: trading.Purchase, Status: trading.Pending,
			Currency: investing.ZMW, InstrumentID: 1, Symbol: "AAPL", PurchaseAmount: &amount, IsRecurring: true, Schedule: trading.Weekly,
			NextExecutionAt: &next, CreatedAt: t0, UpdatedAt: t0,
		}
		require.NoError(t, repo.CreateRequest(f.ctx, &r))
		back, err := repo.Request(f.ctx, f.org, r.ID, true)
		require.NoError(t, err)
		require.Equal(t, "90071992547409.93", back.PurchaseAmount.String())
		back.PurchaseAmount = r.PurchaseAmount // same value; PostgreSQL reads it back at the column's scale
		require.Equal(t, r, back)
		_, err = repo.Request(f.ctx, f.other, r.ID, false)
		require.True(t, errcode.Is(err, errcode.NotFound))

		due, err := repo.DueRequests(f.ctx, f.org, next.Add(-time.Second))
		require.NoError(t, err)
		require.Empty(t, due)
		due, err = repo.DueRequests(f.ctx, f.org, next)
		require.NoError(t, err)
		require.Len(t, due, 1)

		status := trading.Pending
		page, err := repo.ListRequests(f.ctx, f.org, trading.RequestFilter{CustomerID: &h.c.ID, Status: &status}, investing.PageRequest{Limit: 10})
		require.NoError(t, err)
		require.Len(t, page.Items, 1)

		// One transaction per request cycle.
		tx := trading.Transaction{
			OrganizationID: f.org, CustomerID: h.c.ID, AccountID: h.a.ID, PortfolioID: h.p.ID, RequestID: r.ID, AssetID: &h.x.ID,
			InstrumentID: 1, Symbol: "AAPL", Type: trading.Purchase, Status: trading.TxCompleted, Currency: investing.ZMW,
			Amount: amount, Rate: decimal.RequireFromString("0.0378"), Price: decimal.RequireFromString("230"), Quantity: decimal.RequireFromString("0.1"),
			Value: decimal.RequireFromString("23"), Uninvested: decimal.Zero, Cycle: 1, ExecutedAt: t0, CreatedAt: t0, UpdatedAt: t0,
		}
		require.NoError(t, repo.CreateTransaction(f.ctx, &tx))
		again := tx
		require.True(t, errcode.Is(repo.CreateTransaction(f.ctx, &again), errcode.Conflict), "the cycle has run")
		txs, err := repo.ListTransactions(f.ctx, f.org, trading.TransactionFilter{RequestID: &r.ID}, investing.PageRequest{Limit: 10})
		require.NoError(t, err)
		require.Len(t, txs.Items, 1)
		require.Equal(t, "90071992547409.93", txs.Items[0].Amount.String())
		one, err := repo.Transaction(f.ctx, f.org, tx.ID)
		require.NoError(t, err)
		require.Equal(t, tx.ID, one.ID)
		_, err = repo.Transaction(f.ctx, f.other, tx.ID)
		require.True(t, errcode.Is(err, errcode.NotFound), "another organization's transaction")

		// A pending sell of the asset, in ZK: found for its asset and
		// organization only, and it keeps the spelling.
		pct := decimal.RequireFromString("25")
		sell := trading.Request{
			OrganizationID: f.org, CustomerID: h.c.ID, AccountID: h.a.ID, PortfolioID: h.p.ID, Type: trading.Sell, Status: trading.Pending,
			Currency: investing.ZK, InstrumentID: 1, Symbol: "AAPL", AssetID: &h.x.ID, SellPercentage: &pct, Schedule: trading.Once,
			CreatedAt: t0, UpdatedAt: t0,
		}
		require.NoError(t, repo.CreateRequest(f.ctx, &sell))
		sells, err := repo.PendingSells(f.ctx, f.org, []int64{h.x.ID})
		require.NoError(t, err)
		require.Len(t, sells, 1)
		require.Equal(t, investing.ZK, sells[0].Currency)
		sells, err = repo.PendingSells(f.ctx, f.other, []int64{h.x.ID})
		require.NoError(t, err)
		require.Empty(t, sells)
		var stored string
		require.NoError(t, s.DB.Raw("SELECT currency FROM requests WHERE id = ?", sell.ID).Scan(&stored).Error)
		require.Equal(t, "ZMW", stored, "the ISO code is what the column holds")

		// Sandbox state.
		off, err := repo.ClockOffset(f.ctx, f.org)
		require.NoError(t, err)
		require.Zero(t, off)
		require.NoError(t, repo.SetClockOffset(f.ctx, f.org, time.Hour, t0))
		require.NoError(t, repo.SetClockOffset(f.ctx, f.org, 3*time.Hour, t0))
		off, err = repo.ClockOffset(f.ctx, f.org)
		require.NoError(t, err)
		require.Equal(t, 3*time.Hour, off)
		require.NoError(t, repo.SetPriceOverride(f.ctx, f.org, 1, decimal.RequireFromString("1.23456789"), t0))
		prices, err := repo.PriceOverrides(f.ctx, f.org)
		require.NoError(t, err)
		require.Equal(t, "1.23456789", prices[1].String())
		others, err := repo.PriceOverrides(f.ctx, f.other)
		require.NoError(t, err)
		require.Empty(t, others)
		deleted, err := repo.DeletePriceOverride(f.ctx, f.org, 1)
		require.NoError(t, err)
		require.True(t, deleted)
		deleted, err = repo.DeletePriceOverride(f.ctx, f.org, 1)
		require.NoError(t, err)
		require.False(t, deleted)
	})
}

// TestTradingConstraints: the database refuses what the service never writes.
func TestTradingConstraints(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, s *store.Store) {
		f := setup(t, s)
		h := f.holding(t, f.org)
		insert := func(cols string, vals ...any) error {
			args := append([]any{f.org, h.c.ID, h.a.ID, h.p.ID}, vals...)
			args = append(args, t0, t0)
			return f.exec(`INSERT INTO requests (organization_id, customer_id, account_id, portfolio_id, `+cols+`, created_at, updated_at)
				VALUES (?, ?, ?, ?`+repeat(", ?", len(vals))+`, ?, ?)`, args...)
		}
		base := "request_type, status, currency, instrument_id, symbol"
		require.NoError(t, insert(base+", purchase_amount", "PURCHASE", "PENDING", "USD", 1, "AAPL", "10"))
		require.Error(t, insert(base+", purchase_amount", "PURCHASE", "PENDING", "USD", 1, "AAPL", "-10"), "negative amount")
		require.Error(t, insert(base, "PURCHASE", "PENDING", "USD", 1, "AAPL"), "a purchase without an amount")
		require.Error(t, insert(base+", purchase_amount, schedule", "PURCHASE", "PENDING", "USD", 1, "AAPL", "10", "WEEKLY"), "a schedule without isRecurring")
		require.Error(t, insert(base+", purchase_amount", "PURCHASE", "ERROR", "USD", 1, "AAPL", "10"), "ERROR without a reason")
		require.Error(t, insert(base+", purchase_amount", "PURCHASE", "DONE", "USD", 1, "AAPL", "10"), "unknown status")
		require.Error(t, insert(base+", asset_id, sell_amount, sell_percentage", "SELL", "PENDING", "USD", 1, "AAPL", h.x.ID, "1", "50"), "both sell amounts")
		require.NoError(t, insert(base+", asset_id, sell_percentage", "SELL", "PENDING", "USD", 1, "AAPL", h.x.ID, "50"))
		require.Error(t, f.exec(`UPDATE assets SET quantity = '-1' WHERE id = ?`, h.x.ID), "negative quantity")
		// Another organization's customer cannot own the request.
		other := f.customer(t, f.other, customerOpts{})
		require.Error(t, f.exec(`INSERT INTO requests (organization_id, customer_id, account_id, portfolio_id, request_type, status, currency, instrument_id, symbol, purchase_amount, created_at, updated_at)
			VALUES (?, ?, ?, ?, 'PURCHASE', 'PENDING', 'USD', 1, 'AAPL', '1', ?, ?)`, f.org, other.ID, h.a.ID, h.p.ID, t0, t0))
	})
}

func repeat(s string, n int) string {
	out := ""
	for range n {
		out += s
	}
	return out
}

// TestTradingOneStatementReads: the reads an execution and a new request
// make in one statement find the portfolio only when the customer and the
// account are ACTIVE, and SandboxState is ClockOffset and PriceOverrides.
func TestTradingOneStatementReads(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, s *store.Store) {
		f := setup(t, s)
		repo := s.Trading()
		h := f.holding(t, f.org)
		p, ok, err := repo.ActivePortfolioOfAccount(f.ctx, f.org, h.c.ID, h.a.ID, true)
		require.NoError(t, err)
		require.True(t, ok)
		require.Equal(t, h.p.ID, p.ID)
		p, ok, err = repo.ActivePortfolioOfType(f.ctx, f.org, h.c.ID, investing.InternationalStocks)
		require.NoError(t, err)
		require.True(t, ok)
		require.Equal(t, h.p.ID, p.ID)
		_, ok, err = repo.ActivePortfolioOfType(f.ctx, f.org, h.c.ID, investing.Bonds)
		require.NoError(t, err)
		require.False(t, ok, "no account of that type")

		closed := f.customer(t, f.org, customerOpts{Status: investing.Closed})
		ca := f.account(t, closed, investing.InternationalStocks, accountOpts{})
		f.portfolio(t, closed, portfolioOpts{Account: &ca})
		_, ok, err = repo.ActivePortfolioOfAccount(f.ctx, f.org, closed.ID, ca.ID, true)
		require.NoError(t, err)
		require.False(t, ok, "a CLOSED customer")
		_, ok, err = repo.ActivePortfolioOfType(f.ctx, f.org, closed.ID, investing.InternationalStocks)
		require.NoError(t, err)
		require.False(t, ok, "a CLOSED customer")

		active := f.customer(t, f.org, customerOpts{})
		suspended := f.account(t, active, investing.InternationalStocks, accountOpts{Status: investing.Suspended})
		f.portfolio(t, active, portfolioOpts{Account: &suspended})
		_, ok, err = repo.ActivePortfolioOfAccount(f.ctx, f.org, active.ID, suspended.ID, false)
		require.NoError(t, err)
		require.False(t, ok, "a SUSPENDED account")
		_, ok, err = repo.ActivePortfolioOfType(f.ctx, f.org, active.ID, investing.InternationalStocks)
		require.NoError(t, err)
		require.False(t, ok, "a SUSPENDED account")

		d, prices, err := repo.SandboxState(f.ctx, f.org)
		require.NoError(t, err)
		require.Zero(t, d)
		require.Empty(t, prices)
		require.NoError(t, repo.SetPriceOverride(f.ctx, f.org, 1, decimal.RequireFromString("123.45"), t0))
		require.NoError(t, repo.SetPriceOverride(f.ctx, f.org, 2, decimal.RequireFromString("7"), t0))
		d, prices, err = repo.SandboxState(f.ctx, f.org)
		require.NoError(t, err)
		require.Zero(t, d, "prices without a clock")
		require.Len(t, prices, 2)
		require.Equal(t, "123.45", prices[1].String())
		require.Equal(t, "7", prices[2].String())
		require.NoError(t, repo.SetClockOffset(f.ctx, f.org, 90*time.Minute, t0))
		d, prices, err = repo.SandboxState(f.ctx, f.org)
		require.NoError(t, err)
		require.Equal(t, 90*time.Minute, d)
		require.Len(t, prices, 2)
		require.NoError(t, repo.SetClockOffset(f.ctx, f.other, time.Hour, t0))
		d, prices, err = repo.SandboxState(f.ctx, f.other)
		require.NoError(t, err)
		require.Equal(t, time.Hour, d, "a clock without prices")
		require.Empty(t, prices)
	})
}

// TestRequestKeysOnPostgres: a request's portfolio must be its customer's,
// in its organization (00027: one key to the customer's portfolio stands
// for the keys to the organization, the customer and the portfolio).
func TestRequestKeysOnPostgres(t *testing.T) {
	t.Parallel()
	s := testdb.Postgres(t)
	f := setup(t, s)
	mine, theirs, elsewhere := f.holding(t, f.org), f.holding(t, f.org), f.holding(t, f.other)
	require.NoError(t, f.insertRequest(mine, "PURCHASE", "PENDING"))
	for name, h := range map[string]holding{
		"another customer's portfolio":       {c: mine.c, a: mine.a, p: theirs.p},
		"another organization's portfolio":   {c: mine.c, a: mine.a, p: elsewhere.p},
		"a customer of another organization": {c: elsewhere.c, a: mine.a, p: mine.p},
	} {
		err := f.insertRequest(h, "PURCHASE", "PENDING")
		require.Error(t, err, name)
		require.Contains(t, err.Error(), "23503", name) // foreign_key_violation
	}
}
