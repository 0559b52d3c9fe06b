package store_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/openvest/openvest/internal/investing"
	"github.com/openvest/openvest/internal/store"
	"github.com/openvest/openvest/internal/testdb"
	"github.com/openvest/openvest/internal/webhook"
	"github.com/stretchr/testify/require"
	"gorm.io/gorm"
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
	var stmts []recorded
	record := func(db *gorm.DB) {
		if q := db.Statement.SQL.String(); strings.Contains(q, "webhook_events") {
			stmts = append(stmts, recorded{q, slices.Clone(db.Statement.Vars)})
		}
	}
	require.NoError(t, s.DB.Callback().Query().After("gorm:query").Register("test:record", record))
	require.NoError(t, s.DB.Callback().Row().After("gorm:row").Register("test:record", record))
	out, err := repo.Outgoing(ctx, big, []int64{ds[0].ID})
	require.NoError(t, err)
	require.Len(t, out, 1)
	require.Equal(t, es[events-1].ID, out[0].Event.ID)
	_, err = repo.Delivery(ctx, big, ds[0].ID, false)
	require.NoError(t, err)
	page, err := repo.ListDeliveries(ctx, big, w.ID, nil, investing.PageRequest{Page: 0, Limit: 20})
	require.NoError(t, err)
	require.Len(t, page.Items, 1)
	require.GreaterOrEqual(t, len(stmts), 3, "the three reads' statements were recorded")

	// Each statement's generic plan, executed.
	conn, err := s.DB.DB()
	require.NoError(t, err)
	c, err := conn.Conn(ctx)
	require.NoError(t, err)
	defer c.Close()
	_, err = c.ExecContext(ctx, "SET plan_cache_mode = force_generic_plan")
	require.NoError(t, err)
	for i, st := range stmts {
		name := "plan_" + strconv.Itoa(i)
		_, err := c.ExecContext(ctx, "PREPARE "+name+" AS "+st.sql)
		require.NoError(t, err, st.sql)
		var plan string
		require.NoError(t, c.QueryRowContext(ctx, "EXPLAIN (ANALYZE, FORMAT JSON) EXECUTE "+name+literals(t, st.vars)).Scan(&plan))
		var root []struct{ Plan planNode }
		require.NoError(t, json.Unmarshal([]byte(plan), &root))
		require.LessOrEqual(t, root[0].Plan.eventRowsRead(), 1.0, "rows of webhook_events one loop of %s read\n%s", st.sql, plan)
	}
}

type recorded struct {
	sql  string
	vars []any
}

// literals are vars as the argument list of EXECUTE.
func literals(t *testing.T, vars []any) string {
	if len(vars) == 0 {
		return ""
	}
	parts := make([]string, len(vars))
	for i, v := range vars {
		switch v := v.(type) {
		case int, int64, int32:
			parts[i] = fmt.Sprint(v)
		case string:
			parts[i] = "'" + strings.ReplaceAll(v, "'", "''") + "'"
		default:
			t.Fatalf("argument %d: %T is not covered by this test", i, v)
		}
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

// planNode is a node of EXPLAIN (FORMAT JSON).
type planNode struct {
	Relation string     `json:"Relation Name"`
	Rows     float64    `json:"Actual Rows"`
	Loops    float64    `json:"Actual Loops"`
	Plans    []planNode `json:"Plans"`
}

// eventRowsRead is the most rows of webhook_events one loop of a node read.
func (n planNode) eventRowsRead() float64 {
	read := 0.0
	if n.Relation == "webhook_events" {
		read = n.Rows
	}
	for _, p := range n.Plans {
		read = max(read, p.eventRowsRead())
	}
	return read
}
