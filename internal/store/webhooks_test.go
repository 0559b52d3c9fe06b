package store_test

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"github.com/google/uuid"
	"testing"
	"time"

	"github.com/openvest/openvest/internal/errcode"
	"github.com/openvest/openvest/internal/store"
	"github.com/openvest/openvest/internal/testdb"
	"github.com/openvest/openvest/internal/webhook"
	"github.com/stretchr/testify/require"
)

// TestWebhookPurge: finished deliveries and their events go after the
// retention period; pending deliveries, their events, and recent rows stay.
func TestWebhookPurge(t *testing.T) {
	t.Parallel()
	s := testdb.SQLite(t) // purging is global: keep it off the shared database
	f := setup(t, s)
	repo := s.Webhooks()
	w := webhook.Webhook{OrganizationID: f.org, URL: "https://hooks.example.com/x", Subscriptions: []string{"ALL"}, Status: webhook.Active, CreatedAt: t0, UpdatedAt: t0}
	require.NoError(t, repo.CreateWebhook(f.ctx, &w))
	old, recent := t0, t0.Add(40*24*time.Hour)
	events := []webhook.Event{
		{ID: "00000000-0000-4000-8000-000000000001", OrganizationID: f.org, Name: "CUSTOMER.CREATED", CreatedAt: old, Data: json.RawMessage(`{}`)},
		{ID: "00000000-0000-4000-8000-000000000002", OrganizationID: f.org, Name: "CUSTOMER.CREATED", CreatedAt: old, Data: json.RawMessage(`{}`)},
		{ID: "00000000-0000-4000-8000-000000000003", OrganizationID: f.org, Name: "CUSTOMER.CREATED", CreatedAt: recent, Data: json.RawMessage(`{}`)},
	}
	require.NoError(t, repo.CreateEvents(f.ctx, events))
	ds := []*webhook.Delivery{
		{OrganizationID: f.org, WebhookID: w.ID, EventID: events[0].ID, State: webhook.Succeeded, CreatedAt: old, UpdatedAt: old},
		{OrganizationID: f.org, WebhookID: w.ID, EventID: events[1].ID, State: webhook.Pending, CreatedAt: old, UpdatedAt: old},
		{OrganizationID: f.org, WebhookID: w.ID, EventID: events[2].ID, State: webhook.Succeeded, CreatedAt: recent, UpdatedAt: recent},
	}
	require.NoError(t, repo.CreateDeliveries(f.ctx, ds))

	n, err := repo.PurgeBefore(f.ctx, t0.Add(30*24*time.Hour))
	require.NoError(t, err)
	require.Equal(t, int64(2), n, "the old finished delivery and its event")
	_, err = repo.Event(f.ctx, f.org, events[0].ID)
	require.Error(t, err)
	_, err = repo.Event(f.ctx, f.org, events[1].ID)
	require.NoError(t, err, "a pending delivery keeps its event")
	_, err = repo.Delivery(f.ctx, f.org, ds[1].ID, false)
	require.NoError(t, err)
	_, err = repo.Event(f.ctx, f.org, events[2].ID)
	require.NoError(t, err, "recent rows stay")
}

// TestRecordEmission: the events and one PENDING delivery of each to each
// active webhook of the organization subscribed to it (ALL, its domain or
// itself; a test event to every one), in the events' order then the
// webhooks', their ids drawn in that order (a job sends its deliveries in
// id order).
func TestRecordEmission(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, s *store.Store) {
		f := setup(t, s)
		repo := s.Webhooks()
		hook := func(org int64, status webhook.Status, subs ...string) webhook.Webhook {
			w := webhook.Webhook{OrganizationID: org, URL: "https://hooks.example.com/" + rand.Text()[:6], Subscriptions: subs, Status: status, CreatedAt: t0, UpdatedAt: t0}
			require.NoError(t, repo.CreateWebhook(f.ctx, &w))
			return w
		}
		all := hook(f.org, webhook.Active, "ALL")
		hook(f.org, webhook.Deactived, "ALL")
		hook(f.other, webhook.Active, "ALL")
		domain := hook(f.org, webhook.Active, "WEBHOOK", "ACCOUNT")
		exact := hook(f.org, webhook.Active, "CUSTOMER.CREATED")
		unsubscribed := hook(f.org, webhook.Active, "WEBHOOK", "CUSTOMER.UPDATED")
		es := []webhook.Event{
			{ID: uuid.NewString(), OrganizationID: f.org, Name: "CUSTOMER.CREATED", CreatedAt: t0, Data: json.RawMessage(`{"customerId":1}`)},
			{ID: uuid.NewString(), OrganizationID: f.org, Name: "ACCOUNT.CREATED", CreatedAt: t0, Data: json.RawMessage(`{"accountId":2}`)},
		}
		at := t0.Add(time.Second)
		var ds []webhook.Delivery
		require.NoError(t, s.WithTx(f.ctx, func(ctx context.Context) error {
			var err error
			ds, err = repo.RecordEmission(ctx, f.org, es, at)
			return err
		}))
		type pair struct {
			event   string
			webhook int64
		}
		var got []pair
		for i, d := range ds {
			got = append(got, pair{d.EventID, d.WebhookID})
			if i > 0 {
				require.Greater(t, d.ID, ds[i-1].ID, "ids drawn in the events' order, then the webhooks'")
			}
			require.Equal(t, f.org, d.OrganizationID)
			stored, err := repo.Delivery(f.ctx, f.org, d.ID, false)
			require.NoError(t, err)
			require.Equal(t, webhook.Pending, stored.State)
			require.Zero(t, stored.Attempts)
			require.Equal(t, d.Event, stored.Event)
			require.Equal(t, d.EventID, stored.EventID)
			require.True(t, stored.NextAttemptAt.Equal(at) && stored.CreatedAt.Equal(at), "first attempt due at the emission")
		}
		require.Equal(t, []pair{{es[0].ID, all.ID}, {es[0].ID, exact.ID}, {es[1].ID, all.ID}, {es[1].ID, domain.ID}}, got)
		for _, e := range es {
			stored, err := repo.Event(f.ctx, f.org, e.ID)
			require.NoError(t, err)
			require.JSONEq(t, string(e.Data), string(stored.Data))
		}

		test := []webhook.Event{{ID: uuid.NewString(), OrganizationID: f.org, Name: webhook.TestEvent, CreatedAt: t0, Data: json.RawMessage(`{}`)}}
		ds, err := repo.RecordEmission(f.ctx, f.org, test, at)
		require.NoError(t, err)
		var hooks []int64
		for _, d := range ds {
			hooks = append(hooks, d.WebhookID)
		}
		require.Equal(t, []int64{all.ID, domain.ID, exact.ID, unsubscribed.ID}, hooks, "a test event goes to every active webhook of the organization")

		only, err := repo.RecordEmission(f.ctx, f.org, []webhook.Event{{ID: uuid.NewString(), OrganizationID: f.org, Name: "PORTFOLIO.CREATED", CreatedAt: t0, Data: json.RawMessage(`{}`)}}, at)
		require.NoError(t, err)
		require.Len(t, only, 1, "only the webhook on ALL takes a portfolio's event")
		require.Equal(t, all.ID, only[0].WebhookID)

		// Only the events some webhook takes are recorded (nothing else reads
		// them): the third organization's only webhook takes CUSTOMER events.
		third := newOrg(t, s, orgOpts{}).ID
		hook(third, webhook.Deactived, "ALL")
		taker := hook(third, webhook.Active, "CUSTOMER")
		mixed := []webhook.Event{
			{ID: uuid.NewString(), OrganizationID: third, Name: "ACCOUNT.CREATED", CreatedAt: t0, Data: json.RawMessage(`{"accountId":3}`)},
			{ID: uuid.NewString(), OrganizationID: third, Name: "CUSTOMER.CREATED", CreatedAt: t0, Data: json.RawMessage(`{"customerId":4}`)},
			{ID: uuid.NewString(), OrganizationID: third, Name: "PORTFOLIO.CREATED", CreatedAt: t0, Data: json.RawMessage(`{"portfolioId":5}`)},
		}
		ds, err = repo.RecordEmission(f.ctx, third, mixed, at)
		require.NoError(t, err)
		require.Len(t, ds, 1)
		require.Equal(t, []string{mixed[1].ID, fmt.Sprint(taker.ID)}, []string{ds[0].EventID, fmt.Sprint(ds[0].WebhookID)})
		stored, err := repo.Event(f.ctx, third, mixed[1].ID)
		require.NoError(t, err)
		require.JSONEq(t, string(mixed[1].Data), string(stored.Data))
		for _, e := range []webhook.Event{mixed[0], mixed[2]} {
			_, err := repo.Event(f.ctx, third, e.ID)
			require.True(t, errcode.Is(err, errcode.NotFound), "%s: no webhook takes it, so it is not recorded: %v", e.Name, err)
		}
		none, err := repo.RecordEmission(f.ctx, third, []webhook.Event{{ID: uuid.NewString(), OrganizationID: third, Name: "ACCOUNT.UPDATED", CreatedAt: t0, Data: json.RawMessage(`{}`)}}, at)
		require.NoError(t, err)
		require.Empty(t, none)
		var events int64
		require.NoError(t, s.DB.Raw("SELECT count(*) FROM webhook_events WHERE organization_id = ?", third).Scan(&events).Error)
		require.Equal(t, int64(1), events, "the one event a webhook takes, nothing else")
	})
}

// TestWebhookKeys: a webhook's own key round-trips; EnsureKey gives a key
// to a webhook stored without one (created before per-webhook keys) and
// leaves the others' keys alone.
func TestWebhookKeys(t *testing.T) {
	t.Parallel()
	s := testdb.SQLite(t) // EnsureKey reads every organization's webhooks: keep it off the shared database
	f := setup(t, s)
	repo := s.Webhooks()
	own, err := webhook.NewWebhookKey(t0)
	require.NoError(t, err)
	with := webhook.Webhook{OrganizationID: f.org, URL: "https://hooks.example.com/a", Subscriptions: []string{"ALL"}, Status: webhook.Active, Key: &own, CreatedAt: t0, UpdatedAt: t0}
	legacy := webhook.Webhook{OrganizationID: f.other, URL: "https://hooks.example.com/b", Subscriptions: []string{"ALL"}, Status: webhook.Active, CreatedAt: t0, UpdatedAt: t0}
	require.NoError(t, repo.CreateWebhook(f.ctx, &with))
	require.NoError(t, repo.CreateWebhook(f.ctx, &legacy))
	got, err := repo.Webhook(f.ctx, f.org, with.ID, false)
	require.NoError(t, err)
	require.Equal(t, &own, got.Key)

	svc := webhook.NewService(repo, nil, func() time.Time { return t0.Add(time.Hour) }, webhook.Config{})
	_, err = svc.EnsureKey(f.ctx)
	require.NoError(t, err)
	got, err = repo.Webhook(f.ctx, f.other, legacy.ID, false)
	require.NoError(t, err)
	require.NotNil(t, got.Key, "the legacy webhook got a key of its own")
	require.Len(t, got.Key.Seed, 32)
	require.NotEqual(t, own.KeyID, got.Key.KeyID)
	kept, err := repo.Webhook(f.ctx, f.org, with.ID, false)
	require.NoError(t, err)
	require.Equal(t, &own, kept.Key, "a webhook's key is never replaced")
	left, err := repo.WebhooksWithoutKey(f.ctx)
	require.NoError(t, err)
	require.Empty(t, left)
}

// TestOutgoingAndRecordAttempt: one read gives each delivery with its
// webhook and event, in id order, leaving out ids not found; an attempt is
// recorded only while the delivery is pending with fewer attempts.
func TestOutgoingAndRecordAttempt(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, s *store.Store) {
		f := setup(t, s)
		repo := s.Webhooks()
		w := webhook.Webhook{OrganizationID: f.org, URL: "https://hooks.example.com/a", Subscriptions: []string{"ALL"}, Status: webhook.Active, CreatedAt: t0, UpdatedAt: t0}
		require.NoError(t, repo.CreateWebhook(f.ctx, &w))
		events := []webhook.Event{
			{ID: uuid.NewString(), OrganizationID: f.org, Name: "CUSTOMER.CREATED", CreatedAt: t0, Data: json.RawMessage(`{"n":1}`)},
			{ID: uuid.NewString(), OrganizationID: f.org, Name: "ACCOUNT.CREATED", CreatedAt: t0, Data: json.RawMessage(`{"n":2}`)},
		}
		require.NoError(t, repo.CreateEvents(f.ctx, events))
		ds := []*webhook.Delivery{
			{OrganizationID: f.org, WebhookID: w.ID, EventID: events[0].ID, State: webhook.Pending, NextAttemptAt: &t0, CreatedAt: t0, UpdatedAt: t0},
			{OrganizationID: f.org, WebhookID: w.ID, EventID: events[1].ID, State: webhook.Pending, NextAttemptAt: &t0, CreatedAt: t0, UpdatedAt: t0},
		}
		require.NoError(t, repo.CreateDeliveries(f.ctx, ds))

		out, err := repo.Outgoing(f.ctx, f.org, []int64{ds[1].ID, ds[0].ID, ds[1].ID + 1000})
		require.NoError(t, err)
		require.Len(t, out, 2, "an id not found is left out")
		for i, o := range out {
			require.Equal(t, ds[i].ID, o.Delivery.ID, "in id order")
			require.Equal(t, webhook.Pending, o.Delivery.State)
			require.Equal(t, events[i].Name, o.Delivery.Event)
			require.Equal(t, events[i].ID, o.Event.ID)
			require.Equal(t, events[i].Name, o.Event.Name)
			require.JSONEq(t, string(events[i].Data), string(o.Event.Data))
			require.True(t, o.Event.CreatedAt.Equal(t0))
			require.Equal(t, w.ID, o.Webhook.ID)
			require.Equal(t, w.URL, o.Webhook.URL)
			require.Equal(t, webhook.Active, o.Webhook.Status)
		}

		d := out[0].Delivery
		code, at := 200, t0.Add(time.Minute)
		d.State, d.LastStatusCode, d.NextAttemptAt, d.UpdatedAt = webhook.Succeeded, &code, nil, at
		ok, err := repo.RecordAttempt(f.ctx, &d, 1)
		require.NoError(t, err)
		require.True(t, ok)
		got, err := repo.Delivery(f.ctx, f.org, d.ID, false)
		require.NoError(t, err)
		require.Equal(t, webhook.Succeeded, got.State)
		require.Equal(t, 1, got.Attempts)
		require.Equal(t, 200, *got.LastStatusCode)
		require.Nil(t, got.NextAttemptAt)

		d.State = webhook.Failed
		ok, err = repo.RecordAttempt(f.ctx, &d, 2)
		require.NoError(t, err)
		require.False(t, ok, "a delivery no longer pending is left alone")
		e := out[1].Delivery
		e.State = webhook.Pending
		ok, err = repo.RecordAttempt(f.ctx, &e, 0)
		require.NoError(t, err)
		require.False(t, ok, "attempt 0 is not after the 0 attempts made")
		other := out[1].Delivery
		other.OrganizationID = f.other
		ok, err = repo.RecordAttempt(f.ctx, &other, 1)
		require.NoError(t, err)
		require.False(t, ok, "another organization's delivery is not found")
		got, err = repo.Delivery(f.ctx, f.org, e.ID, false)
		require.NoError(t, err)
		require.Equal(t, webhook.Pending, got.State)
		require.Zero(t, got.Attempts)

		// Several at once: only those still pending with fewer attempts.
		c, e2 := out[0].Delivery, out[1].Delivery
		c.State, e2.State = webhook.Failed, webhook.Canceled
		msg := "the receiver answered 500"
		e2.LastError = &msg
		saved, err := repo.RecordAttempts(f.ctx, f.other, []webhook.Delivery{c, e2}, 1, at)
		require.NoError(t, err)
		require.Zero(t, saved, "another organization's deliveries are not found")
		saved, err = repo.RecordAttempts(f.ctx, f.org, []webhook.Delivery{c, e2}, 1, at)
		require.NoError(t, err)
		require.Equal(t, int64(1), saved, "the succeeded one is left alone")
		got, err = repo.Delivery(f.ctx, f.org, e2.ID, false)
		require.NoError(t, err)
		require.Equal(t, webhook.Canceled, got.State)
		require.Equal(t, 1, got.Attempts)
		require.Equal(t, msg, *got.LastError)
		require.Nil(t, got.NextAttemptAt)
		require.True(t, got.UpdatedAt.Equal(at))
		got, err = repo.Delivery(f.ctx, f.org, c.ID, false)
		require.NoError(t, err)
		require.Equal(t, webhook.Succeeded, got.State)
		saved, err = repo.RecordAttempts(f.ctx, f.org, []webhook.Delivery{c, e2}, 1, at)
		require.NoError(t, err)
		require.Zero(t, saved, "attempt 1 is recorded once")
	})
}
