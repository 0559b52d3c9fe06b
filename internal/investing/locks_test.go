package investing_test

import (
	"testing"

	"github.com/openvest/openvest/internal/errcode"
	"github.com/openvest/openvest/internal/investing"
	"github.com/openvest/openvest/internal/testdb"
	"github.com/stretchr/testify/require"
)

// TestRowLocks: each row a service method reads with its lock, another
// transaction changes at the same moment. The method must wait on that
// lock (not on a later write) and then decide on the committed change:
// without the lock it reads the old row and decides wrongly.
func TestRowLocks(t *testing.T) {
	t.Parallel()
	suspended, active := investing.Suspended, investing.Active
	usd := investing.Currency("USD")
	type row struct {
		customer  investing.Customer
		account   investing.Account
		portfolio investing.Portfolio
	}
	for _, tc := range []struct {
		name string
		// prepare changes the rows before the race (optional).
		prepare func(t *testing.T, b bundle, r row)
		table   string // the locked row's table
		hold    string // the other transaction's change of that row ($1: its id)
		id      func(r row) int64
		op      func(b bundle, r row) error
		want    string // the refusal the committed change must cause
	}{
		{
			name: "UpdateCustomer locks the customer", table: "customers",
			hold: `UPDATE customers SET status = 'CLOSED' WHERE id = ?`, id: func(r row) int64 { return r.customer.ID },
			op: func(b bundle, r row) error {
				_, err := b.svc.UpdateCustomer(b.ctx, b.org, investing.CustomerUpdate{ID: r.customer.ID, FirstName: ptr("Late")})
				return err
			},
			want: "is CLOSED, which is permanent",
		},
		{
			name: "CreateAccount locks the customer", table: "customers",
			hold: `UPDATE customers SET status = 'CLOSED' WHERE id = ?`, id: func(r row) int64 { return r.customer.ID },
			op: func(b bundle, r row) error {
				_, err := b.svc.CreateAccount(b.ctx, b.org, investing.NewAccount{CustomerID: r.customer.ID, Currency: usd, InvestmentType: investing.LocalStocks})
				return err
			},
			want: "cannot get new accounts",
		},
		{
			name: "CreatePortfolio locks the customer", table: "customers",
			hold: `UPDATE customers SET status = 'CLOSED' WHERE id = ?`, id: func(r row) int64 { return r.customer.ID },
			op: func(b bundle, r row) error {
				_, err := b.svc.CreatePortfolio(b.ctx, b.org, investing.NewPortfolio{CustomerID: r.customer.ID, Currency: usd})
				return err
			},
			want: "cannot get new portfolios",
		},
		{
			name: "UpdateAccount locks the customer", table: "customers",
			prepare: func(t *testing.T, b bundle, r row) {
				_, err := b.svc.UpdateAccount(b.ctx, b.org, investing.AccountUpdate{ID: r.account.ID, Status: &suspended})
				require.NoError(t, err)
			},
			hold: `UPDATE customers SET status = 'SUSPENDED' WHERE id = ?`, id: func(r row) int64 { return r.customer.ID },
			op: func(b bundle, r row) error {
				_, err := b.svc.UpdateAccount(b.ctx, b.org, investing.AccountUpdate{ID: r.account.ID, Status: &active})
				return err
			},
			want: "cannot be ACTIVE while customer",
		},
		{
			name: "UpdateAccount locks the account", table: "accounts",
			hold: `UPDATE accounts SET status = 'CLOSED' WHERE id = ?`, id: func(r row) int64 { return r.account.ID },
			op: func(b bundle, r row) error {
				_, err := b.svc.UpdateAccount(b.ctx, b.org, investing.AccountUpdate{ID: r.account.ID, Currency: &usd})
				return err
			},
			want: "is CLOSED, which is permanent",
		},
		{
			name: "UpdatePortfolio locks the customer", table: "customers",
			prepare: func(t *testing.T, b bundle, r row) {
				_, err := b.svc.UpdatePortfolio(b.ctx, b.org, investing.PortfolioUpdate{ID: r.portfolio.ID, Status: &suspended})
				require.NoError(t, err)
			},
			hold: `UPDATE customers SET status = 'SUSPENDED' WHERE id = ?`, id: func(r row) int64 { return r.customer.ID },
			op: func(b bundle, r row) error {
				_, err := b.svc.UpdatePortfolio(b.ctx, b.org, investing.PortfolioUpdate{ID: r.portfolio.ID, Status: &active})
				return err
			},
			want: "cannot be ACTIVE while customer",
		},
		{
			name: "UpdatePortfolio locks the account", table: "accounts",
			prepare: func(t *testing.T, b bundle, r row) {
				_, err := b.svc.UpdatePortfolio(b.ctx, b.org, investing.PortfolioUpdate{ID: r.portfolio.ID, Status: &suspended})
				require.NoError(t, err)
			},
			hold: `UPDATE accounts SET status = 'SUSPENDED' WHERE id = ?`, id: func(r row) int64 { return r.account.ID },
			op: func(b bundle, r row) error {
				_, err := b.svc.UpdatePortfolio(b.ctx, b.org, investing.PortfolioUpdate{ID: r.portfolio.ID, Status: &active})
				return err
			},
			want: "cannot be ACTIVE while account",
		},
		{
			name: "UpdatePortfolio locks the portfolio", table: "portfolios",
			hold: `UPDATE portfolios SET status = 'CLOSED' WHERE id = ?`, id: func(r row) int64 { return r.portfolio.ID },
			op: func(b bundle, r row) error {
				_, err := b.svc.UpdatePortfolio(b.ctx, b.org, investing.PortfolioUpdate{ID: r.portfolio.ID, Currency: &usd})
				return err
			},
			want: "is CLOSED, which is permanent",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b := setup(t)
			var r row
			r.customer = b.customer(t, customerOpts{})
			r.account = b.accountOf(t, r.customer.ID, investing.Bonds)
			r.portfolio = b.portfolioOf(t, r.account)
			if tc.prepare != nil {
				tc.prepare(t, b, r)
			}
			h := testdb.Hold(t, b.s, tc.hold, tc.id(r))
			err := h.RequireWaits(t, testdb.ForUpdate(tc.table), func() error { return tc.op(b, r) })
			requireCode(t, err, errcode.Conflict)
			require.ErrorContains(t, err, tc.want)
		})
	}
}
