package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/openvest/openvest/internal/investing"
	"github.com/openvest/openvest/internal/store"
	"github.com/stretchr/testify/require"
)

// TestWithTxJoinsServiceTransactions: the writes a service makes inside
// WithTx commit or roll back with it, so that another write (an
// idempotency record) can be made atomic with them.
func TestWithTxJoinsServiceTransactions(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, s *store.Store) {
		f := setup(t, s)
		svc := investing.NewService(s.Investing(), func() time.Time { return t0 })
		org := investing.Org{ID: f.org, InvestmentTypes: []investing.InvestmentType{investing.Bonds}, Defaults: []investing.InvestmentType{investing.Bonds}}
		count := func() int64 {
			p, err := f.repo.ListCustomers(f.ctx, f.org, investing.CustomerFilter{}, investing.PageRequest{Limit: 100})
			require.NoError(t, err)
			return p.Total
		}

		boom := errors.New("the response could not be stored")
		err := s.WithTx(f.ctx, func(ctx context.Context) error {
			c, err := svc.CreateCustomer(ctx, org, investing.NewCustomer{FirstName: "A", LastName: "B"})
			require.NoError(t, err)
			// Inside the transaction the customer and its account exist.
			accounts, err := svc.Accounts(ctx, org, &c.ID, investing.PageRequest{Limit: 10})
			require.NoError(t, err)
			require.Len(t, accounts.Items, 1)
			return boom
		})
		require.ErrorIs(t, err, boom)
		require.Zero(t, count(), "the customer was rolled back with the transaction")
		accounts, err := f.repo.ListAccounts(f.ctx, f.org, nil, investing.PageRequest{Limit: 10})
		require.NoError(t, err)
		require.Empty(t, accounts.Items, "and so were its account")

		require.NoError(t, s.WithTx(f.ctx, func(ctx context.Context) error {
			_, err := svc.CreateCustomer(ctx, org, investing.NewCustomer{FirstName: "A", LastName: "B"})
			return err
		}))
		require.Equal(t, int64(1), count())
	})
}
