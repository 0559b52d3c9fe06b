-- +goose Up
-- 00025 on PostgreSQL drops the idempotency keys' foreign key to
-- organizations and makes a portfolio's key to its account carry the
-- investment type (its own key to investment_types implied). SQLite keeps
-- 00001's keys (changing one means rebuilding the table); the store's
-- statements are the same on both. Nothing to change here.
SELECT 1;

-- +goose Down
SELECT 1;
