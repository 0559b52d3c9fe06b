package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/openvest/openvest/internal/errcode"
	"github.com/openvest/openvest/internal/inspector"
)

// InspectorChannel is the PostgreSQL notification channel of new inspected requests.
const InspectorChannel = "openvest_inspector"

// InspectorRepo implements inspector.Repository.
type InspectorRepo struct{ s *Store }

// Inspector returns the request inspector's repository of s.
func (s *Store) Inspector() *InspectorRepo { return &InspectorRepo{s: s} }

var _ inspector.Repository = (*InspectorRepo)(nil)

type inspectedRequestRow struct {
	ID                    uuid.UUID `gorm:"primaryKey"`
	OrganizationID        int64
	RequestID             string
	ReceivedAt            time.Time
	Method                string
	Path                  string
	Query                 string
	Route                 string
	OperationID           string
	Status                int
	LatencyUs             int64
	Signature             string
	ContentDigest         string
	IdempotencyOutcome    string
	IdempotencyKey        string
	Fault                 string
	RequestHeaders        string
	RequestBody           []byte
	RequestBodySize       int64
	RequestBodyTruncated  bool
	ResponseHeaders       string
	ResponseBody          []byte
	ResponseBodySize      int64
	ResponseBodyTruncated bool
	ValidationErrors      string
}

func (inspectedRequestRow) TableName() string { return "inspected_requests" }

// summaryColumns are the columns of a list: everything but headers and bodies.
var summaryColumns = []string{"id", "organization_id", "request_id", "received_at", "method", "path", "query", "route", "operation_id",
	"status", "latency_us", "signature", "content_digest", "idempotency_outcome", "idempotency_key", "fault"}

func inspectedRow(r *inspector.Record) (inspectedRequestRow, error) {
	sig, err := json.Marshal(r.Signature)
	if err != nil {
		return inspectedRequestRow{}, fmt.Errorf("encode the signature verdict of request %s: %w", r.ID, err)
	}
	reqH, err := json.Marshal(r.RequestHeaders)
	if err != nil {
		return inspectedRequestRow{}, fmt.Errorf("encode the request headers of request %s: %w", r.ID, err)
	}
	resH, err := json.Marshal(r.ResponseHeaders)
	if err != nil {
		return inspectedRequestRow{}, fmt.Errorf("encode the response headers of request %s: %w", r.ID, err)
	}
	fields := r.ValidationErrors
	if fields == nil {
		fields = []errcode.FieldError{}
	}
	ve, err := json.Marshal(fields)
	if err != nil {
		return inspectedRequestRow{}, fmt.Errorf("encode the validation errors of request %s: %w", r.ID, err)
	}
	return inspectedRequestRow{
		ID: r.ID, OrganizationID: r.OrganizationID, RequestID: r.RequestID, ReceivedAt: r.ReceivedAt.UTC(),
		Method: r.Method, Path: r.Path, Query: r.Query, Route: r.Route, OperationID: r.OperationID,
		Status: r.Status, LatencyUs: r.Latency.Microseconds(), Signature: string(sig), ContentDigest: r.ContentDigest,
		IdempotencyOutcome: r.IdempotencyResult, IdempotencyKey: r.IdempotencyKey, Fault: r.Fault,
		RequestHeaders: string(reqH), RequestBody: r.RequestBody, RequestBodySize: r.RequestBodySize, RequestBodyTruncated: r.RequestBodyTruncated,
		ResponseHeaders: string(resH), ResponseBody: r.ResponseBody, ResponseBodySize: r.ResponseBodySize, ResponseBodyTruncated: r.ResponseBodyTruncated,
		ValidationErrors: string(ve),
	}, nil
}

func (row *inspectedRequestRow) record(full bool) (inspector.Record, error) {
	r := inspector.Record{
		ID: row.ID, OrganizationID: row.OrganizationID, RequestID: row.RequestID, ReceivedAt: row.ReceivedAt.UTC(),
		Method: row.Method, Path: row.Path, Query: row.Query, Route: row.Route, OperationID: row.OperationID,
		Status: row.Status, Latency: time.Duration(row.LatencyUs) * time.Microsecond, ContentDigest: row.ContentDigest,
		IdempotencyResult: row.IdempotencyOutcome, IdempotencyKey: row.IdempotencyKey, Fault: row.Fault,
	}
	if err := json.Unmarshal([]byte(row.Signature), &r.Signature); err != nil {
		return r, fmt.Errorf("decode the signature verdict of request %s: %w", row.ID, err)
	}
	if !full {
		r.Signature.Base, r.Signature.Components = "", nil
		return r, nil
	}
	r.RequestBody, r.RequestBodySize, r.RequestBodyTruncated = row.RequestBody, row.RequestBodySize, row.RequestBodyTruncated
	r.ResponseBody, r.ResponseBodySize, r.ResponseBodyTruncated = row.ResponseBody, row.ResponseBodySize, row.ResponseBodyTruncated
	for _, j := range []struct {
		what string
		text string
		dst  any
	}{
		{"request headers", row.RequestHeaders, &r.RequestHeaders},
		{"response headers", row.ResponseHeaders, &r.ResponseHeaders},
		{"validation errors", row.ValidationErrors, &r.ValidationErrors},
	} {
		if err := json.Unmarshal([]byte(j.text), j.dst); err != nil {
			return r, fmt.Errorf("decode the %s of request %s: %w", j.what, row.ID, err)
		}
	}
	return r, nil
}

// inspectedColumns are the columns InsertRecords writes, in the order of copyValues.
var inspectedColumns = []string{"id", "organization_id", "request_id", "received_at", "method", "path", "query", "route", "operation_id",
	"status", "latency_us", "signature", "content_digest", "idempotency_outcome", "idempotency_key", "fault",
	"request_headers", "request_body", "request_body_size", "request_body_truncated",
	"response_headers", "response_body", "response_body_size", "response_body_truncated", "validation_errors"}

func (row *inspectedRequestRow) copyValues() []any {
	return []any{row.ID, row.OrganizationID, row.RequestID, row.ReceivedAt, row.Method, row.Path, row.Query, row.Route, row.OperationID,
		row.Status, row.LatencyUs, row.Signature, row.ContentDigest, row.IdempotencyOutcome, row.IdempotencyKey, row.Fault,
		row.RequestHeaders, row.RequestBody, row.RequestBodySize, row.RequestBodyTruncated,
		row.ResponseHeaders, row.ResponseBody, row.ResponseBodySize, row.ResponseBodyTruncated, row.ValidationErrors}
}

// WithTx implements inspector.Repository.
func (r *InspectorRepo) WithTx(ctx context.Context, fn func(ctx context.Context) error) error {
	return r.s.WithTx(ctx, fn)
}

// InsertRecords implements inspector.Repository: on PostgreSQL one COPY
// (the cheapest bulk insert it has), on SQLite multi-row inserts.
func (r *InspectorRepo) InsertRecords(ctx context.Context, records []inspector.Record) error {
	if len(records) == 0 {
		return nil
	}
	rows := make([]inspectedRequestRow, len(records))
	for i := range records {
		row, err := inspectedRow(&records[i])
		if err != nil {
			return err
		}
		rows[i] = row
	}
	var err error
	if r.s.Dialect == Postgres {
		err = r.s.WithTx(ctx, func(ctx context.Context) error {
			return r.s.PgxTx(ctx, func(tx pgx.Tx) error {
				_, err := tx.CopyFrom(ctx, pgx.Identifier{"inspected_requests"}, inspectedColumns, pgx.CopyFromSlice(len(rows), func(i int) ([]any, error) {
					return rows[i].copyValues(), nil
				}))
				return err
			})
		})
	} else {
		err = r.s.conn(ctx).CreateInBatches(rows, 100).Error
	}
	if err != nil {
		return fmt.Errorf("insert %d inspected requests: %w", len(rows), err)
	}
	return nil
}

// Records implements inspector.Repository: a keyset seek on
// (organization_id, id), newest first.
func (r *InspectorRepo) Records(ctx context.Context, orgID int64, f inspector.Filter) ([]inspector.Record, error) {
	q := r.s.conn(ctx).Model(&inspectedRequestRow{}).Select(summaryColumns).Scopes(inOrg(orgID))
	if f.Before != (uuid.UUID{}) {
		q = q.Where("id < ?", f.Before)
	}
	if !f.From.IsZero() {
		q = q.Where("id >= ?", inspector.TimeFloor(f.From))
	}
	if !f.To.IsZero() {
		q = q.Where("id < ?", inspector.TimeFloor(f.To))
	}
	if f.Status != 0 {
		q = q.Where("status = ?", f.Status)
	}
	if f.Path != "" {
		// A prefix, compared as such (no LIKE: a path may hold % and _).
		q = q.Where("substr(path, 1, ?) = ?", len(f.Path), f.Path)
	}
	if f.OperationID != "" {
		q = q.Where("operation_id = ?", f.OperationID)
	}
	if f.IdempotencyKey != "" {
		q = q.Where("idempotency_key = ?", f.IdempotencyKey)
	}
	if f.RequestID != "" {
		q = q.Where("request_id = ?", f.RequestID)
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 20
	}
	var rows []inspectedRequestRow
	if err := q.Order("inspected_requests.id DESC").Limit(limit).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("list the inspected requests of organization %d: %w", orgID, err)
	}
	return records(rows, false)
}

func records(rows []inspectedRequestRow, full bool) ([]inspector.Record, error) {
	out := make([]inspector.Record, len(rows))
	for i := range rows {
		rec, err := rows[i].record(full)
		if err != nil {
			return nil, err
		}
		out[i] = rec
	}
	return out, nil
}

// RecordsByID implements inspector.Repository.
func (r *InspectorRepo) RecordsByID(ctx context.Context, orgID int64, ids []uuid.UUID) ([]inspector.Record, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	var rows []inspectedRequestRow
	if err := r.s.conn(ctx).Select(summaryColumns).Scopes(inOrg(orgID)).Where("id IN ?", ids).
		Order("inspected_requests.id").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("read %d inspected requests of organization %d: %w", len(ids), orgID, err)
	}
	return records(rows, false)
}

// Record implements inspector.Repository.
func (r *InspectorRepo) Record(ctx context.Context, orgID int64, id uuid.UUID) (inspector.Record, error) {
	var row inspectedRequestRow
	if err := r.s.conn(ctx).Scopes(inOrg(orgID)).Where("id = ?", id).Take(&row).Error; err != nil {
		return inspector.Record{}, errcode.Wrapf(notFound(err, "inspected request %s not found (records are kept for a while, then pruned)", id),
			"read inspected request %s of organization %d", id, orgID)
	}
	rec, err := row.record(true)
	return rec, errcode.Wrapf(err, "read inspected request %s of organization %d", id, orgID)
}

// PruneOrganization implements inspector.Repository: everything older
// than the keep-th newest record goes.
func (r *InspectorRepo) PruneOrganization(ctx context.Context, orgID int64, keep int) (int64, error) {
	newest := r.s.conn(ctx).Model(&inspectedRequestRow{}).Select("id").Scopes(inOrg(orgID)).Order("id DESC").Limit(1).Offset(keep - 1)
	res := r.s.conn(ctx).Scopes(inOrg(orgID)).Where("id < (?)", newest).Delete(&inspectedRequestRow{})
	if res.Error != nil {
		return 0, fmt.Errorf("prune the inspected requests of organization %d to %d: %w", orgID, keep, res.Error)
	}
	return res.RowsAffected, nil
}

// PruneOlder implements inspector.Repository.
func (r *InspectorRepo) PruneOlder(ctx context.Context, t time.Time) (int64, error) {
	res := r.s.conn(ctx).Where("received_at < ?", t.UTC()).Delete(&inspectedRequestRow{})
	if res.Error != nil {
		return 0, fmt.Errorf("prune the inspected requests received before %s: %w", t.UTC().Format(time.RFC3339), res.Error)
	}
	return res.RowsAffected, nil
}

// PruneAll implements inspector.Repository.
func (r *InspectorRepo) PruneAll(ctx context.Context, keep int) (int64, error) {
	var orgs []int64
	if err := r.s.conn(ctx).Model(&inspectedRequestRow{}).Group("organization_id").Having("count(*) > ?", keep).
		Pluck("organization_id", &orgs).Error; err != nil {
		return 0, fmt.Errorf("find the organizations with more than %d inspected requests: %w", keep, err)
	}
	var total int64
	for _, org := range orgs {
		n, err := r.PruneOrganization(ctx, org, keep)
		if err != nil {
			return total, err
		}
		total += n
	}
	return total, nil
}

// NotifyInspector implements inspector.Notifier on PostgreSQL (SQLite:
// one process, nothing to tell).
func (s *Store) NotifyInspector(ctx context.Context, payload string) error {
	if s.Dialect != Postgres {
		return nil
	}
	if err := s.conn(ctx).Exec("SELECT pg_notify(?, ?)", InspectorChannel, payload).Error; err != nil {
		return fmt.Errorf("notify %s: %w", InspectorChannel, err)
	}
	return nil
}
