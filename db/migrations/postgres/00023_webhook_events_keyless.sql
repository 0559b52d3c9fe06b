-- +goose Up
-- Every change writes its events here (five per new customer) and each
-- row paid for two unique indexes on the same uuid: the primary key (id)
-- and (organization_id, id). Every read of an event goes by its
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

-- The deliveries' foreign key to their event: every delivery is inserted
-- by the emission that inserts its event, in the same transaction and
-- organization, and every read joins a delivery to its event on
-- (organization_id, event_id), so a delivery can reach no other
-- organization's event. The key cost five checks (each locking the new
-- event row) per POST /v1/customers with a webhook on ALL, and made the
-- retention purge quadratic: nothing indexes the deliveries by event, so
-- each event the purge deleted had the key scan every delivery (1,000
-- events against 20,000 deliveries: 4.2 s in the key's trigger). The
-- purge deletes only events that no delivery refers to (its anti-join),
-- after the finished deliveries, in one transaction.
ALTER TABLE webhook_deliveries DROP CONSTRAINT webhook_deliveries_organization_id_event_id_fkey;

-- +goose Down
ALTER TABLE webhook_deliveries ADD CONSTRAINT webhook_deliveries_organization_id_event_id_fkey
    FOREIGN KEY (organization_id, event_id) REFERENCES webhook_events (organization_id, id);
ALTER TABLE webhook_events ALTER COLUMN data TYPE jsonb USING data::jsonb;
ALTER TABLE webhook_events ADD PRIMARY KEY (id);
