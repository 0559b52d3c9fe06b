package store_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/openvest/openvest/internal/investing"
	"github.com/openvest/openvest/internal/store"
	"github.com/openvest/openvest/internal/txn"
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

// TestAfterCommitRunsOnceCommitted: a function registered in a unit of
// work runs after its commit (the pool then sees the row), not before, and
// never when it rolls back; without a unit of work it runs at once.
func TestAfterCommitRunsOnceCommitted(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		b := make([]byte, 4)
		_, _ = rand.Read(b)
		table := "after_commit_probe_" + hex.EncodeToString(b)
		require.NoError(t, s.DB.WithContext(ctx).Exec("CREATE TABLE "+table+" (id integer NOT NULL)").Error)
		t.Cleanup(func() { _ = s.DB.Exec("DROP TABLE " + table).Error })
		insert := func(ctx context.Context) error { // in the transaction ctx carries
			q := "INSERT INTO " + table + " VALUES (1)"
			if s.Dialect == store.Postgres {
				return s.PgxTx(ctx, func(tx pgx.Tx) error { _, err := tx.Exec(ctx, q); return err })
			}
			tx, err := s.SQLTx(ctx)
			if err != nil {
				return err
			}
			_, err = tx.ExecContext(ctx, q)
			return err
		}
		rows := func() (n int64) {
			require.NoError(t, s.DB.WithContext(ctx).Table(table).Count(&n).Error)
			return n
		}
		ran, seen := 0, int64(-1)
		require.NoError(t, s.WithTx(ctx, func(ctx context.Context) error {
			if err := insert(ctx); err != nil {
				return err
			}
			txn.AfterCommit(ctx, func() { ran++; seen = rows() })
			require.Zero(t, ran, "not before the commit")
			return nil
		}))
		require.Equal(t, 1, ran)
		require.Equal(t, int64(1), seen, "the change is committed when it runs")

		rolledBack := 0
		require.Error(t, s.WithTx(ctx, func(ctx context.Context) error {
			txn.AfterCommit(ctx, func() { rolledBack++ })
			return errors.New("roll back")
		}))
		require.Zero(t, rolledBack, "a rolled-back unit of work runs none")

		direct := 0
		txn.AfterCommit(ctx, func() { direct++ })
		require.Equal(t, 1, direct, "without a unit of work: at once")
	})
}
