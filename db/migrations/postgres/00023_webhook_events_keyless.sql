-- +goose Up
-- Every change writes its events here (five per new customer) and each
-- row paid for two unique indexes on the same uuid: the primary key (id)
-- and (organization_id, id), which the deliveries' foreign key
-- (organization_id, event_id) needs. Every read of an event goes by its
-- organization and id (an attempt's joined read, the delivery list's join,
-- the purge's anti-join, the event read), so (organization_id, id) is the
-- table's key and the primary key on id alone is dropped: one index entry
-- per event instead of two. An id is still unique within its
-- organization (a random uuid across them).
--
-- data is text instead of jsonb: nothing in SQL reads into it (it is
-- written once and sent as it was written), so PostgreSQL no longer
-- parses and re-encodes every event's JSON on insert. Deliveries send the
-- resource with its keys in the order the API renders them, as on SQLite,
-- instead of jsonb's order.
ALTER TABLE webhook_events DROP CONSTRAINT webhook_events_pkey;
ALTER TABLE webhook_events ALTER COLUMN data TYPE text;

-- +goose Down
ALTER TABLE webhook_events ALTER COLUMN data TYPE jsonb USING data::jsonb;
ALTER TABLE webhook_events ADD PRIMARY KEY (id);
