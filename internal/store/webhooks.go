package store

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/openvest/openvest/internal/errcode"
	"github.com/openvest/openvest/internal/investing"
	"github.com/openvest/openvest/internal/webhook"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// WebhookRepo implements webhook.Repository.
type WebhookRepo struct{ s *Store }

// Webhooks returns the webhook repository of s.
func (s *Store) Webhooks() *WebhookRepo { return &WebhookRepo{s: s} }

var _ webhook.Repository = (*WebhookRepo)(nil)

// WithTx implements txn.Transactor: the unit of work of the webhook service
// (see Store.WithTx).
func (r *WebhookRepo) WithTx(ctx context.Context, fn func(ctx context.Context) error) error {
	return r.s.WithTx(ctx, fn)
}

type webhookKeyRow struct {
	ID        int64 `gorm:"primaryKey"`
	KeyID     string
	Seed      []byte
	CreatedAt time.Time
	RetiredAt *time.Time
}

func (webhookKeyRow) TableName() string { return "webhook_keys" }

// Keys implements webhook.Repository.
func (r *WebhookRepo) Keys(ctx context.Context) ([]webhook.Key, error) {
	var rows []webhookKeyRow
	if err := r.s.conn(ctx).Order("id").Find(&rows).Error; err != nil {
		return nil, errcode.Wrapf(err, "list the webhook signing keys")
	}
	out := make([]webhook.Key, len(rows))
	for i, row := range rows {
		out[i] = webhook.Key{ID: row.ID, KeyID: row.KeyID, Seed: row.Seed, CreatedAt: row.CreatedAt.UTC(), RetiredAt: utcPtr(row.RetiredAt)}
	}
	return out, nil
}

// CreateKey implements webhook.Repository.
func (r *WebhookRepo) CreateKey(ctx context.Context, k *webhook.Key) error {
	row := webhookKeyRow{KeyID: k.KeyID, Seed: k.Seed, CreatedAt: k.CreatedAt}
	if err := r.s.conn(ctx).Create(&row).Error; err != nil {
		return errcode.Wrapf(err, "create webhook signing key %s", k.KeyID)
	}
	k.ID = row.ID
	return nil
}

// RetireKey implements webhook.Repository.
func (r *WebhookRepo) RetireKey(ctx context.Context, id int64, at time.Time) error {
	err := r.s.conn(ctx).Model(&webhookKeyRow{}).Where("id = ? AND retired_at IS NULL", id).Update("retired_at", at).Error
	return errcode.Wrapf(err, "retire webhook signing key %d", id)
}

type webhookRow struct {
	ID                  int64 `gorm:"primaryKey"`
	OrganizationID      int64
	URL                 string `gorm:"column:url"`
	Subscriptions       string
	Status              string
	DeactivatedReason   *string
	SigningKeyID        *string
	SigningSeed         []byte
	SigningKeyCreatedAt *time.Time
	CreatedAt           time.Time
	UpdatedAt           time.Time
}

func (webhookRow) TableName() string { return "webhooks" }

func (w webhookRow) domain() webhook.Webhook {
	out := webhook.Webhook{
		ID: w.ID, OrganizationID: w.OrganizationID, URL: w.URL, Subscriptions: strings.Split(w.Subscriptions, ","),
		Status: webhook.Status(w.Status), DeactivatedReason: w.DeactivatedReason, CreatedAt: w.CreatedAt.UTC(), UpdatedAt: w.UpdatedAt.UTC(),
	}
	if w.SigningKeyID != nil && len(w.SigningSeed) > 0 && w.SigningKeyCreatedAt != nil {
		out.Key = &webhook.Key{KeyID: *w.SigningKeyID, Seed: w.SigningSeed, CreatedAt: w.SigningKeyCreatedAt.UTC()}
	}
	return out
}

func webhookFromDomain(w *webhook.Webhook) webhookRow {
	row := webhookRow{
		ID: w.ID, OrganizationID: w.OrganizationID, URL: w.URL, Subscriptions: strings.Join(w.Subscriptions, ","),
		Status: string(w.Status), DeactivatedReason: w.DeactivatedReason, CreatedAt: w.CreatedAt, UpdatedAt: w.UpdatedAt,
	}
	if w.Key != nil {
		id, created := w.Key.KeyID, w.Key.CreatedAt
		row.SigningKeyID, row.SigningSeed, row.SigningKeyCreatedAt = &id, w.Key.Seed, &created
	}
	return row
}

// CreateWebhook implements webhook.Repository.
func (r *WebhookRepo) CreateWebhook(ctx context.Context, w *webhook.Webhook) error {
	row := webhookFromDomain(w)
	if err := r.s.conn(ctx).Create(&row).Error; err != nil {
		return errcode.Wrapf(err, "create a webhook of organization %d", w.OrganizationID)
	}
	w.ID = row.ID
	return nil
}

// Lock order (PostgreSQL). A change of a webhook locks its row before any
// of its deliveries; an emission takes FOR KEY SHARE on the active webhooks
// it delivers to, in id order, before it inserts their deliveries. An
// update (status, URL, subscriptions) takes FOR NO KEY UPDATE, which a key
// share does not wait for, so emissions and updates never wait on each
// other; only a delete (FOR UPDATE) waits for the emissions under way, and
// an emission that waited for a delete skips the deleted webhook instead of
// failing on the foreign key. No cycle of waits is possible.
var (
	webhookUpdateLock = clause.Locking{Strength: "NO KEY UPDATE"}
	webhookDeleteLock = clause.Locking{Strength: "UPDATE"}
)

// Webhook implements webhook.Repository; lock takes FOR NO KEY UPDATE (see
// the lock order above).
func (r *WebhookRepo) Webhook(ctx context.Context, orgID, id int64, lock bool) (webhook.Webhook, error) {
	var row webhookRow
	q := r.s.conn(ctx)
	if lock && r.s.Dialect == Postgres {
		q = q.Clauses(webhookUpdateLock)
	}
	if err := q.Scopes(inOrg(orgID)).Where("id = ?", id).Take(&row).Error; err != nil {
		return webhook.Webhook{}, errcode.Wrapf(notFound(err, "webhook %d not found", id), "read webhook %d of organization %d", id, orgID)
	}
	return row.domain(), nil
}

// SaveWebhook implements webhook.Repository.
func (r *WebhookRepo) SaveWebhook(ctx context.Context, w *webhook.Webhook) error {
	row := webhookFromDomain(w)
	err := r.s.conn(ctx).Model(&webhookRow{}).Scopes(inOrg(w.OrganizationID)).Where("id = ?", w.ID).
		Updates(map[string]any{"url": row.URL, "subscriptions": row.Subscriptions, "status": row.Status,
			"deactivated_reason": row.DeactivatedReason, "updated_at": row.UpdatedAt}).Error
	return errcode.Wrapf(err, "save webhook %d of organization %d", w.ID, w.OrganizationID)
}

// WebhooksWithoutKey implements webhook.Repository (a maintenance read
// across organizations, like PurgeBefore).
func (r *WebhookRepo) WebhooksWithoutKey(ctx context.Context) ([]webhook.Webhook, error) {
	var rows []webhookRow
	if err := r.s.conn(ctx).Where("signing_key_id IS NULL").Order("id").Find(&rows).Error; err != nil {
		return nil, errcode.Wrapf(err, "list the webhooks without a signing key of every organization")
	}
	return mapRows(rows, webhookRow.domain), nil
}

// SetWebhookKey implements webhook.Repository.
func (r *WebhookRepo) SetWebhookKey(ctx context.Context, orgID, id int64, k webhook.Key) error {
	err := r.s.conn(ctx).Model(&webhookRow{}).Scopes(inOrg(orgID)).Where("id = ? AND signing_key_id IS NULL", id).
		Updates(map[string]any{"signing_key_id": k.KeyID, "signing_seed": k.Seed, "signing_key_created_at": k.CreatedAt}).Error
	return errcode.Wrapf(err, "set the signing key of webhook %d of organization %d", id, orgID)
}

// DeleteWebhook implements webhook.Repository; its deliveries go with it.
func (r *WebhookRepo) DeleteWebhook(ctx context.Context, orgID, id int64) error {
	err := r.s.WithTx(ctx, func(ctx context.Context) error {
		// The webhook row first, then its deliveries (the lock order above).
		q := r.s.conn(ctx)
		if r.s.Dialect == Postgres {
			q = q.Clauses(webhookDeleteLock)
		}
		var row webhookRow
		if err := q.Scopes(inOrg(orgID)).Where("id = ?", id).Take(&row).Error; err != nil {
			return notFound(err, "webhook %d not found", id)
		}
		if err := r.s.conn(ctx).Scopes(inOrg(orgID)).Where("webhook_id = ?", id).Delete(&webhookDeliveryRow{}).Error; err != nil {
			return err
		}
		res := r.s.conn(ctx).Scopes(inOrg(orgID)).Where("id = ?", id).Delete(&webhookRow{})
		if res.Error == nil && res.RowsAffected == 0 {
			return errcode.New(errcode.NotFound, "webhook %d not found", id)
		}
		return res.Error
	})
	return errcode.Wrapf(err, "delete webhook %d of organization %d", id, orgID)
}

// ListWebhooks implements webhook.Repository.
func (r *WebhookRepo) ListWebhooks(ctx context.Context, orgID int64, p investing.PageRequest) (investing.Page[webhook.Webhook], error) {
	q := r.s.conn(ctx).Model(&webhookRow{}).Scopes(inOrg(orgID))
	page, err := list(q, "webhooks", p, webhookRow.domain)
	return page, errcode.Wrapf(err, "list webhooks of organization %d", orgID)
}

// ActiveWebhooks implements webhook.Repository.
func (r *WebhookRepo) ActiveWebhooks(ctx context.Context, orgID int64) ([]webhook.Webhook, error) {
	var rows []webhookRow
	if err := r.s.conn(ctx).Scopes(inOrg(orgID)).Where("status = ?", string(webhook.Active)).Order("id").Find(&rows).Error; err != nil {
		return nil, errcode.Wrapf(err, "list the active webhooks of organization %d", orgID)
	}
	return mapRows(rows, webhookRow.domain), nil
}

// webhookEventRow is an event of the outbox; its key is (organization_id,
// id) (migration 00023: no primary key on id alone).
type webhookEventRow struct {
	OrganizationID int64  `gorm:"primaryKey"`
	ID             string `gorm:"primaryKey"`
	Name           string
	Data           string
	CreatedAt      time.Time
}

func (webhookEventRow) TableName() string { return "webhook_events" }

// CreateEvents implements webhook.Repository with one multi-row insert.
func (r *WebhookRepo) CreateEvents(ctx context.Context, es []webhook.Event) error {
	rows := make([]webhookEventRow, len(es))
	for i, e := range es {
		rows[i] = webhookEventRow{ID: e.ID, OrganizationID: e.OrganizationID, Name: e.Name, Data: string(e.Data), CreatedAt: e.CreatedAt}
	}
	return errcode.Wrapf(r.s.conn(ctx).Create(&rows).Error, "create %d events", len(rows))
}

// Event implements webhook.Repository.
func (r *WebhookRepo) Event(ctx context.Context, orgID int64, id string) (webhook.Event, error) {
	var row webhookEventRow
	if err := r.s.conn(ctx).Scopes(inOrg(orgID)).Where("id = ?", id).Take(&row).Error; err != nil {
		return webhook.Event{}, errcode.Wrapf(notFound(err, "event %s not found", id), "read event %s of organization %d", id, orgID)
	}
	return webhook.Event{ID: row.ID, OrganizationID: row.OrganizationID, Name: row.Name, CreatedAt: row.CreatedAt.UTC(), Data: json.RawMessage(row.Data)}, nil
}

type webhookDeliveryRow struct {
	ID             int64 `gorm:"primaryKey"`
	OrganizationID int64
	WebhookID      int64
	EventID        string
	Attempts       int
	State          string
	LastStatusCode *int
	LastLatencyMs  *int
	LastError      *string
	NextAttemptAt  *time.Time
	CreatedAt      time.Time
	UpdatedAt      time.Time
	EventName      string `gorm:"->;column:event_name"` // read through the join with webhook_events
}

func (webhookDeliveryRow) TableName() string { return "webhook_deliveries" }

func (d webhookDeliveryRow) domain() webhook.Delivery {
	out := webhook.Delivery{
		ID: d.ID, OrganizationID: d.OrganizationID, WebhookID: d.WebhookID, EventID: d.EventID, Event: d.EventName,
		Attempts: d.Attempts, State: webhook.State(d.State), LastStatusCode: d.LastStatusCode, LastError: d.LastError,
		NextAttemptAt: utcPtr(d.NextAttemptAt), CreatedAt: d.CreatedAt.UTC(), UpdatedAt: d.UpdatedAt.UTC(),
	}
	if d.LastLatencyMs != nil {
		l := time.Duration(*d.LastLatencyMs) * time.Millisecond
		out.LastLatency = &l
	}
	return out
}

func deliveryFromDomain(d *webhook.Delivery) webhookDeliveryRow {
	row := webhookDeliveryRow{
		ID: d.ID, OrganizationID: d.OrganizationID, WebhookID: d.WebhookID, EventID: d.EventID, Attempts: d.Attempts,
		State: string(d.State), LastStatusCode: d.LastStatusCode, LastError: d.LastError, NextAttemptAt: d.NextAttemptAt,
		CreatedAt: d.CreatedAt, UpdatedAt: d.UpdatedAt,
	}
	if d.LastLatency != nil {
		ms := int(d.LastLatency.Milliseconds())
		row.LastLatencyMs = &ms
	}
	return row
}

// CreateDeliveries implements webhook.Repository with one multi-row insert.
func (r *WebhookRepo) CreateDeliveries(ctx context.Context, ds []*webhook.Delivery) error {
	rows := make([]webhookDeliveryRow, len(ds))
	for i, d := range ds {
		rows[i] = deliveryFromDomain(d)
	}
	if err := r.s.conn(ctx).Omit("EventName").Create(&rows).Error; err != nil {
		return errcode.Wrapf(err, "create %d webhook deliveries", len(rows))
	}
	for i := range rows {
		ds[i].ID = rows[i].ID
	}
	return nil
}

func (r *WebhookRepo) deliveries(ctx context.Context) *gorm.DB {
	return r.s.conn(ctx).Model(&webhookDeliveryRow{}).
		Select("webhook_deliveries.*, ev.name AS event_name").
		Joins(eventJoin[r.s.Dialect]("webhook_deliveries", "ev", "name"))
}

// eventJoin joins a delivery (table d) to its event, as alias e with
// (at least) columns cols. On PostgreSQL it is a LATERAL lookup of the one event by its
// key, (organization_id, id), instead of a join: a join's generic plan (the
// one a prepared statement settles on after five executions) estimates the
// events of one organization (a parameter) as the average organization's, a handful,
// so it read every event of the delivery's organization and filtered them
// on the id (a bench at 8,000 events: 12 ms per attempt instead of 0.07, and
// it grows with the organization), whereas under LIMIT 1 both columns are the
// index's condition whatever the statistics say (TestEventLookupPlan). Until
// 00023 the primary key on id alone hid it. SQLite plans the join by the key.
var eventJoin = map[Dialect]func(d, e, cols string) string{
	Postgres: func(d, e, cols string) string {
		return "CROSS JOIN LATERAL (SELECT " + cols + " FROM webhook_events x WHERE x.organization_id = " +
			d + ".organization_id AND x.id = " + d + ".event_id LIMIT 1) " + e
	},
	SQLite: func(d, e, _ string) string {
		return "JOIN webhook_events " + e + " ON " + e + ".organization_id = " + d + ".organization_id AND " + e + ".id = " + d + ".event_id"
	},
}

// Delivery implements webhook.Repository.
func (r *WebhookRepo) Delivery(ctx context.Context, orgID, id int64, lock bool) (webhook.Delivery, error) {
	var row webhookDeliveryRow
	q := r.deliveries(ctx)
	if lock && r.s.Dialect == Postgres {
		q = q.Clauses(lockOf("webhook_deliveries"))
	}
	if err := q.Scopes(inOrg(orgID)).Where("webhook_deliveries.id = ?", id).Take(&row).Error; err != nil {
		return webhook.Delivery{}, errcode.Wrapf(notFound(err, "delivery %d not found", id), "read webhook delivery %d of organization %d", id, orgID)
	}
	return row.domain(), nil
}

// SaveDelivery implements webhook.Repository.
func (r *WebhookRepo) SaveDelivery(ctx context.Context, d *webhook.Delivery) error {
	row := deliveryFromDomain(d)
	err := r.s.conn(ctx).Model(&webhookDeliveryRow{}).Scopes(inOrg(d.OrganizationID)).Where("id = ?", d.ID).
		Updates(map[string]any{"attempts": row.Attempts, "state": row.State, "last_status_code": row.LastStatusCode,
			"last_latency_ms": row.LastLatencyMs, "last_error": row.LastError, "next_attempt_at": row.NextAttemptAt,
			"updated_at": row.UpdatedAt}).Error
	return errcode.Wrapf(err, "save webhook delivery %d of organization %d", d.ID, d.OrganizationID)
}

// ListDeliveries implements webhook.Repository.
func (r *WebhookRepo) ListDeliveries(ctx context.Context, orgID, webhookID int64, state *webhook.State, p investing.PageRequest) (investing.Page[webhook.Delivery], error) {
	q := r.deliveries(ctx).Scopes(inOrg(orgID)).Where("webhook_deliveries.webhook_id = ?", webhookID)
	if state != nil {
		q = q.Where("webhook_deliveries.state = ?", string(*state))
	}
	page, err := list(q, "webhook_deliveries", p, webhookDeliveryRow.domain)
	return page, errcode.Wrapf(err, "list the deliveries of webhook %d of organization %d", webhookID, orgID)
}

// CancelPending implements webhook.Repository.
func (r *WebhookRepo) CancelPending(ctx context.Context, orgID, webhookID int64, at time.Time) error {
	err := r.s.conn(ctx).Model(&webhookDeliveryRow{}).
		Scopes(inOrg(orgID)).Where("webhook_id = ? AND state = ?", webhookID, string(webhook.Pending)).
		Updates(map[string]any{"state": string(webhook.Canceled), "next_attempt_at": nil, "updated_at": at}).Error
	return errcode.Wrapf(err, "cancel the pending deliveries of webhook %d of organization %d", webhookID, orgID)
}

// lockOf is FOR UPDATE OF table: in a join, lock only that table's rows.
func lockOf(table string) clause.Locking {
	return clause.Locking{Strength: "UPDATE", Table: clause.Table{Name: table}}
}

// PurgeBefore implements webhook.Repository.
func (r *WebhookRepo) PurgeBefore(ctx context.Context, t time.Time) (int64, error) {
	var n int64
	err := r.s.WithTx(ctx, func(ctx context.Context) error {
		res := r.s.conn(ctx).Where("state <> ? AND updated_at < ?", string(webhook.Pending), t.UTC()).Delete(&webhookDeliveryRow{})
		if res.Error != nil {
			return res.Error
		}
		n = res.RowsAffected
		res = r.s.conn(ctx).Where("created_at < ? AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.organization_id = webhook_events.organization_id AND d.event_id = webhook_events.id)", t.UTC()).Delete(&webhookEventRow{})
		n += res.RowsAffected
		return res.Error
	})
	return n, errcode.Wrapf(err, "purge the webhook deliveries and events of every organization before %s", t.Format(time.RFC3339))
}

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
	if len(es) == 0 {
		return nil, nil
	}
	for _, e := range es {
		if e.OrganizationID != orgID {
			return nil, fmt.Errorf("record event %s of organization %d with the events of organization %d", e.ID, e.OrganizationID, orgID)
		}
	}
	if r.s.Dialect != Postgres {
		hooks, err := r.ActiveWebhooks(ctx, orgID) // wrapped there
		if err != nil {
			return nil, err
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
			return nil, nil
		}
		if err := r.CreateEvents(ctx, received); err != nil {
			return nil, errcode.Wrapf(err, "record the events of organization %d", orgID)
		}
		if err := r.CreateDeliveries(ctx, ds); err != nil {
			return nil, err
		}
		out := make([]webhook.Delivery, len(ds))
		for i, d := range ds {
			out[i] = *d
		}
		return out, nil
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
	rows, err := r.s.conn(ctx).Statement.ConnPool.QueryContext(ctx, emissionSQL(len(es), names != nil), args...)
	if err != nil {
		return nil, errcode.Wrapf(err, "record %d events of organization %d with their deliveries", len(es), orgID)
	}
	defer rows.Close()
	var emitted []emittedDelivery
	for rows.Next() {
		var row emittedDelivery
		if err := rows.Scan(&row.ID, &row.WebhookID, &row.EventID); err != nil {
			return nil, errcode.Wrapf(err, "record %d events of organization %d with their deliveries", len(es), orgID)
		}
		emitted = append(emitted, row)
	}
	if err := rows.Err(); err != nil {
		return nil, errcode.Wrapf(err, "record %d events of organization %d with their deliveries", len(es), orgID)
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
			return nil, fmt.Errorf("record %d events of organization %d: delivery %d of an event not recorded (%s)", len(es), orgID, row.ID, row.EventID)
		}
		out[j] = *newDelivery(orgID, row.WebhookID, es[i], at)
		out[j].ID = row.ID
	}
	return out, nil
}

// emissionSQL is RecordEmission's one PostgreSQL statement for n events,
// written once per n (and whether the webhooks are filtered by
// subscription) and sent to the connection as written, without GORM's
// statement building: $1 the organization, $2 the emission's time, $3
// the subscriptions that take one of the events when filtered, then per
// event its id, name, data and creation time.
func emissionSQL(n int, filtered bool) string {
	return emissionSQLs.get(emissionKey{n, filtered}, func() string { return writeEmissionSQL(n, filtered) })
}

func writeEmissionSQL(n int, filtered bool) string {
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
  SELECT id, subscriptions FROM webhooks WHERE ` + strings.Replace(inOrgSQL("webhooks"), "?", "$1", 1) + ` AND status = '` + string(webhook.Active) + `'`)
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
INSERT INTO webhook_deliveries (organization_id, webhook_id, event_id, attempts, state, next_attempt_at, created_at, updated_at)
SELECT $1, w.id, ev.id, 0, '` + string(webhook.Pending) + `', $2::timestamptz, $2::timestamptz, $2::timestamptz
FROM ev JOIN w ON ` + emissionMatch + `
ORDER BY ev.ord, w.id
RETURNING id, webhook_id, event_id`)
	return b.String()
}

// emissionMatch is webhook.Matches in SQL: whether webhook w takes event ev.
var emissionMatch = "ev.name = '" + webhook.TestEvent + "' OR string_to_array(w.subscriptions, ',') && ARRAY['ALL', split_part(ev.name, '.', 1), ev.name]"

type emissionKey struct {
	n        int
	filtered bool
}

// emissionSQLs are the statements emissionSQL wrote, by emissionKey.
var emissionSQLs statements[emissionKey, string]

// emittedDelivery is a delivery RecordEmission inserted, as it returns it.
type emittedDelivery struct {
	ID        int64
	WebhookID int64
	EventID   string
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
	rows, err := r.s.conn(ctx).Statement.ConnPool.QueryContext(ctx, query, args...)
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
		res, err := r.s.conn(ctx).Statement.ConnPool.ExecContext(ctx, recordAttemptsSQL(len(ds))[r.s.Dialect], args...)
		if err != nil {
			return err
		}
		affected, err = res.RowsAffected()
		return err
	}
	var err error
	if _, inTx := carried(ctx); inTx {
		err = update()
	} else {
		err = retryTransient(ctx, update)
	}
	return affected, errcode.Wrapf(err, "record attempt %d of %d webhook deliveries of organization %d", n, len(ds), orgID)
}

// recordAttemptsSQL is RecordAttempts' statement for n deliveries, as each
// database's driver takes it, written once per n and sent to the
// connection as written (no statement building per job).
func recordAttemptsSQL(n int) map[Dialect]string {
	return recordAttemptsSQLs.get(n, func() map[Dialect]string {
		values := "(CAST(? AS bigint), CAST(? AS text), CAST(? AS integer), CAST(? AS integer), CAST(? AS text))"
		return dialectSQL(`UPDATE webhook_deliveries SET attempts = ?, state = v.column2, last_status_code = v.column3,
  last_latency_ms = v.column4, last_error = v.column5, next_attempt_at = NULL, updated_at = ?
FROM (VALUES ` + values + strings.Repeat(", "+values, n-1) + `) AS v
WHERE ` + inOrgSQL("webhook_deliveries") + ` AND webhook_deliveries.id = v.column1
  AND webhook_deliveries.state = 'PENDING' AND webhook_deliveries.attempts < ?`)
	})
}

// recordAttemptsSQLs are the statements recordAttemptsSQL wrote, by n.
var recordAttemptsSQLs statements[int, map[Dialect]string]

// RecordAttempt implements webhook.Repository: one conditional UPDATE
// (hand-written, through GORM's Exec: one per delivery). On PostgreSQL a
// concurrent change of the row is waited for and the condition is checked
// again on the committed row (READ COMMITTED), so no locked re-read is
// needed.
func (r *WebhookRepo) RecordAttempt(ctx context.Context, d *webhook.Delivery, n int) (bool, error) {
	row := deliveryFromDomain(d)
	res, err := r.s.conn(ctx).Statement.ConnPool.ExecContext(ctx, recordAttemptSQL[r.s.Dialect], n, row.State, row.LastStatusCode,
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
