package store

// The webhook delivery's hot path: an emission's events and deliveries in
// one statement, a delivery job's joined read, and the record of its
// attempts, each written once and sent to the connection as written.

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/openvest/openvest/internal/errcode"
	"github.com/openvest/openvest/internal/webhook"
)

// RecordEmission implements webhook.Repository. On PostgreSQL it is one
// statement: the events, the webhook read and the deliveries, as
// data-modifying CTEs, with webhook.Matches in SQL (a test event goes to
// every active webhook; any other to those subscribed to ALL, its domain or
// itself). The webhooks read are locked FOR KEY SHARE in id order until the
// transaction ends, so that none can be deleted before its deliveries are
// inserted; one being deleted meanwhile is waited for and then left out.
// The deliveries' ids are drawn in the events' order, then the webhooks'
// (ORDER BY before the insert), so that a job reading its deliveries in id
// order sends them in the change's order. Only the events with a delivery
// are recorded: nothing reads an event but its deliveries, so one no
// webhook takes was a row written to be purged unread (five per POST
// /v1/customers with no webhook). Elsewhere it is ActiveWebhooks,
// CreateEvents of the events with a delivery, and CreateDeliveries.
func (r *WebhookRepo) RecordEmission(ctx context.Context, orgID int64, es []webhook.Event, at time.Time) ([]webhook.Delivery, error) {
	ds, _, err := r.recordEmission(ctx, orgID, es, at, nil)
	return ds, err
}

// RecordDispatch implements webhook.Repository: RecordEmission's statement
// with one more data-modifying CTE, the dispatches (one row per webhook,
// its deliveries' ids in order), and the webhooks' url and signing key
// returned with each delivery, so that the attempts need no read of their
// own. Elsewhere RecordEmission's statements, then one insert of the
// dispatches.
func (r *WebhookRepo) RecordDispatch(ctx context.Context, orgID int64, es []webhook.Event, at, due time.Time) ([]webhook.Dispatch, error) {
	_, out, err := r.recordEmission(ctx, orgID, es, at, &due)
	return out, err
}

// recordEmission is RecordEmission, and RecordDispatch when due is set.
func (r *WebhookRepo) recordEmission(ctx context.Context, orgID int64, es []webhook.Event, at time.Time, due *time.Time) ([]webhook.Delivery, []webhook.Dispatch, error) {
	if len(es) == 0 {
		return nil, nil, nil
	}
	for _, e := range es {
		if e.OrganizationID != orgID {
			return nil, nil, fmt.Errorf("record event %s of organization %d with the events of organization %d", e.ID, e.OrganizationID, orgID)
		}
	}
	if r.s.Dialect != Postgres {
		hooks, err := r.ActiveWebhooks(ctx, orgID) // wrapped there
		if err != nil {
			return nil, nil, err
		}
		var (
			ds       []*webhook.Delivery
			received []webhook.Event // the events with a delivery, the only ones recorded
		)
		for _, e := range es {
			n := len(ds)
			for _, w := range hooks {
				if webhook.Matches(w.Subscriptions, e.Name) {
					ds = append(ds, newDelivery(orgID, w.ID, e, at))
				}
			}
			if len(ds) > n {
				received = append(received, e)
			}
		}
		if len(ds) == 0 {
			return nil, nil, nil
		}
		if err := r.CreateEvents(ctx, received); err != nil {
			return nil, nil, errcode.Wrapf(err, "record the events of organization %d", orgID)
		}
		if err := r.CreateDeliveries(ctx, ds); err != nil {
			return nil, nil, err
		}
		out := make([]webhook.Delivery, len(ds))
		for i, d := range ds {
			out[i] = *d
		}
		if due == nil {
			return out, nil, nil
		}
		dispatches, err := r.createDispatches(ctx, orgID, out, hooks, received, *due)
		return out, dispatches, err
	}
	args := make([]any, 0, 4+4*len(es))
	names := subscriptionsOf(es)
	args = append(args, orgID, at)
	if names != nil {
		args = append(args, names)
	}
	for _, e := range es {
		// the data as a string: behind a transaction pooler (pgx's simple
		// protocol) a []byte is written as a bytea literal, and $n::text
		// would store its hex spelling (TestWebhookStatementsInSimpleProtocol)
		args = append(args, e.ID, e.Name, string(e.Data), e.CreatedAt)
	}
	if due != nil {
		args = append(args, *due)
	}
	rows, err := r.s.pool(ctx).QueryContext(ctx, emissionSQL(len(es), names != nil, due != nil), args...)
	if err != nil {
		return nil, nil, errcode.Wrapf(err, "record %d events of organization %d with their deliveries", len(es), orgID)
	}
	defer rows.Close()
	var emitted []emittedDelivery
	for rows.Next() {
		var row emittedDelivery
		dest := []any{&row.ID, &row.WebhookID, &row.EventID}
		if due != nil {
			dest = append(dest, &row.DispatchID, &row.Webhook.URL, &row.Webhook.Subscriptions, &row.Webhook.SigningKeyID,
				&row.Webhook.SigningSeed, &row.Webhook.SigningKeyCreatedAt, &row.Webhook.CreatedAt, &row.Webhook.UpdatedAt)
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, nil, errcode.Wrapf(err, "record %d events of organization %d with their deliveries", len(es), orgID)
		}
		emitted = append(emitted, row)
	}
	if err := rows.Err(); err != nil {
		return nil, nil, errcode.Wrapf(err, "record %d events of organization %d with their deliveries", len(es), orgID)
	}
	slices.SortFunc(emitted, func(a, b emittedDelivery) int { return cmp.Compare(a.ID, b.ID) }) // RETURNING's order is not promised
	// In id order the deliveries are in the events' order (the ids were
	// drawn in it), so one walk along es finds each one's event.
	out := make([]webhook.Delivery, len(emitted))
	i := 0
	for j, row := range emitted {
		for i < len(es) && !strings.EqualFold(es[i].ID, row.EventID) {
			i++
		}
		if i == len(es) {
			return nil, nil, fmt.Errorf("record %d events of organization %d: delivery %d of an event not recorded (%s)", len(es), orgID, row.ID, row.EventID)
		}
		out[j] = *newDelivery(orgID, row.WebhookID, es[i], at)
		out[j].ID = row.ID
		emitted[j].event = i
	}
	if due == nil {
		return out, nil, nil
	}
	// One dispatch per webhook, in the webhooks' id order, each with its
	// deliveries in id order (the change's).
	var (
		dispatches []webhook.Dispatch
		hooks      []webhook.Webhook // each dispatch's webhook, read once
		byWebhook  = map[int64]int{} // webhook id → its dispatch's index
	)
	for j, row := range emitted {
		k, ok := byWebhook[row.WebhookID]
		if !ok {
			k = len(dispatches)
			byWebhook[row.WebhookID] = k
			dispatches = append(dispatches, webhook.Dispatch{ID: row.DispatchID, OrganizationID: orgID, DueAt: *due})
			row.Webhook.ID, row.Webhook.OrganizationID, row.Webhook.Status = row.WebhookID, orgID, string(webhook.Active)
			hooks = append(hooks, row.Webhook.domain())
		}
		dispatches[k].Out = append(dispatches[k].Out, webhook.Outgoing{Delivery: out[j], Webhook: hooks[k], Event: es[row.event]})
	}
	slices.SortFunc(dispatches, func(a, b webhook.Dispatch) int { return cmp.Compare(a.Out[0].Webhook.ID, b.Out[0].Webhook.ID) })
	return out, dispatches, nil
}

// emissionSQL is RecordEmission's one PostgreSQL statement for n events,
// written once per n (and whether the webhooks are filtered by
// subscription) and sent to the connection as written, without GORM's
// statement building: $1 the organization, $2 the emission's time, $3
// the subscriptions that take one of the events when filtered, then per
// event its id, name, data and creation time.
//
// With dispatch (RecordDispatch) the last parameter is the dispatches' due
// time, and each delivery comes back with its dispatch's id and its
// webhook's columns.
func emissionSQL(n int, filtered, dispatch bool) string {
	return emissionSQLs.Get(emissionKey{n, filtered, dispatch}, func() string { return writeEmissionSQL(n, filtered, dispatch) })
}

func writeEmissionSQL(n int, filtered, dispatch bool) string {
	var b strings.Builder
	b.WriteString("WITH ev (id, name, data, created_at, ord) AS (VALUES ")
	p := 3
	if filtered {
		p = 4
	}
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "($%d::uuid, $%d::text, $%d::text, $%d::timestamptz, %d)", p, p+1, p+2, p+3, i)
		p += 4
	}
	b.WriteString(`),
w AS (
  SELECT id, subscriptions` + dispatchWebhookColumns(dispatch) + ` FROM webhooks WHERE ` + strings.Replace(inOrgSQL("webhooks"), "?", "$1", 1) + ` AND status = '` + string(webhook.Active) + `'`)
	if filtered {
		b.WriteString(" AND string_to_array(subscriptions, ',') && $3::text[]")
	}
	// only the events some webhook takes are recorded: nothing reads an
	// event but its deliveries (PurgeBefore deleted the others unread)
	b.WriteString(` ORDER BY id FOR KEY SHARE
), ins AS (
  INSERT INTO webhook_events (id, organization_id, name, data, created_at) SELECT id, $1, name, data, created_at FROM ev
  WHERE EXISTS (SELECT 1 FROM w WHERE ` + emissionMatch + `)
)
`)
	if dispatch {
		b.WriteString(", d AS (\n")
	}
	b.WriteString(`INSERT INTO webhook_deliveries (organization_id, webhook_id, event_id, attempts, state, next_attempt_at, created_at, updated_at)
SELECT $1, w.id, ev.id, 0, '` + string(webhook.Pending) + `', $2::timestamptz, $2::timestamptz, $2::timestamptz
FROM ev JOIN w ON ` + emissionMatch + `
ORDER BY ev.ord, w.id
RETURNING id, webhook_id, event_id`)
	if dispatch {
		fmt.Fprintf(&b, `
), x AS (
  INSERT INTO webhook_dispatches (organization_id, webhook_id, delivery_ids, due_at)
  SELECT $1, webhook_id, string_agg(id::text, ',' ORDER BY id), $%d::timestamptz FROM d GROUP BY webhook_id
  RETURNING id, webhook_id
)
SELECT d.id, d.webhook_id, d.event_id, x.id, w.url, w.subscriptions, w.signing_key_id, w.signing_seed, w.signing_key_created_at, w.created_at, w.updated_at
FROM d JOIN x ON x.webhook_id = d.webhook_id JOIN w ON w.id = d.webhook_id`, p)
	}
	return b.String()
}

// dispatchWebhookColumns are the webhook columns an emission with
// dispatches reads besides id and subscriptions: what its attempts send
// with.
func dispatchWebhookColumns(dispatch bool) string {
	if !dispatch {
		return ""
	}
	return ", url, signing_key_id, signing_seed, signing_key_created_at, created_at, updated_at"
}

// emissionMatch is webhook.Matches in SQL: whether webhook w takes event ev.
var emissionMatch = "ev.name = '" + webhook.TestEvent + "' OR string_to_array(w.subscriptions, ',') && ARRAY['ALL', split_part(ev.name, '.', 1), ev.name]"

type emissionKey struct {
	n                  int
	filtered, dispatch bool
}

// emissionSQLs are the statements emissionSQL wrote, by emissionKey.
var emissionSQLs Statements[emissionKey, string]

// emittedDelivery is a delivery RecordEmission inserted, as it returns it.
type emittedDelivery struct {
	ID        int64
	WebhookID int64
	EventID   string
	// with dispatches: the dispatch's id and the webhook's columns
	DispatchID int64
	Webhook    webhookRow
	event      int // the index of its event in the emission's
}

// newDelivery is a new PENDING delivery of e to webhook webhookID, its first
// attempt due at at.
func newDelivery(orgID, webhookID int64, e webhook.Event, at time.Time) *webhook.Delivery {
	return &webhook.Delivery{
		OrganizationID: orgID, WebhookID: webhookID, EventID: e.ID, Event: e.Name, State: webhook.Pending,
		NextAttemptAt: &at, CreatedAt: at, UpdatedAt: at,
	}
}

// subscriptionsOf is every subscription that takes one of the events (ALL,
// each event's domain and each event itself: webhook.Matches in SQL), nil
// when every webhook takes them (a test event): RecordEmission reads and locks only the webhooks with
// one of them, so that an organization's webhooks subscribed elsewhere cost
// an emission nothing (an execution's events, with 50 webhooks subscribed
// to WEBHOOK only, locked all 50 rows each).
func subscriptionsOf(es []webhook.Event) []string {
	names := []string{webhook.All}
	for _, e := range es {
		if e.Name == webhook.TestEvent {
			return nil
		}
		domain, _, _ := strings.Cut(e.Name, ".")
		for _, n := range []string{domain, e.Name} {
			if !slices.Contains(names, n) {
				names = append(names, n)
			}
		}
	}
	return names
}

// outgoingSQL reads deliveries with their webhook and event in one
// statement, sent to the connection as written (GORM's statement building
// and reflective scan cost more than the read on this path: one per
// delivery job). On PostgreSQL the ids are one array parameter, so
// the statement is the same whatever their number; SQLite takes them as
// a list of n placeholders.
func outgoingSQL(dialect Dialect, n int) string {
	ids := "d.id = ANY(CAST(? AS bigint[]))"
	if dialect != Postgres {
		ids = "d.id IN (?" + strings.Repeat(", ?", n-1) + ")"
	}
	return `SELECT d.id, d.organization_id, d.webhook_id, d.event_id, d.attempts, d.state, d.last_status_code,
  d.last_latency_ms, d.last_error, d.next_attempt_at, d.created_at, d.updated_at,
  e.name, e.data, e.created_at,
  w.url, w.subscriptions, w.status, w.deactivated_reason, w.signing_key_id, w.signing_seed, w.signing_key_created_at,
  w.created_at, w.updated_at
FROM webhook_deliveries d
` + eventJoin[dialect]("d", "e", "name, data, created_at") + `
JOIN webhooks w ON w.id = d.webhook_id
WHERE ` + inOrgSQL("d") + ` AND ` + ids + `
ORDER BY d.id`
}

// outgoingPostgresSQL is Outgoing's one PostgreSQL statement, numbered for its driver.
var outgoingPostgresSQL = dialectSQL(outgoingSQL(Postgres, 0))[Postgres]

// Outgoing implements webhook.Repository: one joined read of the
// deliveries, their webhooks and their events, in id order.
func (r *WebhookRepo) Outgoing(ctx context.Context, orgID int64, ids []int64) ([]webhook.Outgoing, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	var (
		query = outgoingPostgresSQL
		args  = []any{orgID, ids}
	)
	if r.s.Dialect != Postgres {
		query = outgoingSQL(r.s.Dialect, len(ids))
		args = make([]any, 0, 1+len(ids))
		args = append(args, orgID)
		for _, id := range ids {
			args = append(args, id)
		}
	}
	rows, err := r.s.pool(ctx).QueryContext(ctx, query, args...)
	if err != nil {
		return nil, errcode.Wrapf(err, "read %d webhook deliveries of organization %d to attempt", len(ids), orgID)
	}
	defer rows.Close()
	out := make([]webhook.Outgoing, 0, len(ids))
	for rows.Next() {
		var (
			d         webhookDeliveryRow
			w         webhookRow
			eventData []byte
			eventAt   time.Time
		)
		if err := rows.Scan(&d.ID, &d.OrganizationID, &d.WebhookID, &d.EventID, &d.Attempts, &d.State, &d.LastStatusCode,
			&d.LastLatencyMs, &d.LastError, &d.NextAttemptAt, &d.CreatedAt, &d.UpdatedAt,
			&d.EventName, &eventData, &eventAt,
			&w.URL, &w.Subscriptions, &w.Status, &w.DeactivatedReason, &w.SigningKeyID, &w.SigningSeed, &w.SigningKeyCreatedAt,
			&w.CreatedAt, &w.UpdatedAt); err != nil {
			return nil, errcode.Wrapf(err, "read the webhook deliveries of organization %d to attempt", orgID)
		}
		w.ID, w.OrganizationID = d.WebhookID, d.OrganizationID
		out = append(out, webhook.Outgoing{
			Delivery: d.domain(),
			Webhook:  w.domain(),
			Event:    webhook.Event{ID: d.EventID, OrganizationID: d.OrganizationID, Name: d.EventName, CreatedAt: eventAt.UTC(), Data: json.RawMessage(eventData)},
		})
	}
	return out, errcode.Wrapf(rows.Err(), "read the webhook deliveries of organization %d to attempt", orgID)
}

// recordAttemptSQL is RecordAttempt's one conditional UPDATE, as each
// database's driver takes it (sent to the connection as written).
var recordAttemptSQL = dialectSQL(`UPDATE webhook_deliveries SET attempts = ?, state = ?, last_status_code = ?, last_latency_ms = ?,
  last_error = ?, next_attempt_at = ?, updated_at = ?
WHERE ` + inOrgSQL("webhook_deliveries") + ` AND id = ? AND state = 'PENDING' AND attempts < ?`)

// RecordAttempts implements webhook.Repository: the ended attempts of a
// job's deliveries with one conditional UPDATE … FROM (VALUES …), one
// statement that is its own transaction (one commit instead of one per
// delivery, and one round trip: no BEGIN and COMMIT around it); a deadlock
// with another multi-row change of the same webhook's deliveries,
// CancelPending or a delete, is retried as every transaction is. Called
// within a transaction, it joins it (and that transaction's retry applies).
func (r *WebhookRepo) RecordAttempts(ctx context.Context, orgID int64, ds []webhook.Delivery, n int, at time.Time) (int64, error) {
	if len(ds) == 0 {
		return 0, nil
	}
	args := make([]any, 0, 2+5*len(ds)+2)
	args = append(args, n, at)
	for i := range ds {
		row := deliveryFromDomain(&ds[i])
		args = append(args, row.ID, row.State, row.LastStatusCode, row.LastLatencyMs, row.LastError)
	}
	args = append(args, orgID, n)
	var affected int64
	update := func() error {
		res, err := r.s.pool(ctx).ExecContext(ctx, recordAttemptsSQL(len(ds))[r.s.Dialect], args...)
		if err != nil {
			return err
		}
		affected, err = res.RowsAffected()
		return err
	}
	var err error
	if carriedTx(ctx) {
		err = update()
	} else {
		err = retryTransient(ctx, update)
	}
	return affected, errcode.Wrapf(err, "record attempt %d of %d webhook deliveries of organization %d", n, len(ds), orgID)
}

// carriedTx reports whether ctx carries a transaction.
func carriedTx(ctx context.Context) bool { _, ok := carried(ctx); return ok }

// recordAttemptsSQL is RecordAttempts' statement for n deliveries, as each
// database's driver takes it, written once per n and sent to the
// connection as written (no statement building per job).
func recordAttemptsSQL(n int) map[Dialect]string {
	return recordAttemptsSQLs.Get(n, func() map[Dialect]string {
		values := "(CAST(? AS bigint), CAST(? AS text), CAST(? AS integer), CAST(? AS integer), CAST(? AS text))"
		return dialectSQL(`UPDATE webhook_deliveries SET attempts = ?, state = v.column2, last_status_code = v.column3,
  last_latency_ms = v.column4, last_error = v.column5, next_attempt_at = NULL, updated_at = ?
FROM (VALUES ` + values + strings.Repeat(", "+values, n-1) + `) AS v
WHERE ` + inOrgSQL("webhook_deliveries") + ` AND webhook_deliveries.id = v.column1
  AND webhook_deliveries.state = 'PENDING' AND webhook_deliveries.attempts < ?`)
	})
}

// recordAttemptsSQLs are the statements recordAttemptsSQL wrote, by n.
var recordAttemptsSQLs Statements[int, map[Dialect]string]

// RecordAttempt implements webhook.Repository: one conditional UPDATE
// (hand-written, through GORM's Exec: one per delivery). On PostgreSQL a
// concurrent change of the row is waited for and the condition is checked
// again on the committed row (READ COMMITTED), so no locked re-read is
// needed.
func (r *WebhookRepo) RecordAttempt(ctx context.Context, d *webhook.Delivery, n int) (bool, error) {
	row := deliveryFromDomain(d)
	res, err := r.s.pool(ctx).ExecContext(ctx, recordAttemptSQL[r.s.Dialect], n, row.State, row.LastStatusCode,
		row.LastLatencyMs, row.LastError, row.NextAttemptAt, row.UpdatedAt, d.OrganizationID, d.ID, n)
	var affected int64
	if err == nil {
		affected, err = res.RowsAffected()
	}
	if err != nil {
		return false, errcode.Wrapf(err, "record attempt %d of webhook delivery %d of organization %d", n, d.ID, d.OrganizationID)
	}
	return affected == 1, nil
}
