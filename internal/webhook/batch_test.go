package webhook_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/openvest/openvest/internal/auth"
	"github.com/openvest/openvest/internal/investing"
	"github.com/openvest/openvest/internal/store"
	"github.com/openvest/openvest/internal/testdb"
	"github.com/openvest/openvest/internal/webhook"
	"github.com/stretchr/testify/require"
)

// batched is a BatchQueue that records the groups of first attempts and
// every single attempt (retries) queued.
type batched struct {
	queued
	groups [][]int64
}

func (q *batched) EnqueueFirstAttempts(_ context.Context, _ int64, groups [][]int64) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.groups = append(q.groups, groups...)
	return nil
}

// TestAChangeIsOneJobPerWebhook: the events of one change are queued as one
// job per subscribed webhook (not one per delivery), which sends them in
// the change's order and records each delivery on its own row; a delivery
// that fails gets a retry of its own while the others of its job succeed;
// the job run again sends nothing more.
func TestAChangeIsOneJobPerWebhook(t *testing.T) {
	t.Parallel()
	for dialect, open := range map[string]func(testing.TB) *store.Store{"postgres": testdb.Postgres, "sqlite": testdb.SQLite} {
		t.Run(dialect, func(t *testing.T) {
			t.Parallel()
			s := open(t)
			ctx := t.Context()
			org, _, err := auth.NewService(s.Auth(), time.Now, time.Hour).CreateOrganization(ctx, auth.NewOrganization{Name: t.Name()})
			require.NoError(t, err)
			var (
				mu  sync.Mutex
				got []string // event names, in the order received
			)
			receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				body, _ := io.ReadAll(r.Body)
				var p struct{ Event string }
				_ = json.Unmarshal(body, &p)
				mu.Lock()
				got = append(got, p.Event)
				mu.Unlock()
				if p.Event == "ACCOUNT.CREATED" {
					w.WriteHeader(http.StatusServiceUnavailable)
					return
				}
				w.WriteHeader(http.StatusOK)
			}))
			t.Cleanup(receiver.Close)
			q := &batched{}
			svc := newService(s, q)
			a, err := svc.Create(ctx, org.ID, receiver.URL, []string{"ALL"})
			require.NoError(t, err)
			b, err := svc.Create(ctx, org.ID, receiver.URL, []string{"PORTFOLIO"})
			require.NoError(t, err)
			q.mu.Lock()
			q.groups = nil // the webhooks' own WEBHOOK.CREATED
			q.mu.Unlock()

			require.NoError(t, svc.EmitAll(ctx, org.ID,
				webhook.Emission{Event: "CUSTOMER.CREATED", Resource: json.RawMessage(`{}`)},
				webhook.Emission{Event: "ACCOUNT.CREATED", Resource: json.RawMessage(`{}`)},
				webhook.Emission{Event: "PORTFOLIO.CREATED", Resource: json.RawMessage(`{}`)},
			))
			deliveries := func(id int64) []webhook.Delivery {
				t.Helper()
				p, err := svc.Deliveries(ctx, org.ID, id, nil, investing.PageRequest{Limit: 100})
				require.NoError(t, err)
				return p.Items
			}
			q.mu.Lock()
			groups := q.groups
			require.Empty(t, q.attempts, "no job per delivery")
			q.mu.Unlock()
			require.Len(t, groups, 2, "one job per subscribed webhook")
			require.Len(t, groups[0], 3, "webhook %d: the change's three events", a.ID)
			require.Len(t, groups[1], 1, "webhook %d: its one PORTFOLIO event", b.ID)

			require.NoError(t, svc.AttemptAll(ctx, org.ID, groups[0], 1))
			mu.Lock()
			require.Equal(t, []string{"CUSTOMER.CREATED", "ACCOUNT.CREATED", "PORTFOLIO.CREATED"}, got, "sent in the change's order")
			mu.Unlock()
			state := map[string]webhook.Delivery{}
			for _, d := range deliveries(a.ID) {
				state[d.Event] = d
			}
			require.Equal(t, webhook.Succeeded, state["CUSTOMER.CREATED"].State)
			require.Equal(t, webhook.Succeeded, state["PORTFOLIO.CREATED"].State)
			failed := state["ACCOUNT.CREATED"]
			require.Equal(t, webhook.Pending, failed.State, "a 503 is retried")
			require.Equal(t, 1, failed.Attempts)
			require.NotNil(t, failed.NextAttemptAt)
			require.Equal(t, 503, *failed.LastStatusCode)
			for _, d := range []webhook.Delivery{state["CUSTOMER.CREATED"], state["PORTFOLIO.CREATED"]} {
				require.Equal(t, 1, d.Attempts)
				require.Nil(t, d.NextAttemptAt)
				require.Equal(t, 200, *d.LastStatusCode)
			}
			q.mu.Lock()
			require.Equal(t, []int64{failed.ID}, q.attempts, "the failed delivery's retry is a job of its own")
			q.mu.Unlock()

			// The job run twice (a crash before River recorded it) sends nothing again.
			require.NoError(t, svc.AttemptAll(ctx, org.ID, groups[0], 1))
			mu.Lock()
			require.Len(t, got, 3)
			mu.Unlock()
			// The other webhook's job is its own.
			require.NoError(t, svc.AttemptAll(ctx, org.ID, groups[1], 1))
			ds := deliveries(b.ID)
			for _, d := range ds {
				if d.Event == "PORTFOLIO.CREATED" {
					require.Equal(t, webhook.Succeeded, d.State)
				}
			}
		})
	}
}
