-- +goose Up
-- 00027 on PostgreSQL replaces a request's keys to its organization,
-- customer and portfolio with one key to the customer's portfolio. SQLite
-- keeps 00005's keys (changing one means rebuilding the table); the
-- store's statements are the same on both. Nothing to change here.
SELECT 1;

-- +goose Down
SELECT 1;
