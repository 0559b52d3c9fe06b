package store

import (
	"context"
	"time"

	"github.com/openvest/openvest/internal/errcode"
	"github.com/openvest/openvest/internal/idempotency"
)

type idempotencyRow struct {
	OrganizationID int64  `gorm:"primaryKey"`
	Key            string `gorm:"primaryKey"`
	Method         string
	Path           string
	RequestHash    []byte
	StatusCode     int
	ContentType    string
	ResponseBody   []byte
	CreatedAt      time.Time
	ExpiresAt      time.Time
}

func (idempotencyRow) TableName() string { return "idempotency_keys" }

// insertIdempotencyKey inserts an idempotencyRow (its columns in field
// order, TestIdempotencyInsertColumnsAreTheRow) unless its key is taken.
const insertIdempotencyKey = `INSERT INTO idempotency_keys (organization_id, "key", method, path, request_hash, status_code, content_type, response_body, created_at, expires_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`

// IdempotencyRepo implements idempotency.Repository.
type IdempotencyRepo struct{ s *Store }

// Idempotency returns the idempotency repository of s.
func (s *Store) Idempotency() *IdempotencyRepo { return &IdempotencyRepo{s: s} }

var _ idempotency.Repository = (*IdempotencyRepo)(nil)

// Insert implements idempotency.Repository with INSERT … ON CONFLICT DO
// NOTHING: on PostgreSQL it waits for a concurrent uncommitted insert of
// the same key; SQLite serializes writers anyway.
func (r *IdempotencyRepo) Insert(ctx context.Context, rec *idempotency.Record) (bool, error) {
	row := idempotencyRow{
		OrganizationID: rec.OrganizationID, Key: rec.Key, Method: rec.Method, Path: rec.Path, RequestHash: rec.RequestHash,
		StatusCode: rec.Status, ContentType: rec.ContentType, ResponseBody: rec.Body,
		CreatedAt: rec.CreatedAt, ExpiresAt: rec.ExpiresAt,
	}
	if row.ResponseBody == nil {
		row.ResponseBody = []byte{}
	}
	// Hand-written (one statement on every idempotent request) and sent to
	// the session's connection as written: GORM's reflective Create of the
	// row cost more than the statement's own round trip in the pipeline's
	// profile, and its Exec's statement build most of the rest.
	res, err := r.s.pool(ctx).ExecContext(ctx, insertIdempotencyKeySQL[r.s.Dialect],
		row.OrganizationID, row.Key, row.Method, row.Path, row.RequestHash, row.StatusCode, row.ContentType, row.ResponseBody, row.CreatedAt, row.ExpiresAt)
	if err != nil {
		return false, errcode.Wrapf(err, "claim idempotency key %q of organization %d", rec.Key, rec.OrganizationID)
	}
	n, err := res.RowsAffected()
	return n == 1, errcode.Wrapf(err, "claim idempotency key %q of organization %d", rec.Key, rec.OrganizationID)
}

// insertIdempotencyKeySQL is insertIdempotencyKey as each database's driver takes it.
var insertIdempotencyKeySQL = dialectSQL(insertIdempotencyKey)

// Record implements idempotency.Repository.
func (r *IdempotencyRepo) Record(ctx context.Context, orgID int64, key string) (idempotency.Record, error) {
	var row idempotencyRow
	if err := r.s.conn(ctx).Scopes(inOrg(orgID)).Where("key = ?", key).Take(&row).Error; err != nil {
		return idempotency.Record{}, errcode.Wrapf(notFound(err, "idempotency key %q not found", key), "read idempotency key %q of organization %d", key, orgID)
	}
	return idempotency.Record{
		OrganizationID: row.OrganizationID, Key: row.Key, Method: row.Method, Path: row.Path, RequestHash: row.RequestHash,
		Status: row.StatusCode, ContentType: row.ContentType, Body: row.ResponseBody,
		CreatedAt: row.CreatedAt.UTC(), ExpiresAt: row.ExpiresAt.UTC(),
	}, nil
}

// Delete implements idempotency.Repository.
func (r *IdempotencyRepo) Delete(ctx context.Context, orgID int64, key string) error {
	err := r.s.conn(ctx).Scopes(inOrg(orgID)).Where("key = ?", key).Delete(&idempotencyRow{}).Error
	return errcode.Wrapf(err, "delete idempotency key %q of organization %d", key, orgID)
}

// Purge implements idempotency.Repository.
func (r *IdempotencyRepo) Purge(ctx context.Context, t time.Time) (int64, error) {
	res := r.s.conn(ctx).Where("expires_at < ?", t.UTC()).Delete(&idempotencyRow{})
	return res.RowsAffected, errcode.Wrapf(res.Error, "purge the idempotency keys of every organization expired before %s", t.Format(time.RFC3339))
}
