-- +goose Up
-- 00023 on PostgreSQL drops the events' primary key on id (keeping the
-- key (organization_id, id) that the deliveries' foreign key uses) and
-- makes data text. Here data is already TEXT, and SQLite drops a primary
-- key only by rebuilding the table (a copy of every event and of the
-- deliveries' foreign key to it) for no measured gain on a database that
-- is not the production one; the store's reads join on
-- (organization_id, id) on both, which the UNIQUE index serves here too.
-- Nothing to change.
SELECT 1;

-- +goose Down
SELECT 1;
