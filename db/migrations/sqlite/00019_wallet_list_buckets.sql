-- +goose Up
-- The hourly buckets of wallet customers (list_buckets) are PostgreSQL's
-- (00014, 00019): SQLite, the embedded single-writer default, skips the
-- offset in the index as before. Nothing to change here.
SELECT 1;

-- +goose Down
SELECT 1;
