-- +goose Up
-- 00028 on PostgreSQL keeps only the customers' finest list-count key.
-- SQLite keeps no list counts (its lists count their rows). Nothing to
-- change here.
SELECT 1;

-- +goose Down
SELECT 1;
