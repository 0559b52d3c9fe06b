package store_test

import (
	"encoding/json"
	"testing"
	"time"

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

func TestRecordEvents(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, s *store.Store) {
		f := setup(t, s)
		repo := s.Webhooks()
		active := webhook.Webhook{OrganizationID: f.org, URL: "https://hooks.example.com/a", Subscriptions: []string{"ALL"}, Status: webhook.Active, CreatedAt: t0, UpdatedAt: t0}
		off := webhook.Webhook{OrganizationID: f.org, URL: "https://hooks.example.com/b", Subscriptions: []string{"ALL"}, Status: webhook.Deactived, CreatedAt: t0, UpdatedAt: t0}
		elsewhere := webhook.Webhook{OrganizationID: f.other, URL: "https://hooks.example.com/c", Subscriptions: []string{"ALL"}, Status: webhook.Active, CreatedAt: t0, UpdatedAt: t0}
		for _, w := range []*webhook.Webhook{&active, &off, &elsewhere} {
			require.NoError(t, repo.CreateWebhook(f.ctx, w))
		}
		es := []webhook.Event{
			{ID: "00000000-0000-4000-8000-0000000000a1", OrganizationID: f.org, Name: "CUSTOMER.CREATED", CreatedAt: t0, Data: json.RawMessage(`{"customerId":1}`)},
			{ID: "00000000-0000-4000-8000-0000000000a2", OrganizationID: f.org, Name: "ACCOUNT.CREATED", CreatedAt: t0, Data: json.RawMessage(`{"accountId":2}`)},
		}
		hooks, err := repo.RecordEvents(f.ctx, f.org, es)
		require.NoError(t, err)
		require.Len(t, hooks, 1)
		require.Equal(t, active.ID, hooks[0].ID)
		require.Equal(t, []string{"ALL"}, hooks[0].Subscriptions)
		for _, e := range es {
			got, err := repo.Event(f.ctx, f.org, e.ID)
			require.NoError(t, err)
			require.Equal(t, e.Name, got.Name)
			require.JSONEq(t, string(e.Data), string(got.Data))
		}
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
