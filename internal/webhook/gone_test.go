package webhook_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/openvest/openvest/internal/auth"
	"github.com/openvest/openvest/internal/httpapi"
	"github.com/openvest/openvest/internal/investing"
	"github.com/openvest/openvest/internal/store"
	"github.com/openvest/openvest/internal/testdb"
	"github.com/openvest/openvest/internal/webhook"
	"github.com/stretchr/testify/require"
)

func TestMain(m *testing.M) { testdb.Main(m, "webhook") }

// newService is a webhook service whose own events (WEBHOOK.CREATED, …)
// are rendered and recorded as the application wires it.
func newService(s *store.Store, q webhook.Queue) *webhook.Service {
	svc := webhook.NewService(s.Webhooks(), q, time.Now, webhook.Config{AllowPrivate: true, Timeout: 5 * time.Second})
	return svc.WithEvents(httpapi.Events{Webhooks: svc})
}

// queued records the attempts the service queues instead of running them.
type queued struct {
	mu       sync.Mutex
	attempts []int64 // delivery ids
}

func (q *queued) EnqueueAttempt(_ context.Context, _, deliveryID int64, _ int, _ time.Duration) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.attempts = append(q.attempts, deliveryID)
	return nil
}

// TestGoneCancelsPendingDeliveries: the receiver's 410 to one delivery
// fails it, deactivates the webhook and cancels the webhook's other
// pending deliveries in the same transaction (Standard Webhooks: 410
// disables the endpoint); another webhook's deliveries are left alone.
func TestGoneCancelsPendingDeliveries(t *testing.T) {
	t.Parallel()
	for dialect, open := range map[string]func(testing.TB) *store.Store{"postgres": testdb.Postgres, "sqlite": testdb.SQLite} {
		t.Run(dialect, func(t *testing.T) {
			t.Parallel()
			s := open(t)
			ctx := t.Context()
			org, _, err := auth.NewService(s.Auth(), time.Now, time.Hour).CreateOrganization(ctx, auth.NewOrganization{Name: t.Name()})
			require.NoError(t, err)
			gone := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusGone) }))
			t.Cleanup(gone.Close)
			other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusServiceUnavailable) }))
			t.Cleanup(other.Close)

			q := &queued{}
			svc := newService(s, q)
			w, err := svc.Create(ctx, org.ID, gone.URL, []string{"CUSTOMER"})
			require.NoError(t, err)
			kept, err := svc.Create(ctx, org.ID, other.URL, []string{"CUSTOMER"})
			require.NoError(t, err)
			for range 3 {
				require.NoError(t, svc.EmitAll(ctx, org.ID, webhook.Emission{Event: "CUSTOMER.CREATED", Resource: json.RawMessage(`{}`)}))
			}
			pending := webhook.Pending
			deliveries := func(id int64, state *webhook.State) []webhook.Delivery {
				t.Helper()
				p, err := svc.Deliveries(ctx, org.ID, id, state, investing.PageRequest{Limit: 100})
				require.NoError(t, err)
				return p.Items
			}
			ds := deliveries(w.ID, &pending)
			require.Len(t, ds, 5, "both webhooks' WEBHOOK.CREATED and three CUSTOMER.CREATED")
			require.Len(t, deliveries(kept.ID, &pending), 4, "its own WEBHOOK.CREATED and three CUSTOMER.CREATED")

			q.mu.Lock()
			queuedBefore := len(q.attempts) // the first attempt of each delivery
			q.mu.Unlock()
			require.NoError(t, svc.Attempt(ctx, org.ID, ds[0].ID, 1))

			states := map[webhook.State]int{}
			for _, d := range deliveries(w.ID, nil) {
				states[d.State]++
				if d.ID == ds[0].ID {
					require.Equal(t, webhook.Failed, d.State, "the delivery answered 410 failed")
					require.Equal(t, 1, d.Attempts)
				} else {
					require.Equal(t, webhook.Canceled, d.State, "delivery %d of the gone webhook is canceled", d.ID)
					require.Nil(t, d.NextAttemptAt)
				}
			}
			require.Equal(t, map[webhook.State]int{webhook.Failed: 1, webhook.Canceled: 4}, states)
			got, err := s.Webhooks().Webhook(ctx, org.ID, w.ID, false)
			require.NoError(t, err)
			require.Equal(t, webhook.Deactived, got.Status)
			require.NotNil(t, got.DeactivatedReason)
			require.Contains(t, *got.DeactivatedReason, "410")
			require.Len(t, deliveries(kept.ID, &pending), 4, "another webhook's deliveries stay pending")
			q.mu.Lock()
			require.Len(t, q.attempts, queuedBefore, "no next attempt is queued after a 410")
			q.mu.Unlock()

			// A canceled delivery's queued attempt, when its job runs, does nothing.
			require.NoError(t, svc.Attempt(ctx, org.ID, ds[1].ID, 1))
			d, err := s.Webhooks().Delivery(ctx, org.ID, ds[1].ID, false)
			require.NoError(t, err)
			require.Equal(t, webhook.Canceled, d.State)
			require.Zero(t, d.Attempts)
		})
	}
}
