package idempotency_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/openvest/openvest/internal/idempotency"
	"github.com/openvest/openvest/internal/investing"
	"github.com/openvest/openvest/internal/store"
	"github.com/stretchr/testify/require"
)

// TestTransientFailureRunsAgain: a run that lost a race with a concurrent
// transaction (Transient) is rolled back and run again; the caller gets the
// second run's answer, and only its change and record exist.
func TestTransientFailureRunsAgain(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, s *store.Store) {
		b := setup(t, s)
		svc := idempotency.NewService(b.repo, s, time.Now, time.Hour)
		runs := 0
		req := idempotency.Request{OrganizationID: b.org.ID, Key: "deadlocked-once", Method: "POST", Path: "/v1/customers", Body: []byte("{}")}
		resp, replayed, err := svc.Do(t.Context(), req, func(ctx context.Context) idempotency.Response {
			runs++
			_, err := b.inv.CreateCustomer(ctx, b.org, investing.NewCustomer{FirstName: "A", LastName: "B"})
			require.NoError(t, err)
			if runs == 1 {
				return idempotency.Response{Status: http.StatusInternalServerError, Body: []byte("deadlock"), Transient: true}
			}
			return idempotency.Response{Status: http.StatusCreated, ContentType: "application/json", Body: []byte(`{"ok":1}`)}
		})
		require.NoError(t, err)
		require.False(t, replayed)
		require.Equal(t, 2, runs)
		require.Equal(t, http.StatusCreated, resp.Status)
		require.Equal(t, int64(1), b.customers(t), "the first run's customer was rolled back")
		rec, err := b.repo.Record(t.Context(), b.org.ID, req.Key)
		require.NoError(t, err)
		require.Equal(t, `{"ok":1}`, string(rec.Body))
	})
}

// TestTransientFailuresAreBounded: a run that keeps losing is answered
// (not stored, so a retry by the client runs again) after a few runs.
func TestTransientFailuresAreBounded(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, s *store.Store) {
		b := setup(t, s)
		svc := idempotency.NewService(b.repo, s, time.Now, time.Hour)
		runs := 0
		req := idempotency.Request{OrganizationID: b.org.ID, Key: "always-deadlocked", Method: "POST", Path: "/v1/customers", Body: []byte("{}")}
		resp, _, err := svc.Do(t.Context(), req, func(ctx context.Context) idempotency.Response {
			runs++
			return idempotency.Response{Status: http.StatusInternalServerError, Body: []byte("deadlock"), Transient: true}
		})
		require.NoError(t, err)
		require.Equal(t, http.StatusInternalServerError, resp.Status)
		require.Equal(t, 4, runs, "the first run and three more")
		_, err = b.repo.Record(t.Context(), b.org.ID, req.Key)
		require.Error(t, err, "a 500 is not stored")
	})
}
