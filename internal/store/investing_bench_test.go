package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/openvest/openvest/internal/investing"
	"github.com/openvest/openvest/internal/testdb"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"
)

// BenchmarkCreateCustomerRows: the rows of POST /v1/customers (a customer,
// two accounts, their two portfolios) in one transaction on PostgreSQL,
// as the investing service writes them; -benchmem shows what the store
// allocates per customer.
func BenchmarkCreateCustomerRows(b *testing.B) {
	s := testdb.Postgres(b)
	org := newOrg(b, s, orgOpts{}).ID
	repo := s.Investing()
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Microsecond)
	b.ReportAllocs()
	for b.Loop() {
		err := repo.WithTx(ctx, func(ctx context.Context) error {
			c := investing.Customer{OrganizationID: org, FirstName: "Ada", LastName: "Mwale", Status: investing.Active, CreatedAt: now, UpdatedAt: now}
			if err := repo.CreateCustomer(ctx, &c); err != nil {
				return err
			}
			as := []*investing.Account{
				{OrganizationID: org, CustomerID: c.ID, InvestmentType: investing.InternationalStocks, Currency: investing.USD, Status: investing.Active, CreatedAt: now, UpdatedAt: now},
				{OrganizationID: org, CustomerID: c.ID, InvestmentType: investing.LocalStocks, Currency: investing.USD, Status: investing.Active, CreatedAt: now, UpdatedAt: now},
			}
			if err := repo.CreateAccounts(ctx, as); err != nil {
				return err
			}
			ps := make([]*investing.Portfolio, len(as))
			for i, a := range as {
				ps[i] = &investing.Portfolio{OrganizationID: org, CustomerID: c.ID, AccountID: &a.ID, InvestmentType: &a.InvestmentType,
					Currency: a.Currency, Status: a.Status, InvestmentAmount: decimal.Zero, MarketValue: decimal.Zero, Performance: decimal.Zero,
					CreatedAt: now, UpdatedAt: now}
			}
			return repo.CreatePortfolios(ctx, ps)
		})
		require.NoError(b, err)
	}
}
