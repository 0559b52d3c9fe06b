-- +goose Up
-- 00030 on PostgreSQL makes the trading tables' column checks domains
-- (PostgreSQL plans a table's checks again for every statement). SQLite
-- has no domains and keeps 00005's checks.
SELECT 1;

-- +goose Down
SELECT 1;
