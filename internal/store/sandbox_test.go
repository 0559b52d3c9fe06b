package store_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/openvest/openvest/internal/errcode"
	"github.com/openvest/openvest/internal/sandbox"
	"github.com/openvest/openvest/internal/store"
	"github.com/stretchr/testify/require"
)

// TestResetCoversEveryTable: every table with an organization_id column is
// either emptied by a reset or explicitly kept, and the lists name only
// tables that exist, on both dialects. A new table of organization data
// fails here until it is added to store.ResetTables (or store.KeepTables).
func TestResetCoversEveryTable(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, s *store.Store) {
		tables, err := s.OrganizationTables(t.Context())
		require.NoError(t, err)
		require.Contains(t, tables, "customers", "the query finds the tables")
		listed := map[string]string{}
		for _, tb := range store.ResetTables {
			require.NotContains(t, listed, tb, "%s is listed twice", tb)
			listed[tb] = "reset"
		}
		for _, tb := range store.KeepTables {
			require.NotContains(t, listed, tb, "%s is both reset and kept", tb)
			listed[tb] = "keep"
		}
		for _, tb := range tables {
			require.Contains(t, listed, tb, "table %s has an organization_id column: add it to store.ResetTables (or, if a reset must keep it, to store.KeepTables)", tb)
		}
		for tb := range listed {
			if store.PostgresOnlyTables[tb] && s.Dialect != store.Postgres {
				continue
			}
			require.Contains(t, tables, tb, "store lists %s, which has no organization_id column in this database", tb)
		}
	})
}

// TestResetOrganization: a reset deletes the organization's rows (the
// list totals with them) and keeps another organization's and its own
// credentials.
func TestResetOrganization(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, s *store.Store) {
		f := setup(t, s)
		for _, org := range []int64{f.org, f.other} {
			c := f.customer(t, org, customerOpts{})
			a := f.account(t, c, "INTERNATIONAL_STOCKS", accountOpts{})
			f.portfolio(t, c, portfolioOpts{Account: &a})
			f.customer(t, org, customerOpts{Status: "SUSPENDED"})
		}
		count := func(org int64) (customers, accounts, total int64) {
			if s.Dialect != store.Postgres { // SQLite counts its lists
				total = -1
			}
			require.NoError(t, s.DB.Raw("SELECT count(*) FROM customers WHERE organization_id = ?", org).Scan(&customers).Error)
			require.NoError(t, s.DB.Raw("SELECT count(*) FROM accounts WHERE organization_id = ?", org).Scan(&accounts).Error)
			// the maintained total of the customer list: the sum of its status keys (00028)
			if total == 0 {
				require.NoError(t, s.DB.Raw("SELECT coalesce(sum(n), 0) FROM list_counts WHERE organization_id = ? AND list = 'customers'", org).Scan(&total).Error)
			}
			return customers, accounts, total
		}
		oc, oa, ot := count(f.other)
		if s.Dialect == store.Postgres {
			require.Equal(t, []int64{2, 1, 2}, []int64{oc, oa, ot})
		}

		deleted, err := s.Sandbox().ResetOrganization(f.ctx, f.org)
		require.NoError(t, err)
		require.Equal(t, map[string]int64{"customers": 2, "accounts": 1, "portfolios": 1}, deleted)
		c, a, n := count(f.org)
		require.Equal(t, []int64{0, 0}, []int64{c, a})
		if s.Dialect == store.Postgres {
			require.Zero(t, n)
			var counters int64
			require.NoError(t, s.DB.Raw("SELECT count(*) FROM list_counts WHERE organization_id = ?", f.org).Scan(&counters).Error)
			require.Zero(t, counters, "no rows of zeros are left behind")
		}
		c, a, n = count(f.other)
		require.Equal(t, []int64{oc, oa, ot}, []int64{c, a, n}, "another organization is untouched")
		var orgs int64
		require.NoError(t, s.DB.Raw("SELECT count(*) FROM organizations WHERE id = ?", f.org).Scan(&orgs).Error)
		require.Equal(t, int64(1), orgs, "the organization itself stays")
	})
}

func newRule(org int64, times *int) *sandbox.Rule {
	return &sandbox.Rule{
		OrganizationID: org, Target: sandbox.Request, OperationID: "createCustomer", Action: sandbox.Status, Status: 503,
		Times: times, Remaining: times, ExpiresAt: t0.Add(time.Hour), CreatedAt: t0,
	}
}

// TestFaultRules: rules round-trip, are the organization's own (another
// organization's id finds nothing and deletes nothing), leave the list
// when used up or expired, and are bounded in number.
func TestFaultRules(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, s *store.Store) {
		f := setup(t, s)
		repo := s.Sandbox()
		ppm := 250_000
		one := 1
		r := newRule(f.org, &one)
		r.ProbabilityPPM, r.Message = ppm, "down"
		require.NoError(t, repo.CreateFault(f.ctx, r, t0))
		require.NotZero(t, r.ID)
		got, err := repo.Faults(f.ctx, f.org, t0)
		require.NoError(t, err)
		require.Equal(t, []sandbox.Rule{*r}, got)
		other, err := repo.Faults(f.ctx, f.other, t0)
		require.NoError(t, err)
		require.Empty(t, other)
		requireCode(t, repo.DeleteFault(f.ctx, f.other, r.ID, t0), errcode.NotFound)
		_, ok, err := repo.ConsumeFault(f.ctx, f.other, r.ID, t0)
		require.NoError(t, err)
		require.False(t, ok, "another organization cannot use the rule")

		expired, err := repo.Faults(f.ctx, f.org, t0.Add(time.Hour))
		require.NoError(t, err)
		require.Empty(t, expired, "an expired rule is not listed")
		left, ok, err := repo.ConsumeFault(f.ctx, f.org, r.ID, t0)
		require.NoError(t, err)
		require.True(t, ok)
		require.Zero(t, left)
		_, ok, err = repo.ConsumeFault(f.ctx, f.org, r.ID, t0)
		require.NoError(t, err)
		require.False(t, ok, "used up")
		got, err = repo.Faults(f.ctx, f.org, t0)
		require.NoError(t, err)
		require.Empty(t, got, "a used-up rule is not listed")
		requireCode(t, repo.DeleteFault(f.ctx, f.org, r.ID, t0), errcode.NotFound)

		// The purge removes used-up and expired rules, and only those.
		live := newRule(f.org, nil)
		require.NoError(t, repo.CreateFault(f.ctx, live, t0))
		expiring := newRule(f.other, nil)
		expiring.ExpiresAt = t0.Add(time.Minute)
		require.NoError(t, repo.CreateFault(f.ctx, expiring, t0))
		_, err = repo.PurgeFaults(f.ctx, t0.Add(time.Minute))
		require.NoError(t, err)
		var ids []int64
		require.NoError(t, s.DB.Raw("SELECT id FROM sandbox_faults WHERE id IN (?, ?, ?)", r.ID, live.ID, expiring.ID).Scan(&ids).Error)
		require.Equal(t, []int64{live.ID}, ids, "the used-up and the expired rules are purged")
		require.NoError(t, repo.DeleteFault(f.ctx, f.org, live.ID, t0))

		for range sandbox.MaxActive {
			require.NoError(t, repo.CreateFault(f.ctx, newRule(f.org, nil), t0))
		}
		requireCode(t, repo.CreateFault(f.ctx, newRule(f.org, nil), t0), errcode.Conflict)
		require.NoError(t, repo.CreateFault(f.ctx, newRule(f.other, nil), t0), "the limit is per organization")
	})
}

// TestConsumeFaultConcurrently: concurrent applications of a rule with 5
// left take exactly 5 between them.
func TestConsumeFaultConcurrently(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, s *store.Store) {
		f := setup(t, s)
		repo := s.Sandbox()
		five := 5
		r := newRule(f.org, &five)
		require.NoError(t, repo.CreateFault(f.ctx, r, t0))
		var (
			wg    sync.WaitGroup
			mu    sync.Mutex
			taken []int
		)
		for range 20 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				left, ok, err := repo.ConsumeFault(context.Background(), f.org, r.ID, t0)
				require.NoError(t, err)
				if ok {
					mu.Lock()
					taken = append(taken, left)
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		require.ElementsMatch(t, []int{4, 3, 2, 1, 0}, taken)
	})
}
