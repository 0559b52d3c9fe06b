package idempotency_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/openvest/openvest/internal/auth"
	"github.com/openvest/openvest/internal/errcode"
	"github.com/openvest/openvest/internal/idempotency"
	"github.com/openvest/openvest/internal/investing"
	"github.com/openvest/openvest/internal/store"
	"github.com/openvest/openvest/internal/testdb"
	"github.com/stretchr/testify/require"
)

func TestMain(m *testing.M) { testdb.Main(m, "idempotency") }

type bundle struct {
	s    *store.Store
	org  investing.Org
	inv  *investing.Service
	repo idempotency.Repository
}

func setup(t *testing.T, s *store.Store) bundle {
	t.Helper()
	o, _, err := auth.NewService(s.Auth(), time.Now, time.Hour).CreateOrganization(t.Context(), auth.NewOrganization{Name: t.Name()})
	require.NoError(t, err)
	return bundle{s: s, org: investing.Org{ID: o.ID}, inv: investing.NewService(s.Investing(), time.Now), repo: s.Idempotency()}
}

func (b bundle) customers(t *testing.T) int64 {
	t.Helper()
	p, err := b.inv.Customers(t.Context(), b.org, investing.CustomerFilter{}, investing.PageRequest{Limit: 10})
	require.NoError(t, err)
	return p.Total
}

// failingInsert cannot store responses, as if the process died between
// the change and its record.
type failingInsert struct{ idempotency.Repository }

func (failingInsert) Insert(context.Context, *idempotency.Record) (bool, error) {
	return false, errors.New("disk full")
}

func forEachDialect(t *testing.T, fn func(t *testing.T, s *store.Store)) {
	t.Run("postgres", func(t *testing.T) { t.Parallel(); fn(t, testdb.Postgres(t)) })
	t.Run("sqlite", func(t *testing.T) { t.Parallel(); fn(t, testdb.SQLite(t)) })
}

func TestChangeAndResponseCommitTogether(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, s *store.Store) {
		b := setup(t, s)
		svc := idempotency.NewService(failingInsert{b.repo}, s, time.Now, time.Hour)
		req := idempotency.Request{OrganizationID: b.org.ID, Key: "k", Method: "POST", Path: "/v1/customers", Body: []byte("{}")}
		_, _, err := svc.Do(t.Context(), req, func(ctx context.Context) idempotency.Response {
			_, err := b.inv.CreateCustomer(ctx, b.org, investing.NewCustomer{FirstName: "A", LastName: "B"})
			require.NoError(t, err)
			return idempotency.Response{Status: http.StatusCreated, Body: []byte(`{}`)}
		})
		require.ErrorContains(t, err, "disk full")
		require.Zero(t, b.customers(t), "no change without its stored response")
		_, err = b.repo.Record(t.Context(), b.org.ID, "k")
		require.True(t, errcode.Is(err, errcode.NotFound), "and no record without its change")

		// With a working store both commit.
		svc = idempotency.NewService(b.repo, s, time.Now, time.Hour)
		resp, replayed, err := svc.Do(t.Context(), req, func(ctx context.Context) idempotency.Response {
			_, err := b.inv.CreateCustomer(ctx, b.org, investing.NewCustomer{FirstName: "A", LastName: "B"})
			require.NoError(t, err)
			return idempotency.Response{Status: http.StatusCreated, ContentType: "application/json", Body: []byte(`{"ok":1}`)}
		})
		require.NoError(t, err)
		require.False(t, replayed)
		require.Equal(t, http.StatusCreated, resp.Status)
		require.Equal(t, int64(1), b.customers(t))
		rec, err := b.repo.Record(t.Context(), b.org.ID, "k")
		require.NoError(t, err)
		require.Equal(t, `{"ok":1}`, string(rec.Body))
	})
}

func TestFailuresAreRolledBackAndOnlyClientErrorsStored(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, s *store.Store) {
		b := setup(t, s)
		svc := idempotency.NewService(b.repo, s, time.Now, time.Hour)
		run := func(status int) func(ctx context.Context) idempotency.Response {
			return func(ctx context.Context) idempotency.Response {
				_, err := b.inv.CreateCustomer(ctx, b.org, investing.NewCustomer{FirstName: "A", LastName: "B"})
				require.NoError(t, err)
				return idempotency.Response{Status: status, Body: []byte("failed")}
			}
		}
		req := idempotency.Request{OrganizationID: b.org.ID, Key: "client-error", Method: "POST", Path: "/x"}
		resp, replayed, err := svc.Do(t.Context(), req, run(http.StatusConflict))
		require.NoError(t, err)
		require.False(t, replayed)
		require.Equal(t, http.StatusConflict, resp.Status)
		// The retry runs (optimistically) and finds the key taken: what it
		// did is rolled back and the stored refusal is replayed, even when
		// this run would have answered something else.
		resp, replayed, err = svc.Do(t.Context(), req, run(http.StatusCreated))
		require.NoError(t, err)
		require.True(t, replayed, "a 4xx is stored and replayed")
		require.Equal(t, http.StatusConflict, resp.Status)
		require.Zero(t, b.customers(t), "and what either run wrote was rolled back")

		req.Key = "server-error"
		for range 2 {
			_, replayed, err := svc.Do(t.Context(), req, run(http.StatusInternalServerError))
			require.NoError(t, err)
			require.False(t, replayed, "a 5xx is not stored: the retry runs again")
		}
		require.Zero(t, b.customers(t))
		_, err = b.repo.Record(t.Context(), b.org.ID, "server-error")
		require.True(t, errcode.Is(err, errcode.NotFound))
	})
}

func TestPurgeRemovesOnlyExpiredRecords(t *testing.T) {
	t.Parallel()
	s := testdb.SQLite(t) // purging is global: keep it off the shared database
	b := setup(t, s)
	now := time.Now()
	svc := idempotency.NewService(b.repo, s, func() time.Time { return now }, time.Hour)
	ok := func(context.Context) idempotency.Response { return idempotency.Response{Status: http.StatusOK} }
	for _, key := range []string{"old", "new"} {
		_, _, err := svc.Do(t.Context(), idempotency.Request{OrganizationID: b.org.ID, Key: key, Method: "POST", Path: "/x"}, ok)
		require.NoError(t, err)
		now = now.Add(50 * time.Minute)
	}
	n, err := svc.Purge(t.Context()) // 100 minutes after "old", 50 after "new"
	require.NoError(t, err)
	require.Equal(t, int64(1), n)
	_, err = b.repo.Record(t.Context(), b.org.ID, "old")
	require.True(t, errcode.Is(err, errcode.NotFound))
	_, err = b.repo.Record(t.Context(), b.org.ID, "new")
	require.NoError(t, err)
}
