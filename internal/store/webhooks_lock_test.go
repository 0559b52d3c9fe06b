package store_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/openvest/openvest/internal/store"
	"github.com/openvest/openvest/internal/testdb"
	"github.com/openvest/openvest/internal/webhook"
	"github.com/stretchr/testify/require"
)

// emit is what an emission does in its transaction: record an event with a
// delivery to each active webhook subscribed (RecordEmission); it returns
// those webhooks' ids.
func emit(ctx context.Context, s *store.Store, orgID int64) ([]int64, error) {
	var ids []int64
	err := s.WithTx(ctx, func(ctx context.Context) error {
		e := webhook.Event{ID: uuid.NewString(), OrganizationID: orgID, Name: "CUSTOMER.CREATED", CreatedAt: t0, Data: json.RawMessage(`{}`)}
		ds, err := s.Webhooks().RecordEmission(ctx, orgID, []webhook.Event{e}, t0)
		for _, d := range ds {
			ids = append(ids, d.WebhookID)
		}
		return err
	})
	return ids, err
}

func twoWebhooks(t *testing.T, f fixture) (a, b webhook.Webhook) {
	t.Helper()
	for _, w := range []*webhook.Webhook{&a, &b} {
		*w = webhook.Webhook{OrganizationID: f.org, URL: "https://hooks.example.com/x", Subscriptions: []string{"ALL"}, Status: webhook.Active, CreatedAt: t0, UpdatedAt: t0}
		require.NoError(t, f.s.Webhooks().CreateWebhook(f.ctx, w))
	}
	return a, b
}

// holdTx runs fn in a transaction and keeps the transaction open until
// release is closed; it returns once fn has run.
func holdTx(t *testing.T, s *store.Store, fn func(ctx context.Context) error) (release func()) {
	t.Helper()
	ran, done, errs := make(chan struct{}), make(chan struct{}), make(chan error, 1)
	go func() {
		errs <- s.WithTx(t.Context(), func(ctx context.Context) error {
			err := fn(ctx)
			close(ran)
			<-done
			return err
		})
	}()
	select {
	case <-ran:
	case err := <-errs:
		require.NoError(t, err)
	}
	return func() { close(done); require.NoError(t, <-errs) }
}

// TestEmissionDuringADeleteSkipsTheWebhook: an emission that meets a
// webhook being deleted waits for the delete (FOR KEY SHARE) and then
// leaves it out, instead of failing on the deliveries' foreign key.
func TestEmissionDuringADeleteSkipsTheWebhook(t *testing.T) {
	t.Parallel()
	s := testdb.Postgres(t)
	f := setup(t, s)
	gone, kept := twoWebhooks(t, f)
	release := holdTx(t, s, func(ctx context.Context) error { return s.Webhooks().DeleteWebhook(ctx, f.org, gone.ID) })

	type result struct {
		ids []int64
		err error
	}
	out := make(chan result, 1)
	go func() {
		ids, err := emit(f.ctx, s, f.org)
		out <- result{ids, err}
	}()
	require.Eventually(t, func() bool {
		var n int64
		require.NoError(t, s.DB.Raw(`SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()
AND wait_event_type = 'Lock' AND query LIKE '%FOR KEY SHARE%' AND query LIKE '%webhook_events%'`).Scan(&n).Error)
		return n > 0
	}, 10*time.Second, 5*time.Millisecond, "the emission waits for the delete")
	select {
	case r := <-out:
		t.Fatalf("the emission did not wait for the delete: %v %v", r.ids, r.err)
	default:
	}
	release()
	r := <-out
	require.NoError(t, r.err)
	require.Equal(t, []int64{kept.ID}, r.ids, "the deleted webhook is left out")
}

// TestWebhookUpdateDoesNotBlockEmission: a webhook locked for an update
// (deactivation) does not hold up an emission that delivers to it: the
// two never wait on each other, so no cycle of waits can form.
func TestWebhookUpdateDoesNotBlockEmission(t *testing.T) {
	t.Parallel()
	s := testdb.Postgres(t)
	f := setup(t, s)
	a, b := twoWebhooks(t, f)
	release := holdTx(t, s, func(ctx context.Context) error {
		w, err := s.Webhooks().Webhook(ctx, f.org, a.ID, true)
		if err != nil {
			return err
		}
		w.Status = webhook.Deactived
		return s.Webhooks().SaveWebhook(ctx, &w)
	})
	ctx, cancel := context.WithTimeout(f.ctx, 10*time.Second)
	defer cancel()
	ids, err := emit(ctx, s, f.org)
	require.NoError(t, err, "the emission does not wait for the update")
	require.Equal(t, []int64{a.ID, b.ID}, ids, "the update is not committed yet")
	release()
}

// TestEmissionLocksOnlySubscribedWebhooks: an emission holds (FOR KEY
// SHARE) the webhooks subscribed to its events, and leaves the others free
// for their owner to delete at once.
func TestEmissionLocksOnlySubscribedWebhooks(t *testing.T) {
	t.Parallel()
	s := testdb.Postgres(t)
	f := setup(t, s)
	subscribed := webhook.Webhook{OrganizationID: f.org, URL: "https://hooks.example.com/s", Subscriptions: []string{"CUSTOMER"}, Status: webhook.Active, CreatedAt: t0, UpdatedAt: t0}
	other := webhook.Webhook{OrganizationID: f.org, URL: "https://hooks.example.com/o", Subscriptions: []string{"WEBHOOK"}, Status: webhook.Active, CreatedAt: t0, UpdatedAt: t0}
	for _, w := range []*webhook.Webhook{&subscribed, &other} {
		require.NoError(t, s.Webhooks().CreateWebhook(f.ctx, w))
	}
	var got []int64
	release := holdTx(t, s, func(ctx context.Context) error {
		var err error
		got, err = emit(ctx, s, f.org)
		return err
	})
	defer release()
	require.Equal(t, []int64{subscribed.ID}, got)
	sqlDB, err := s.SQLDB()
	require.NoError(t, err)
	locked := func(id int64) error {
		tx, err := sqlDB.BeginTx(f.ctx, nil)
		require.NoError(t, err)
		defer func() { _ = tx.Rollback() }()
		_, err = tx.ExecContext(f.ctx, "SELECT id FROM webhooks WHERE id = $1 FOR UPDATE NOWAIT", id)
		return err
	}
	require.NoError(t, locked(other.ID), "a webhook subscribed to none of the events is not held")
	require.ErrorContains(t, locked(subscribed.ID), "could not obtain lock", "the subscribed one is held until the emission commits")
}
