-- +goose Up
-- Issue 17's maintained list totals are PostgreSQL's (list_counts and its
-- triggers): on SQLite, the embedded single-writer default, the investing
-- lists keep counting their rows. The indexes of the filtered pages are
-- the same.
CREATE INDEX customers_org_status_created ON customers (organization_id, status, created_at, id);
CREATE INDEX requests_org_status_created ON requests (organization_id, status, created_at, id, request_type);
CREATE INDEX requests_org_type_created ON requests (organization_id, request_type, created_at, id);

-- +goose Down
DROP INDEX requests_org_type_created;
DROP INDEX requests_org_status_created;
DROP INDEX customers_org_status_created;
