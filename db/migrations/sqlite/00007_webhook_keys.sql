-- +goose Up
-- A signing key pair per webhook (see the PostgreSQL migration). SQLite
-- cannot add a UNIQUE column or a table CHECK with ALTER TABLE: the
-- uniqueness is a unique index, the column CHECK is inline.
ALTER TABLE webhooks ADD COLUMN signing_key_id TEXT;
ALTER TABLE webhooks ADD COLUMN signing_seed BLOB CHECK (signing_seed IS NULL OR length(signing_seed) = 32);
ALTER TABLE webhooks ADD COLUMN signing_key_created_at DATETIME;
CREATE UNIQUE INDEX webhooks_signing_key_id ON webhooks (signing_key_id);

UPDATE webhooks SET subscriptions = replace(subscriptions, 'AUTH.UPDATED', 'AUTH.DELETED')
WHERE subscriptions LIKE '%AUTH.UPDATED%';

-- +goose Down
DROP INDEX webhooks_signing_key_id;
ALTER TABLE webhooks DROP COLUMN signing_key_created_at;
ALTER TABLE webhooks DROP COLUMN signing_seed;
ALTER TABLE webhooks DROP COLUMN signing_key_id;
