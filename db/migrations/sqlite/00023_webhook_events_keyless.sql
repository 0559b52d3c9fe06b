-- +goose Up
-- 00023 on PostgreSQL drops the events' primary key on id (keeping the
-- key (organization_id, id)) and makes data text. Here data is already TEXT, and SQLite drops a primary
-- key only by rebuilding the table (a copy of every event and of the
-- deliveries' foreign key to it) for no measured gain on a database that
-- is not the production one; the store's reads join on
-- (organization_id, id) on both, which the UNIQUE index serves here too.
--
-- PostgreSQL also drops the deliveries' foreign key to their event, which
-- made the retention purge scan every delivery for each event it deleted.
-- Dropping it here is a rebuild of webhook_deliveries; an index on
-- (organization_id, event_id) serves the key's check instead.
CREATE INDEX webhook_deliveries_event ON webhook_deliveries (organization_id, event_id);

-- +goose Down
DROP INDEX webhook_deliveries_event;
