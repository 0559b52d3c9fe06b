-- +goose Up
-- 00029 on PostgreSQL drops the keys by which every create of an
-- organization locked its one row (FOR KEY SHARE, a MultiXact per pair of
-- overlapping creates). SQLite has one writer and no row locks: it keeps
-- 00001's keys (changing one means rebuilding the table).
SELECT 1;

-- +goose Down
SELECT 1;
