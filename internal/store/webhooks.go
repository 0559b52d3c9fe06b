package store

import (
	"context"
	"encoding/json"
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
