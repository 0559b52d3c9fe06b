package store

// The dispatches (migration 00031): one row per change and webhook whose
// first attempts the emitting process makes after the commit, deleted when
// they are recorded, and taken by the sweep when still here at their due
// time.

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/openvest/openvest/internal/errcode"
	"github.com/openvest/openvest/internal/webhook"
)

// webhookDispatchRow is a row of webhook_dispatches.
type webhookDispatchRow struct {
	ID             int64 `gorm:"primaryKey"`
	OrganizationID int64
	WebhookID      int64
	DeliveryIDs    string `gorm:"column:delivery_ids"` // decimal ids, comma-separated, in order
	DueAt          time.Time
}

func (webhookDispatchRow) TableName() string { return "webhook_dispatches" }

// deliveryIDList is ids as the delivery_ids column holds them.
func deliveryIDList(ids []int64) string {
	b := make([]byte, 0, 8*len(ids))
	for i, id := range ids {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, id, 10)
	}
	return string(b)
}

// parseDeliveryIDs reads a delivery_ids column.
func parseDeliveryIDs(s string) ([]int64, error) {
	parts := strings.Split(s, ",")
	ids := make([]int64, len(parts))
	for i, p := range parts {
		id, err := strconv.ParseInt(p, 10, 64)
		if err != nil {
			return nil, errcode.Wrapf(err, "read the delivery ids %q of a webhook dispatch", s)
		}
		ids[i] = id
	}
	return ids, nil
}

// createDispatches is RecordDispatch's last step on SQLite: one dispatch
// per webhook of hooks that ds deliver to, inserted together, with the
// deliveries' webhooks and events (of received).
func (r *WebhookRepo) createDispatches(ctx context.Context, orgID int64, ds []webhook.Delivery, hooks []webhook.Webhook, received []webhook.Event, due time.Time) ([]webhook.Dispatch, error) {
	events := make(map[string]webhook.Event, len(received))
	for _, e := range received {
		events[e.ID] = e
	}
	var (
		out  []webhook.Dispatch
		rows []webhookDispatchRow
	)
	for _, w := range hooks { // in id order
		d := webhook.Dispatch{OrganizationID: orgID, DueAt: due}
		var ids []int64
		for _, del := range ds {
			if del.WebhookID == w.ID {
				d.Out = append(d.Out, webhook.Outgoing{Delivery: del, Webhook: w, Event: events[del.EventID]})
				ids = append(ids, del.ID)
			}
		}
		if len(ids) > 0 {
			out = append(out, d)
			rows = append(rows, webhookDispatchRow{OrganizationID: orgID, WebhookID: w.ID, DeliveryIDs: deliveryIDList(ids), DueAt: due.UTC()})
		}
	}
	if err := r.s.conn(ctx).Create(&rows).Error; err != nil {
		return nil, errcode.Wrapf(err, "record %d webhook dispatches of organization %d", len(rows), orgID)
	}
	for i := range rows {
		out[i].ID = rows[i].ID
	}
	return out, nil
}

// deleteDispatchSQL is DeleteDispatch's statement, as each database's
// driver takes it (sent to the connection as written: one per dispatch).
var deleteDispatchSQL = dialectSQL(`DELETE FROM webhook_dispatches WHERE ` + inOrgSQL("webhook_dispatches") + ` AND id = ?`)

// DeleteDispatch implements webhook.Repository.
func (r *WebhookRepo) DeleteDispatch(ctx context.Context, orgID, id int64) (bool, error) {
	res, err := r.s.pool(ctx).ExecContext(ctx, deleteDispatchSQL[r.s.Dialect], orgID, id)
	var n int64
	if err == nil {
		n, err = res.RowsAffected()
	}
	return n == 1, errcode.Wrapf(err, "delete webhook dispatch %d of organization %d", id, orgID)
}

// takeDueDispatchesSQL is TakeDueDispatches' statement on PostgreSQL: the
// due rows, oldest first, those another sweep is taking skipped.
const takeDueDispatchesSQL = `DELETE FROM webhook_dispatches WHERE id IN (
  SELECT id FROM webhook_dispatches WHERE due_at <= $1 ORDER BY due_at, id LIMIT $2 FOR UPDATE SKIP LOCKED
) RETURNING id, organization_id, webhook_id, delivery_ids`

// TakeDueDispatches implements webhook.Repository: one DELETE … RETURNING
// on PostgreSQL; on SQLite (one writer at a time) a read, then a delete
// of what it read.
func (r *WebhookRepo) TakeDueDispatches(ctx context.Context, at time.Time, limit int) ([]webhook.DueDispatch, error) {
	var rows []webhookDispatchRow
	err := r.s.WithTx(ctx, func(ctx context.Context) error {
		if r.s.Dialect == Postgres {
			return r.s.conn(ctx).Raw(takeDueDispatchesSQL, at.UTC(), limit).Scan(&rows).Error
		}
		if err := r.s.conn(ctx).Where("due_at <= ?", at.UTC()).Order("due_at, id").Limit(limit).Find(&rows).Error; err != nil || len(rows) == 0 {
			return err
		}
		ids := make([]int64, len(rows))
		for i, row := range rows {
			ids[i] = row.ID
		}
		return r.s.conn(ctx).Where("id IN ?", ids).Delete(&webhookDispatchRow{}).Error
	})
	if err != nil {
		return nil, errcode.Wrapf(err, "take the webhook dispatches due by %s", at.Format(time.RFC3339))
	}
	out := make([]webhook.DueDispatch, len(rows))
	for i, row := range rows {
		ids, err := parseDeliveryIDs(row.DeliveryIDs)
		if err != nil {
			return nil, err
		}
		out[i] = webhook.DueDispatch{ID: row.ID, OrganizationID: row.OrganizationID, WebhookID: row.WebhookID, DeliveryIDs: ids}
	}
	return out, nil
}

// recordDispatchesSQL is RecordDispatches' one PostgreSQL statement: the
// deliveries' outcomes and the dispatches' keys as arrays (one statement
// text whatever their number), the dispatches deleted by a data-modifying
// CTE, each row matched on its own organization and id.
const recordDispatchesSQL = `WITH v AS (
  SELECT * FROM unnest($3::bigint[], $4::bigint[], $5::text[], $6::integer[], $7::integer[], $8::text[]) AS v(org, id, state, code, latency, error)
), x AS (
  DELETE FROM webhook_dispatches d USING unnest($9::bigint[], $10::bigint[]) AS dv(org, id)
  WHERE d.organization_id = dv.org AND d.id = dv.id
)
UPDATE webhook_deliveries SET attempts = $1, state = v.state, last_status_code = v.code, last_latency_ms = v.latency,
  last_error = v.error, next_attempt_at = NULL, updated_at = $2
FROM v WHERE webhook_deliveries.organization_id = v.org AND webhook_deliveries.id = v.id
  AND webhook_deliveries.state = 'PENDING' AND webhook_deliveries.attempts < $1`

// RecordDispatches implements webhook.Repository: on PostgreSQL one
// statement for them all (its own transaction: one commit); elsewhere
// RecordAttempts and DeleteDispatch for each, in one transaction.
func (r *WebhookRepo) RecordDispatches(ctx context.Context, rs []webhook.DispatchRecord, n int, at time.Time) error {
	if len(rs) == 0 {
		return nil
	}
	if r.s.Dialect != Postgres {
		return r.s.WithTx(ctx, func(ctx context.Context) error {
			for _, rec := range rs {
				if _, err := r.RecordAttempts(ctx, rec.OrganizationID, rec.Ended, n, at); err != nil {
					return err
				}
				if _, err := r.DeleteDispatch(ctx, rec.OrganizationID, rec.DispatchID); err != nil {
					return err
				}
			}
			return nil
		})
	}
	var (
		orgs, ids, dOrgs, dIDs []int64
		states, errs           []*string
		codes, latencies       []*int32
	)
	for _, rec := range rs {
		dOrgs, dIDs = append(dOrgs, rec.OrganizationID), append(dIDs, rec.DispatchID)
		for i := range rec.Ended {
			row := deliveryFromDomain(&rec.Ended[i])
			state := row.State
			orgs, ids, states, errs = append(orgs, rec.OrganizationID), append(ids, row.ID), append(states, &state), append(errs, row.LastError)
			codes, latencies = append(codes, int32Of(row.LastStatusCode)), append(latencies, int32Of(row.LastLatencyMs))
		}
	}
	exec := func() error {
		_, err := r.s.pool(ctx).ExecContext(ctx, recordDispatchesSQL, n, at, orgs, ids, states, codes, latencies, errs, dOrgs, dIDs)
		return err
	}
	var err error
	if carriedTx(ctx) {
		err = exec()
	} else {
		err = retryTransient(ctx, exec)
	}
	return errcode.Wrapf(err, "record attempt %d of %d webhook dispatches", n, len(rs))
}

// int32Of is p as an int32 array element (nil: NULL).
func int32Of(p *int) *int32 {
	if p == nil {
		return nil
	}
	v := int32(*p)
	return &v
}
