package sandbox

import (
	"context"
	"testing"
	"time"

	"github.com/openvest/openvest/internal/errcode"
	"github.com/openvest/openvest/internal/txn"
	"github.com/stretchr/testify/require"
)

// rulesRepo keeps rules in memory: enough for the decisions of Apply,
// which the store's tests and the HTTP tests check on both databases.
type rulesRepo struct {
	rules  []Rule
	reads  int
	nextID int64
}

func (r *rulesRepo) WithTx(ctx context.Context, fn func(ctx context.Context) error) error {
	return fn(ctx) // no database: nothing to commit
}

func (r *rulesRepo) CreateFault(_ context.Context, f *Rule, _ time.Time) error {
	r.nextID++
	f.ID = r.nextID
	r.rules = append(r.rules, *f)
	return nil
}

func (r *rulesRepo) Faults(_ context.Context, orgID int64, now time.Time) ([]Rule, error) {
	r.reads++
	var out []Rule
	for _, f := range r.rules {
		if f.OrganizationID == orgID && f.ExpiresAt.After(now) && (f.Remaining == nil || *f.Remaining > 0) {
			out = append(out, f)
		}
	}
	return out, nil
}

func (r *rulesRepo) DeleteFault(context.Context, int64, int64, time.Time) error {
	return errcode.New(errcode.NotFound, "no")
}

func (r *rulesRepo) ConsumeFault(_ context.Context, orgID, id int64, now time.Time) (int, bool, error) {
	for i, f := range r.rules {
		if f.ID == id && f.OrganizationID == orgID && f.Remaining != nil && *f.Remaining > 0 && f.ExpiresAt.After(now) {
			n := *f.Remaining - 1
			r.rules[i].Remaining = &n
			return n, true, nil
		}
	}
	return 0, false, nil
}

func (r *rulesRepo) PurgeFaults(context.Context, time.Time) (int64, error) { return 0, nil }

func (r *rulesRepo) ResetOrganization(context.Context, int64) (map[string]int64, error) {
	return nil, nil
}

func setup(t *testing.T) (*Service, *rulesRepo, *time.Time) {
	t.Helper()
	now := time.Date(2031, 5, 6, 7, 8, 9, 0, time.UTC)
	repo := &rulesRepo{}
	return NewService(repo, repo, func() time.Time { return now }), repo, &now
}

func anyRule(Rule) bool { return true }

// TestApplyProbability: a rule applies when the roll comes under its
// probability, and not otherwise (its count is then left alone).
func TestApplyProbability(t *testing.T) {
	t.Parallel()
	s, repo, _ := setup(t)
	two := 2
	_, err := s.CreateFault(t.Context(), 1, NewRule{Rule: Rule{OperationID: "createCustomer", Action: Close, ProbabilityPPM: 250_000, Times: &two}})
	require.NoError(t, err)
	for _, c := range []struct {
		roll  float64
		apply bool
	}{{0.9, false}, {0.25, false}, {0.2499, true}, {0.5, false}, {0, true}} {
		s.rand = func() float64 { return c.roll }
		_, ok, err := s.Apply(t.Context(), 1, anyRule)
		require.NoError(t, err)
		require.Equal(t, c.apply, ok, "roll %v", c.roll)
	}
	require.Zero(t, *repo.rules[0].Remaining, "only the two rolls under 0.25 took from the count")
	s.rand = func() float64 { return 0 }
	_, ok, err := s.Apply(t.Context(), 1, anyRule)
	require.NoError(t, err)
	require.False(t, ok, "used up")
}

// TestApplyCacheAndExpiry: organizations without rules read the
// repository once per cacheTTL; a rule past its expiry never applies;
// the oldest matching rule wins; other organizations' rules never apply.
func TestApplyCacheAndExpiry(t *testing.T) {
	t.Parallel()
	s, repo, now := setup(t)
	for range 100 {
		_, ok, err := s.Apply(t.Context(), 7, anyRule)
		require.NoError(t, err)
		require.False(t, ok)
	}
	require.Equal(t, 1, repo.reads, "one read for 100 requests of an organization without rules")
	*now = now.Add(cacheTTL)
	_, _, err := s.Apply(t.Context(), 7, anyRule)
	require.NoError(t, err)
	require.Equal(t, 2, repo.reads, "read again after cacheTTL")

	first, err := s.CreateFault(t.Context(), 1, NewRule{Rule: Rule{OperationID: "createCustomer", Action: Close}, TTL: time.Minute})
	require.NoError(t, err)
	_, err = s.CreateFault(t.Context(), 1, NewRule{Rule: Rule{OperationID: "createCustomer", Action: Timeout}})
	require.NoError(t, err)
	r, ok, err := s.Apply(t.Context(), 1, func(r Rule) bool { return r.MatchesRequest("createCustomer", "POST", "/v1/customers") })
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, first.ID, r.ID, "the oldest rule applies")
	_, ok, err = s.Apply(t.Context(), 2, anyRule)
	require.NoError(t, err)
	require.False(t, ok, "another organization's rules")

	*now = now.Add(time.Minute) // the first rule expires
	r, ok, err = s.Apply(t.Context(), 1, anyRule)
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, Timeout, r.Action, "the expired rule no longer applies")
	require.Equal(t, DefaultTimeout, r.Latency)
}

// BenchmarkApplyWithoutRules is the cost a request of a sandbox
// organization without rules pays (production organizations pay nothing:
// the HTTP layer does not ask).
func BenchmarkApplyWithoutRules(b *testing.B) {
	now := time.Date(2031, 5, 6, 7, 8, 9, 0, time.UTC)
	s := NewService(&rulesRepo{}, &rulesRepo{}, func() time.Time { return now })
	ctx := context.Background()
	for b.Loop() {
		if _, ok, err := s.Apply(ctx, 1, anyRule); ok || err != nil {
			b.Fatal(ok, err)
		}
	}
}

// TestRuleSeenOnceCommitted: a read of the rules while the transaction
// that creates one is still open (it sees none yet, and caches that) is
// dropped when the transaction commits, so the next request applies the
// rule rather than the cached nothing for up to cacheTTL.
func TestRuleSeenOnceCommitted(t *testing.T) {
	t.Parallel()
	s, repo, _ := setup(t)
	txCtx, commit := txn.Track(t.Context())
	_, err := s.CreateFault(txCtx, 1, NewRule{Rule: Rule{OperationID: "createCustomer", Action: Close}})
	require.NoError(t, err)
	uncommitted := repo.rules
	repo.rules = nil // what another connection reads before the commit
	_, ok, err := s.Apply(t.Context(), 1, anyRule)
	require.NoError(t, err)
	require.False(t, ok, "not committed yet")
	repo.rules = uncommitted
	commit()
	_, ok, err = s.Apply(t.Context(), 1, anyRule)
	require.NoError(t, err)
	require.True(t, ok, "applies as soon as it is committed")
}
