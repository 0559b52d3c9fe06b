-- +goose Up
-- As on PostgreSQL, the events' secondary index on (organization_id,
-- created_at) served no query: dropped. (The foreign key to organizations
-- stays here: SQLite drops one only by rebuilding the table.)
DROP INDEX webhook_events_org_created;

-- +goose Down
CREATE INDEX webhook_events_org_created ON webhook_events (organization_id, created_at);
