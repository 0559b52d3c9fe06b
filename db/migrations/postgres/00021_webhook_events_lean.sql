-- +goose Up
-- The outbox row of an event is written with every change (five per new
-- customer) and read by its id only (an attempt's joined read, the
-- delivery list's join, the purge's anti-join): the secondary index on
-- (organization_id, created_at) served no query, and the foreign key to
-- organizations checked on every insert what the change's own rows
-- already check in the same transaction (an event is recorded only with a
-- change of its organization, or by that organization's authenticated
-- call; organizations are never deleted). Deliveries keep their foreign
-- key to (organization_id, id), so an event and its deliveries stay in one
-- organization.
DROP INDEX webhook_events_org_created;
ALTER TABLE webhook_events DROP CONSTRAINT webhook_events_organization_id_fkey;

-- +goose Down
ALTER TABLE webhook_events ADD CONSTRAINT webhook_events_organization_id_fkey FOREIGN KEY (organization_id) REFERENCES organizations (id);
CREATE INDEX webhook_events_org_created ON webhook_events (organization_id, created_at);
