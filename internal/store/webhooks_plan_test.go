package store_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/openvest/openvest/internal/investing"
	"github.com/openvest/openvest/internal/store"
	"github.com/openvest/openvest/internal/testdb"
	"github.com/openvest/openvest/internal/webhook"
	"github.com/stretchr/testify/require"
)

// TestEventLookupPlan: each read of a delivery with its event (an attempt's
// joined read, a delivery, a delivery list) finds the event by its key even
// in the generic plan a prepared statement settles on after five
// executions, whose estimate of "organization_id = $1" is the average
// organization's: with many small organizations and one large one, it
// reads one event per delivery, not every event of the large organization
// (which a plain join did: 12 ms per attempt behind 8,000 events).
func TestEventLookupPlan(t *testing.T) {
	t.Parallel()
	s, err := store.Open(testdb.FreshURL(t), store.Options{MaxConns: 2})
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	ctx := t.Context()
	repo := s.Webhooks()

	// One organization with 2,000 events among 2,000 with one each: the
	// average organization has two.
	const events = 2000
	big := newOrg(t, s, orgOpts{}).ID
	es := make([]webhook.Event, events)
	for j := range es {
		es[j] = webhook.Event{ID: uuid.NewString(), OrganizationID: big, Name: "WEBHOOK.TEST", CreatedAt: t0, Data: json.RawMessage(`{}`)}
	}
	for chunk := range slices.Chunk(es, 500) {
		require.NoError(t, repo.CreateEvents(ctx, chunk))
	}
	require.NoError(t, s.DB.Exec(`INSERT INTO organizations (name, client_id, client_secret_hash, created_at, updated_at)
SELECT 'Small ' || g, 'plan_small_' || g, '\x00', now(), now() FROM generate_series(1, 2000) g`).Error)
	require.NoError(t, s.DB.Exec(`INSERT INTO webhook_events (id, organization_id, name, data, created_at)
SELECT gen_random_uuid(), id, 'WEBHOOK.TEST', '{}', now() FROM organizations WHERE client_id LIKE 'plan_small_%'`).Error)
	w := webhook.Webhook{OrganizationID: big, URL: "https://hooks.example.com/plan", Subscriptions: []string{"ALL"}, Status: webhook.Active, CreatedAt: t0, UpdatedAt: t0}
	require.NoError(t, repo.CreateWebhook(ctx, &w))
	ds := []*webhook.Delivery{{OrganizationID: big, WebhookID: w.ID, EventID: es[events-1].ID, State: webhook.Pending, CreatedAt: t0, UpdatedAt: t0}}
	require.NoError(t, repo.CreateDeliveries(ctx, ds))
	require.NoError(t, s.DB.Exec("ANALYZE").Error)

	// The statements of the three reads, as the repository sends them.
	rec := recordSQL(t, s)
	var stmts []recorded
	for _, st := range rec.capture(t, func() {
		out, err := repo.Outgoing(ctx, big, []int64{ds[0].ID})
		require.NoError(t, err)
		require.Len(t, out, 1)
		require.Equal(t, es[events-1].ID, out[0].Event.ID)
		_, err = repo.Delivery(ctx, big, ds[0].ID, false)
		require.NoError(t, err)
		page, err := repo.ListDeliveries(ctx, big, w.ID, nil, investing.PageRequest{Page: 0, Limit: 20})
		require.NoError(t, err)
		require.Len(t, page.Items, 1)
	}) {
		if strings.Contains(st.sql, "webhook_events") {
			stmts = append(stmts, st)
		}
	}
	require.GreaterOrEqual(t, len(stmts), 3, "the three reads' statements were recorded")

	// Each statement's generic plan, executed.
	p := newPlanRunner(t, s)
	for _, st := range stmts {
		plan := p.explain(t, st)
		perLoop, _ := plan.rowsRead("webhook_events")
		require.LessOrEqual(t, perLoop, 1.0, "rows of webhook_events one loop of %s read\n%s", st.sql, plan.text)
	}
}
