package webhook_test

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/openvest/openvest/internal/auth"
	"github.com/openvest/openvest/internal/errcode"
	"github.com/openvest/openvest/internal/investing"
	"github.com/openvest/openvest/internal/store"
	"github.com/openvest/openvest/internal/testdb"
	"github.com/openvest/openvest/internal/webhook"
	"github.com/stretchr/testify/require"
)

var (
	deliveryLock = []string{`FROM "webhook_deliveries"`, `FOR UPDATE OF "webhook_deliveries"`}
	webhookLock  = []string{`FROM "webhooks"`, "FOR NO KEY UPDATE"}
	// An attempt records its outcome with one conditional UPDATE, which
	// waits on the row's lock and checks its condition again on the
	// committed row.
	recordLock = []string{"UPDATE webhook_deliveries SET attempts", "AND attempts <"}
)

// hooks is a webhook service on PostgreSQL with one webhook to a receiver
// answering status, and its first (pending) delivery: WEBHOOK.CREATED.
type hooks struct {
	s   *store.Store
	svc *webhook.Service
	org int64
	w   webhook.Webhook
	d   webhook.Delivery
}

func setupHooks(t *testing.T, status int) hooks {
	t.Helper()
	s := testdb.Postgres(t)
	org, _, err := auth.NewService(s.Auth(), time.Now, time.Hour).CreateOrganization(t.Context(), auth.NewOrganization{Name: t.Name()})
	require.NoError(t, err)
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(status) }))
	t.Cleanup(receiver.Close)
	svc := newService(s, &queued{})
	w, err := svc.Create(t.Context(), org.ID, receiver.URL, []string{"CUSTOMER"})
	require.NoError(t, err)
	p, err := svc.Deliveries(t.Context(), org.ID, w.ID, nil, investing.PageRequest{Limit: 10})
	require.NoError(t, err)
	require.Len(t, p.Items, 1, "WEBHOOK.CREATED")
	return hooks{s: s, svc: svc, org: org.ID, w: w, d: p.Items[0]}
}

func (h hooks) delivery(t *testing.T) webhook.Delivery {
	t.Helper()
	d, err := h.s.Webhooks().Delivery(t.Context(), h.org, h.d.ID, false)
	require.NoError(t, err)
	return d
}

func (h hooks) webhook(t *testing.T) webhook.Webhook {
	t.Helper()
	w, err := h.s.Webhooks().Webhook(t.Context(), h.org, h.w.ID, false)
	require.NoError(t, err)
	return w
}

// TestRowLocks: another transaction changes the delivery or the webhook
// while a method that locks it runs; the method waits on its lock and
// then works on the committed row.
func TestRowLocks(t *testing.T) {
	t.Parallel()
	t.Run("an attempt's record locks the delivery", func(t *testing.T) {
		t.Parallel()
		h := setupHooks(t, http.StatusOK)
		hold := testdb.Hold(t, h.s, `UPDATE webhook_deliveries SET state = 'CANCELED', next_attempt_at = NULL WHERE id = ?`, h.d.ID)
		require.NoError(t, hold.RequireWaits(t, recordLock, func() error { return h.svc.Attempt(t.Context(), h.org, h.d.ID, 1) }))
		d := h.delivery(t)
		require.Equal(t, webhook.Canceled, d.State, "a delivery canceled meanwhile is not recorded as delivered")
		require.Zero(t, d.Attempts)
	})
	t.Run("a 410's deactivation locks the webhook", func(t *testing.T) {
		t.Parallel()
		h := setupHooks(t, http.StatusGone)
		hold := testdb.Hold(t, h.s, `UPDATE webhooks SET subscriptions = 'ACCOUNT' WHERE id = ?`, h.w.ID)
		require.NoError(t, hold.RequireWaits(t, webhookLock, func() error { return h.svc.Attempt(t.Context(), h.org, h.d.ID, 1) }))
		w := h.webhook(t)
		require.Equal(t, webhook.Deactived, w.Status)
		require.Equal(t, []string{"ACCOUNT"}, w.Subscriptions, "the change made meanwhile is not lost")
	})
	t.Run("a retry locks the delivery", func(t *testing.T) {
		t.Parallel()
		h := setupHooks(t, http.StatusOK)
		hold := testdb.Hold(t, h.s, `UPDATE webhook_deliveries SET attempts = 3, last_error = 'meanwhile' WHERE id = ?`, h.d.ID)
		require.NoError(t, hold.RequireWaits(t, deliveryLock, func() error {
			_, err := h.svc.Retry(t.Context(), h.org, h.w.ID, h.d.ID)
			return err
		}))
		d := h.delivery(t)
		require.Equal(t, 3, d.Attempts, "the retry counts the attempts made meanwhile")
		require.Equal(t, "meanwhile", *d.LastError)
	})
	t.Run("a delete locks the webhook before its deliveries", func(t *testing.T) {
		t.Parallel()
		h := setupHooks(t, http.StatusOK)
		// Lock order: the webhook row, then its deliveries, as an attempt
		// takes them; deleting the deliveries first could deadlock with one.
		hold := testdb.Hold(t, h.s, `UPDATE webhooks SET subscriptions = 'ACCOUNT' WHERE id = ?`, h.w.ID)
		require.NoError(t, hold.RequireWaits(t, []string{`FROM "webhooks"`, "FOR UPDATE"}, func() error {
			return h.svc.Delete(t.Context(), h.org, h.w.ID)
		}))
		_, err := h.s.Webhooks().Webhook(t.Context(), h.org, h.w.ID, false)
		require.True(t, errcode.Is(err, errcode.NotFound), "%v", err)
		_, err = h.s.Webhooks().Delivery(t.Context(), h.org, h.d.ID, false)
		require.True(t, errcode.Is(err, errcode.NotFound), "its deliveries go with it: %v", err)
	})
	for name, id := range map[string]func(h hooks) *int64{
		"an update by id locks the webhook":           func(h hooks) *int64 { return &h.w.ID },
		"an update of the only one locks the webhook": func(hooks) *int64 { return nil },
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			h := setupHooks(t, http.StatusOK)
			hold := testdb.Hold(t, h.s, `UPDATE webhooks SET subscriptions = 'ACCOUNT' WHERE id = ?`, h.w.ID)
			url := "http://127.0.0.1:1/moved"
			require.NoError(t, hold.RequireWaits(t, webhookLock, func() error {
				_, err := h.svc.Update(t.Context(), h.org, webhook.Update{ID: id(h), URL: &url})
				return err
			}))
			w := h.webhook(t)
			require.Equal(t, url, w.URL)
			require.Equal(t, []string{"ACCOUNT"}, w.Subscriptions, "the change made meanwhile is not lost")
		})
	}
}
