-- +goose Up
-- 00026 on PostgreSQL keeps only the requests' finest list-count keys.
-- SQLite keeps no list counts (its lists count their rows). Nothing to
-- change here.
SELECT 1;

-- +goose Down
SELECT 1;
