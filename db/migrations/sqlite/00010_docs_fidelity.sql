-- +goose Up
-- The kwacha is written ZMW (ISO 4217) or ZK (the investing vendor's
-- endpoint pages): `currency` keeps the ISO code, `currency_spelling` the
-- other spelling when the client used it, so that a resource answers with
-- the spelling it was created with.
ALTER TABLE accounts ADD COLUMN currency_spelling text CHECK (currency_spelling IN ('ZK'));
ALTER TABLE portfolios ADD COLUMN currency_spelling text CHECK (currency_spelling IN ('ZK'));
ALTER TABLE assets ADD COLUMN currency_spelling text CHECK (currency_spelling IN ('ZK'));
ALTER TABLE requests ADD COLUMN currency_spelling text CHECK (currency_spelling IN ('ZK'));
ALTER TABLE transactions ADD COLUMN currency_spelling text CHECK (currency_spelling IN ('ZK'));

-- The shares pending sells hold (an asset's `locked`) are read per asset.
CREATE INDEX requests_org_asset_pending_sell ON requests (organization_id, asset_id) WHERE status = 'PENDING' AND request_type = 'SELL';

-- +goose Down
DROP INDEX requests_org_asset_pending_sell;
ALTER TABLE transactions DROP COLUMN currency_spelling;
ALTER TABLE requests DROP COLUMN currency_spelling;
ALTER TABLE assets DROP COLUMN currency_spelling;
ALTER TABLE portfolios DROP COLUMN currency_spelling;
ALTER TABLE accounts DROP COLUMN currency_spelling;
