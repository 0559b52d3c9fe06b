package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/openvest/openvest/internal/investing"
	"github.com/openvest/openvest/internal/store"
	"github.com/openvest/openvest/internal/testdb"
	"github.com/stretchr/testify/require"
)

// TestCreatesLockNoSharedRow (00029): creating a customer with its
// accounts locks neither its organization's row nor the investment types'
// (a foreign-key check's FOR KEY SHARE, held to the end of the transaction,
// made overlapping creates of one organization a MultiXact each): while
// the create's transaction is open, another transaction takes both FOR
// UPDATE without waiting. And no hot table keeps a key to either.
func TestCreatesLockNoSharedRow(t *testing.T) {
	t.Parallel()
	s, err := store.Open(testdb.FreshURL(t), store.Options{MaxConns: 3})
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	_, err = s.Migrate(t.Context())
	require.NoError(t, err)
	f := setup(t, s) // a database of its own: no other test locks its investment types

	created, checked := make(chan struct{}), make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- s.WithTx(f.ctx, func(ctx context.Context) error {
			c := &investing.Customer{OrganizationID: f.org, FirstName: "Ada", LastName: "Mwale", Status: investing.Active, CreatedAt: t0, UpdatedAt: t0}
			var as []*investing.Account
			var ps []*investing.Portfolio
			for _, typ := range []investing.InvestmentType{investing.Bonds, investing.InternationalStocks} {
				a := &investing.Account{OrganizationID: f.org, InvestmentType: typ, Currency: investing.USD, Status: investing.Active, CreatedAt: t0, UpdatedAt: t0}
				as = append(as, a)
				ps = append(ps, &investing.Portfolio{OrganizationID: f.org, InvestmentType: &a.InvestmentType, Currency: investing.USD, Status: investing.Active, CreatedAt: t0, UpdatedAt: t0})
			}
			if err := f.repo.CreateCustomerWithAccounts(ctx, c, as, ps); err != nil {
				return err
			}
			close(created)
			select {
			case <-checked:
			case <-time.After(30 * time.Second): // the test failed before checking: do not hold the connection for ever
			}
			return nil
		})
	}()
	select {
	case <-created:
	case err := <-done:
		t.Fatalf("the create failed: %v", err)
	}
	lockErr := s.DB.WithContext(f.ctx).Exec(`SELECT 1 FROM organizations WHERE id = ? FOR UPDATE NOWAIT`, f.org).Error
	typesErr := s.DB.WithContext(f.ctx).Exec(`SELECT 1 FROM investment_types WHERE name IN ('BONDS', 'INTERNATIONAL_STOCKS') FOR UPDATE NOWAIT`).Error
	close(checked)
	require.NoError(t, <-done)
	require.NoError(t, lockErr, "the open create holds no lock on its organization's row")
	require.NoError(t, typesErr, "the open create holds no lock on the investment types' rows")

	var keys []string
	require.NoError(t, s.DB.WithContext(f.ctx).Raw(`SELECT conrelid::regclass::text || ' → ' || confrelid::regclass::text FROM pg_constraint
WHERE contype = 'f' AND confrelid IN ('organizations'::regclass, 'investment_types'::regclass)
  AND conrelid IN ('customers'::regclass, 'accounts'::regclass, 'assets'::regclass, 'transactions'::regclass,
                   'banking_customers'::regclass, 'inspected_requests'::regclass, 'idempotency_keys'::regclass)`).Scan(&keys).Error)
	require.Empty(t, keys, "a hot table's key to a row every create of an organization shares")
}
