package app_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/openvest/openvest/internal/apitest"
	"github.com/openvest/openvest/internal/app"
	"github.com/openvest/openvest/internal/auth"
	"github.com/openvest/openvest/internal/config"
	"github.com/openvest/openvest/internal/investing"
	"github.com/openvest/openvest/internal/store"
	"github.com/openvest/openvest/internal/testdb"
	"github.com/openvest/openvest/internal/trading"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"
)

// unitOfWork is a wired service (its job queue not started, so that jobs
// stay where they were inserted) with a sandbox organization subscribed to
// every event.
type unitOfWork struct {
	ctx context.Context
	a   *app.App
	org investing.Org
}

func setupUnitOfWork(t *testing.T, url string) unitOfWork {
	t.Helper()
	cfg := config.Config{DatabaseURL: url, DBMaxConns: 4, WebhookAllowPrivate: true, Scale: config.Scale{Pooler: config.PoolerNone, JobMaxConns: 4}}
	a, err := app.OpenWith(t.Context(), cfg, slog.New(slog.DiscardHandler), app.Options{Jobs: apitest.TestJobs()})
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, a.Close()) })
	ctx := t.Context()
	o, _, err := a.Auth.CreateOrganization(ctx, auth.NewOrganization{Name: t.Name(), InvestmentTypes: []string{"INTERNATIONAL_STOCKS"}, Sandbox: true})
	require.NoError(t, err)
	_, err = a.Webhooks.Create(ctx, o.ID, "http://127.0.0.1:9/hook", []string{"ALL"})
	require.NoError(t, err)
	org := investing.Org{ID: o.ID, InvestmentTypes: []investing.InvestmentType{investing.InternationalStocks}, Defaults: []investing.InvestmentType{investing.InternationalStocks}, Sandbox: true}
	return unitOfWork{ctx: ctx, a: a, org: org}
}

// rowCounts are the organization's rows a change of the investing and
// trading services writes, and the jobs of the queue (the database is the
// test's own).
type rowCounts struct {
	Customers, Accounts, Portfolios, Requests, Events, Deliveries, Jobs int64
}

// counts reads rowCounts in the transaction ctx carries (or a new one),
// through the raw transaction the job queue inserts with: what it sees is
// what River's inserts join.
func (u unitOfWork) counts(t *testing.T, ctx context.Context) rowCounts {
	t.Helper()
	var c rowCounts
	queries := []struct {
		dst   *int64
		query string
	}{
		{&c.Customers, "SELECT count(*) FROM customers WHERE organization_id = %d"},
		{&c.Accounts, "SELECT count(*) FROM accounts WHERE organization_id = %d"},
		{&c.Portfolios, "SELECT count(*) FROM portfolios WHERE organization_id = %d"},
		{&c.Requests, "SELECT count(*) FROM requests WHERE organization_id = %d"},
		{&c.Events, "SELECT count(*) FROM webhook_events WHERE organization_id = %d"},
		{&c.Deliveries, "SELECT count(*) FROM webhook_deliveries WHERE organization_id = %d"},
		{&c.Jobs, "SELECT count(*) FROM river_job WHERE %d > 0"},
	}
	st := u.a.Store
	require.NoError(t, st.WithTx(ctx, func(ctx context.Context) error {
		if st.Dialect == store.Postgres {
			return st.PgxTx(ctx, func(tx pgx.Tx) error {
				for _, q := range queries {
					if err := tx.QueryRow(ctx, fmt.Sprintf(q.query, u.org.ID)).Scan(q.dst); err != nil {
						return err
					}
				}
				return nil
			})
		}
		tx, err := st.SQLTx(ctx)
		if err != nil {
			return err
		}
		for _, q := range queries {
			if err := tx.QueryRowContext(ctx, fmt.Sprintf(q.query, u.org.ID)).Scan(q.dst); err != nil {
				return err
			}
		}
		return nil
	}))
	return c
}

// TestUnitOfWorkRollsBackRowsEventsAndJobs: a customer created by the
// investing service and a purchase by the trading service, in one unit of
// work, write their rows, their events, the events' deliveries and the
// jobs (the execution and the delivery attempts) in one transaction: all
// of it is visible inside, and none of it survives a later step's failure
// (as when the response for an idempotency key cannot be stored). The same
// work in a unit of work that succeeds commits all of it.
func TestUnitOfWorkRollsBackRowsEventsAndJobs(t *testing.T) {
	t.Parallel()
	for name, url := range map[string]func(t *testing.T) string{
		"postgres": func(t *testing.T) string { return testdb.FreshURL(t) },
		"sqlite":   func(t *testing.T) string { return "sqlite://" + filepath.Join(t.TempDir(), "openvest.db") },
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			u := setupUnitOfWork(t, url(t))
			before := u.counts(t, u.ctx)
			work := func(ctx context.Context) error {
				c, err := u.a.Investing.CreateCustomer(ctx, u.org, investing.NewCustomer{FirstName: "Ada", LastName: "Obi"})
				if err != nil {
					return err
				}
				_, err = u.a.Trading.CreatePurchase(ctx, u.org, trading.NewPurchase{
					CustomerID: c.ID, Currency: investing.USD, InstrumentID: 2, Amount: decimal.NewFromInt(50),
				})
				return err
			}
			// CUSTOMER.CREATED, ACCOUNT.CREATED, PORTFOLIO.CREATED and
			// REQUEST.CREATED, each with its delivery; one delivery job per
			// change (the customer's three events, the purchase's one) and
			// the purchase's execution job.
			want := rowCounts{
				Customers: before.Customers + 1, Accounts: before.Accounts + 1, Portfolios: before.Portfolios + 1,
				Requests: before.Requests + 1, Events: before.Events + 4, Deliveries: before.Deliveries + 4, Jobs: before.Jobs + 3,
			}

			boom := errors.New("the response could not be stored")
			err := u.a.Store.WithTx(u.ctx, func(ctx context.Context) error {
				require.NoError(t, work(ctx))
				require.Equal(t, want, u.counts(t, ctx), "inside the unit of work, everything it wrote is there")
				return boom
			})
			require.ErrorIs(t, err, boom)
			require.Equal(t, before, u.counts(t, u.ctx), "rows, events, deliveries and jobs rolled back together")

			require.NoError(t, u.a.Store.WithTx(u.ctx, work))
			require.Equal(t, want, u.counts(t, u.ctx), "and commit together")
		})
	}
}
