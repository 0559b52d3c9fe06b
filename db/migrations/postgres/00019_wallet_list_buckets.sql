-- +goose Up
-- Hourly buckets of created_at for the wallet customers of each
-- counterparty (issue 17, goal 4): an unfiltered page in the default order
-- (created_at, either direction) deeper than 1,000 rows from both ends
-- starts at the hour it falls in, like the investing lists (00014), instead
-- of skipping up to 500,000 index entries. The total stays the counter on
-- the counterparty row (00003). Key: 'counterparty_id=N' of list
-- 'wallet_customers', under the customer's organization; created_at and
-- counterparty_id never change, so inserts and deletes keep it exact.
-- +goose StatementBegin
CREATE FUNCTION list_bucket_wallet_customers() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO list_buckets AS c (organization_id, list, key, bucket, slot, n)
        SELECT t.organization_id, 'wallet_customers', 'counterparty_id=' || t.counterparty_id,
               date_bin('1 hour', t.created_at, '2000-01-01 00:00:00+00'), pg_backend_pid() % 16, count(*)
        FROM inserted t
        GROUP BY 1, 3, 4 ORDER BY 1, 3, 4
        ON CONFLICT (organization_id, list, key, bucket, slot) DO UPDATE SET n = c.n + EXCLUDED.n;
    ELSE
        INSERT INTO list_buckets AS c (organization_id, list, key, bucket, slot, n)
        SELECT t.organization_id, 'wallet_customers', 'counterparty_id=' || t.counterparty_id,
               date_bin('1 hour', t.created_at, '2000-01-01 00:00:00+00'), pg_backend_pid() % 16, -count(*)
        FROM deleted t
        GROUP BY 1, 3, 4 ORDER BY 1, 3, 4
        ON CONFLICT (organization_id, list, key, bucket, slot) DO UPDATE SET n = c.n + EXCLUDED.n;
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER wallet_customers_bucket_insert AFTER INSERT ON wallet_customers
    REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION list_bucket_wallet_customers();
CREATE TRIGGER wallet_customers_bucket_delete AFTER DELETE ON wallet_customers
    REFERENCING OLD TABLE AS deleted FOR EACH STATEMENT EXECUTE FUNCTION list_bucket_wallet_customers();

INSERT INTO list_buckets (organization_id, list, key, bucket, slot, n)
SELECT organization_id, 'wallet_customers', 'counterparty_id=' || counterparty_id,
       date_bin('1 hour', created_at, '2000-01-01 00:00:00+00'), 0, count(*)
FROM wallet_customers GROUP BY 1, 3, 4;

-- list_counts_rebuild() (which empties list_buckets) recounts these too.
ALTER FUNCTION list_counts_rebuild() RENAME TO list_counts_rebuild_investing;
-- +goose StatementBegin
CREATE FUNCTION list_counts_rebuild() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    PERFORM list_counts_rebuild_investing();
    INSERT INTO list_buckets (organization_id, list, key, bucket, slot, n)
    SELECT organization_id, 'wallet_customers', 'counterparty_id=' || counterparty_id,
           date_bin('1 hour', created_at, '2000-01-01 00:00:00+00'), 0, count(*)
    FROM wallet_customers GROUP BY 1, 3, 4;
END
$$;
-- +goose StatementEnd

-- +goose Down
DROP FUNCTION list_counts_rebuild();
ALTER FUNCTION list_counts_rebuild_investing() RENAME TO list_counts_rebuild;
DROP TRIGGER wallet_customers_bucket_delete ON wallet_customers;
DROP TRIGGER wallet_customers_bucket_insert ON wallet_customers;
DROP FUNCTION list_bucket_wallet_customers();
DELETE FROM list_buckets WHERE list = 'wallet_customers';
