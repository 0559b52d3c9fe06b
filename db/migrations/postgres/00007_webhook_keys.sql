-- +goose Up
-- A signing key pair per webhook (the investing docs: "a signing key pair
-- is generated for that webhook"); GET /v1/webhooks/key publishes its
-- public half. Webhooks created before this migration get theirs when the
-- service starts (webhook.Service.EnsureKey); until then the server key
-- (webhook_keys) signs their deliveries.
ALTER TABLE webhooks ADD COLUMN signing_key_id text UNIQUE;
ALTER TABLE webhooks ADD COLUMN signing_seed bytea CHECK (length(signing_seed) = 32);
ALTER TABLE webhooks ADD COLUMN signing_key_created_at timestamptz;
ALTER TABLE webhooks ADD CONSTRAINT webhooks_signing_key_complete
    CHECK ((signing_key_id IS NULL) = (signing_seed IS NULL) AND (signing_seed IS NULL) = (signing_key_created_at IS NULL));

-- AUTH's per-event subscriptions are AUTH.CREATED and AUTH.DELETED (token
-- created / revoked or expired); AUTH.UPDATED, once accepted, named no event.
UPDATE webhooks SET subscriptions = replace(subscriptions, 'AUTH.UPDATED', 'AUTH.DELETED')
WHERE subscriptions LIKE '%AUTH.UPDATED%';

-- +goose Down
ALTER TABLE webhooks DROP CONSTRAINT webhooks_signing_key_complete;
ALTER TABLE webhooks DROP COLUMN signing_key_created_at;
ALTER TABLE webhooks DROP COLUMN signing_seed;
ALTER TABLE webhooks DROP COLUMN signing_key_id;
