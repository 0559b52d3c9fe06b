package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/openvest/openvest/internal/errcode"
	"github.com/openvest/openvest/internal/investing"
	"github.com/openvest/openvest/internal/store"
	"github.com/openvest/openvest/internal/testdb"
	"github.com/openvest/openvest/internal/webhook"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"
)

// TestCreateCustomerWithAccounts: the one-step creation (one statement on
// PostgreSQL, three on SQLite) writes what the three inserts write, each
// portfolio linked to its account, in the order asked, and answers a
// taken referenceId and a repeated investment type with Conflict, writing
// nothing.
func TestCreateCustomerWithAccounts(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, s *store.Store) {
		f := setup(t, s)
		at := time.Date(2030, 2, 3, 4, 5, 6, 789012000, time.UTC)
		build := func(ref *string, types ...investing.InvestmentType) (*investing.Customer, []*investing.Account, []*investing.Portfolio) {
			c := &investing.Customer{OrganizationID: f.org, FirstName: "Ada", LastName: "Mwale", ReferenceID: ref, Status: investing.Active, CreatedAt: at, UpdatedAt: at}
			as := make([]*investing.Account, len(types))
			ps := make([]*investing.Portfolio, len(types))
			for i, typ := range types {
				as[i] = &investing.Account{OrganizationID: f.org, InvestmentType: typ, Currency: investing.Currency("ZK"), Status: investing.Active, CreatedAt: at, UpdatedAt: at.Add(time.Second)}
				ps[i] = &investing.Portfolio{
					OrganizationID: f.org, InvestmentType: &as[i].InvestmentType, Currency: investing.USD, Status: investing.Active,
					InvestmentAmount: decimal.Zero, MarketValue: decimal.RequireFromString("0.00000001"), Performance: decimal.RequireFromString("-1.5"),
					CreatedAt: at, UpdatedAt: at.Add(time.Minute),
				}
			}
			return c, as, ps
		}
		ref := "ref-at-once"
		c, as, ps := build(&ref, investing.Bonds, investing.InternationalStocks, investing.Commodity)
		require.NoError(t, f.repo.WithTx(f.ctx, func(ctx context.Context) error {
			return f.repo.CreateCustomerWithAccounts(ctx, c, as, ps)
		}))
		require.NotZero(t, c.ID)
		got, err := f.repo.Customer(f.ctx, f.org, c.ID, false)
		require.NoError(t, err)
		require.Equal(t, *c, got)
		for i := range as {
			require.Equal(t, c.ID, as[i].CustomerID)
			if i > 0 {
				require.Greater(t, as[i].ID, as[i-1].ID, "accounts are written in the order asked")
			}
			a, err := f.repo.Account(f.ctx, f.org, as[i].ID, false)
			require.NoError(t, err)
			require.Equal(t, *as[i], a)
			require.Equal(t, investing.Currency("ZK"), a.Currency, "the spelling is kept")
			require.Equal(t, as[i].ID, *ps[i].AccountID)
			require.Equal(t, c.ID, ps[i].CustomerID)
			p, err := f.repo.Portfolio(f.ctx, f.org, ps[i].ID, false)
			require.NoError(t, err)
			requirePortfolio(t, *ps[i], p)
		}
		page, err := f.repo.ListPortfolios(f.ctx, f.org, c.ID, investing.PageRequest{Limit: 10})
		require.NoError(t, err)
		require.Len(t, page.Items, 3)
		require.EqualValues(t, 3, page.Total)

		// a taken referenceId, then a repeated investment type: Conflict, nothing written
		before, err := f.repo.ListCustomers(f.ctx, f.org, investing.CustomerFilter{}, investing.PageRequest{Limit: 10})
		require.NoError(t, err)
		c2, as2, ps2 := build(&ref, investing.Bonds)
		err = f.repo.WithTx(f.ctx, func(ctx context.Context) error { return f.repo.CreateCustomerWithAccounts(ctx, c2, as2, ps2) })
		requireCode(t, err, errcode.Conflict)
		c3, as3, ps3 := build(nil, investing.Bonds, investing.Bonds)
		err = f.repo.WithTx(f.ctx, func(ctx context.Context) error { return f.repo.CreateCustomerWithAccounts(ctx, c3, as3, ps3) })
		requireCode(t, err, errcode.Conflict)
		after, err := f.repo.ListCustomers(f.ctx, f.org, investing.CustomerFilter{}, investing.PageRequest{Limit: 10})
		require.NoError(t, err)
		require.Equal(t, before.Total, after.Total)
		require.Len(t, after.Items, len(before.Items))

		// no accounts: the customer alone
		c4, _, _ := build(nil)
		require.NoError(t, f.repo.CreateCustomerWithAccounts(f.ctx, c4, nil, nil))
		_, err = f.repo.Customer(f.ctx, f.org, c4.ID, false)
		require.NoError(t, err)
	})
}

// TestCustomerCreateReadsActiveWebhooks: on PostgreSQL the create's one
// statement also reads whether the organization has an active webhook and,
// when it has none, notes it in the transaction (webhook.NoteNoneActive),
// so that the create's events skip their statement; a deactivated webhook
// counts as none, an active one of another organization too.
func TestCustomerCreateReadsActiveWebhooks(t *testing.T) {
	t.Parallel()
	s := testdb.Postgres(t)
	f := setup(t, s)
	create := func(orgID int64) bool {
		t.Helper()
		c := &investing.Customer{OrganizationID: orgID, FirstName: "Ada", LastName: "Mwale", Status: investing.Active, CreatedAt: t0, UpdatedAt: t0}
		typ := investing.InternationalStocks
		as := []*investing.Account{{OrganizationID: orgID, InvestmentType: typ, Currency: investing.USD, Status: investing.Active, CreatedAt: t0, UpdatedAt: t0}}
		ps := []*investing.Portfolio{{OrganizationID: orgID, InvestmentType: &typ, Currency: investing.USD, Status: investing.Active, CreatedAt: t0, UpdatedAt: t0}}
		var none bool
		require.NoError(t, f.repo.WithTx(f.ctx, func(ctx context.Context) error {
			if err := f.repo.CreateCustomerWithAccounts(ctx, c, as, ps); err != nil {
				return err
			}
			none = webhook.TakeNoneActive(ctx, orgID)
			return nil
		}))
		return none
	}
	require.True(t, create(f.org), "no webhook at all")

	hook := func(orgID int64, st webhook.Status) {
		w := webhook.Webhook{OrganizationID: orgID, URL: "https://hooks.example.com/" + string(st), Subscriptions: []string{"ALL"}, Status: st, CreatedAt: t0, UpdatedAt: t0}
		require.NoError(t, s.Webhooks().CreateWebhook(f.ctx, &w))
	}
	hook(f.other, webhook.Active)
	require.True(t, create(f.org), "only another organization's webhook is active")
	hook(f.org, webhook.Deactived)
	require.True(t, create(f.org), "the organization's only webhook is deactivated")
	hook(f.org, webhook.Active)
	require.False(t, create(f.org), "the organization has an active webhook")
	require.False(t, create(f.other), "the other organization's is active too")
}
