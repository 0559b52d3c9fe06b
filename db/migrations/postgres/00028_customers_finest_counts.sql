-- +goose Up
-- The customers' maintained totals keep only their finest key, status
-- (issue 17, goal 1: every POST /v1/customers writes them): the whole
-- list's total is the sum of its three status keys (the investing_status
-- domain closes them: ACTIVE, SUSPENDED, CLOSED; each a primary-key range;
-- internal/store/list_counts.go, every), as 00026 did for requests. A
-- customer's insert writes 1 counter row and 1 bucket row instead of 2
-- and 2. The trigger function is 00022's and the rebuild 00026's but for
-- the customers' keys.
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION list_count_customers() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        WITH g AS MATERIALIZED (
            SELECT t.organization_id AS o, kk.k, date_bin('1 hour', t.created_at, '2000-01-01 00:00:00+00') AS b, count(*) AS n
            FROM inserted t, LATERAL (VALUES ('status=' || t.status)) AS kk(k)
            GROUP BY 1, 2, 3
        ), c AS (
            INSERT INTO list_counts AS c (organization_id, list, key, slot, n)
            SELECT o, 'customers', k, pg_backend_pid() % 256, sum(n) FROM g GROUP BY o, k ORDER BY o, k
            ON CONFLICT (organization_id, list, key, slot) DO UPDATE SET n = c.n + EXCLUDED.n
        )
        INSERT INTO list_buckets AS c (organization_id, list, key, bucket, slot, n)
        SELECT o, 'customers', k, b, pg_backend_pid() % 256, n FROM g ORDER BY o, k, b
        ON CONFLICT (organization_id, list, key, bucket, slot) DO UPDATE SET n = c.n + EXCLUDED.n;
    ELSIF TG_OP = 'DELETE' THEN
        WITH g AS MATERIALIZED (
            SELECT t.organization_id AS o, kk.k, date_bin('1 hour', t.created_at, '2000-01-01 00:00:00+00') AS b, -count(*) AS n
            FROM deleted t, LATERAL (VALUES ('status=' || t.status)) AS kk(k)
            GROUP BY 1, 2, 3
        ), c AS (
            INSERT INTO list_counts AS c (organization_id, list, key, slot, n)
            SELECT o, 'customers', k, pg_backend_pid() % 256, sum(n) FROM g GROUP BY o, k ORDER BY o, k
            ON CONFLICT (organization_id, list, key, slot) DO UPDATE SET n = c.n + EXCLUDED.n
        )
        INSERT INTO list_buckets AS c (organization_id, list, key, bucket, slot, n)
        SELECT o, 'customers', k, b, pg_backend_pid() % 256, n FROM g ORDER BY o, k, b
        ON CONFLICT (organization_id, list, key, bucket, slot) DO UPDATE SET n = c.n + EXCLUDED.n;
    ELSE -- the status changed: move the row from its old key to its new one
        WITH g AS MATERIALIZED (
            SELECT 'status=' || OLD.status AS k, -1 AS n UNION ALL SELECT 'status=' || NEW.status, 1
        ), c AS (
            INSERT INTO list_counts AS c (organization_id, list, key, slot, n)
            SELECT NEW.organization_id, 'customers', k, pg_backend_pid() % 256, n FROM g ORDER BY k
            ON CONFLICT (organization_id, list, key, slot) DO UPDATE SET n = c.n + EXCLUDED.n
        )
        INSERT INTO list_buckets AS c (organization_id, list, key, bucket, slot, n)
        SELECT NEW.organization_id, 'customers', k, date_bin('1 hour', NEW.created_at, '2000-01-01 00:00:00+00'), pg_backend_pid() % 256, n
        FROM g ORDER BY k
        ON CONFLICT (organization_id, list, key, bucket, slot) DO UPDATE SET n = c.n + EXCLUDED.n;
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

-- The rebuild (00026) with the customers' keys above.
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION list_counts_rebuild_investing() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    LOCK TABLE list_counts, list_buckets IN EXCLUSIVE MODE;
    DELETE FROM list_counts;
    DELETE FROM list_buckets;
    INSERT INTO list_counts (organization_id, list, key, slot, n)
    SELECT t.organization_id, 'customers', 'status=' || t.status, 0, count(*)
    FROM customers t GROUP BY t.organization_id, 3;
    INSERT INTO list_buckets (organization_id, list, key, bucket, slot, n)
    SELECT t.organization_id, 'customers', 'status=' || t.status, date_bin('1 hour', t.created_at, '2000-01-01 00:00:00+00'), 0, count(*)
    FROM customers t GROUP BY t.organization_id, 3, 4;
    INSERT INTO list_counts (organization_id, list, key, slot, n)
    SELECT t.organization_id, 'accounts', '', 0, count(*)
    FROM accounts t GROUP BY t.organization_id;
    INSERT INTO list_buckets (organization_id, list, key, bucket, slot, n)
    SELECT t.organization_id, 'accounts', k, date_bin('1 hour', t.created_at, '2000-01-01 00:00:00+00'), 0, count(*)
    FROM accounts t, LATERAL (VALUES ('')) AS kk(k) GROUP BY t.organization_id, k, 4;
    INSERT INTO list_counts (organization_id, list, key, slot, n)
    SELECT t.organization_id, 'standalone_portfolios', 'customer_id=' || t.customer_id, 0, count(*)
    FROM portfolios t WHERE t.account_id IS NULL GROUP BY t.organization_id, 3;
    INSERT INTO list_counts (organization_id, list, key, slot, n)
    SELECT t.organization_id, 'requests', k, 0, count(*)
    FROM requests t, LATERAL (VALUES ('customer_id=' || t.customer_id || '&' || 'status=' || t.status || '&' || 'request_type=' || t.request_type), ('status=' || t.status || '&' || 'request_type=' || t.request_type)) AS kk(k) GROUP BY t.organization_id, k;
    INSERT INTO list_buckets (organization_id, list, key, bucket, slot, n)
    SELECT t.organization_id, 'requests', 'status=' || t.status || '&' || 'request_type=' || t.request_type, date_bin('1 hour', t.created_at, '2000-01-01 00:00:00+00'), 0, count(*)
    FROM requests t GROUP BY t.organization_id, 3, 4;
    INSERT INTO list_counts (organization_id, list, key, slot, n)
    SELECT t.organization_id, 'assets', k, 0, count(*)
    FROM assets t, LATERAL (VALUES (''), ('customer_id=' || t.customer_id), ('account_id=' || t.account_id), ('portfolio_id=' || t.portfolio_id), ('customer_id=' || t.customer_id || '&' || 'account_id=' || t.account_id), ('customer_id=' || t.customer_id || '&' || 'portfolio_id=' || t.portfolio_id), ('account_id=' || t.account_id || '&' || 'portfolio_id=' || t.portfolio_id), ('customer_id=' || t.customer_id || '&' || 'account_id=' || t.account_id || '&' || 'portfolio_id=' || t.portfolio_id)) AS kk(k) GROUP BY t.organization_id, k;
    INSERT INTO list_buckets (organization_id, list, key, bucket, slot, n)
    SELECT t.organization_id, 'assets', k, date_bin('1 hour', t.created_at, '2000-01-01 00:00:00+00'), 0, count(*)
    FROM assets t, LATERAL (VALUES ('')) AS kk(k) GROUP BY t.organization_id, k, 4;
    INSERT INTO list_counts (organization_id, list, key, slot, n)
    SELECT t.organization_id, 'transactions', k, 0, count(*)
    FROM transactions t, LATERAL (VALUES (''), ('customer_id=' || t.customer_id), ('request_id=' || t.request_id), ('customer_id=' || t.customer_id || '&' || 'request_id=' || t.request_id)) AS kk(k) GROUP BY t.organization_id, k;
    INSERT INTO list_buckets (organization_id, list, key, bucket, slot, n)
    SELECT t.organization_id, 'transactions', k, date_bin('1 hour', t.created_at, '2000-01-01 00:00:00+00'), 0, count(*)
    FROM transactions t, LATERAL (VALUES ('')) AS kk(k) GROUP BY t.organization_id, k, 4;
END
$$;
-- +goose StatementEnd

DELETE FROM list_counts WHERE list = 'customers' AND key = '';
DELETE FROM list_buckets WHERE list = 'customers' AND key = '';

-- +goose Down
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION list_count_customers() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        WITH g AS MATERIALIZED (
            SELECT t.organization_id AS o, kk.k, date_bin('1 hour', t.created_at, '2000-01-01 00:00:00+00') AS b, count(*) AS n
            FROM inserted t, LATERAL (VALUES (''), ('status=' || t.status)) AS kk(k)
            GROUP BY 1, 2, 3
        ), c AS (
            INSERT INTO list_counts AS c (organization_id, list, key, slot, n)
            SELECT o, 'customers', k, pg_backend_pid() % 256, sum(n) FROM g GROUP BY o, k ORDER BY o, k
            ON CONFLICT (organization_id, list, key, slot) DO UPDATE SET n = c.n + EXCLUDED.n
        )
        INSERT INTO list_buckets AS c (organization_id, list, key, bucket, slot, n)
        SELECT o, 'customers', k, b, pg_backend_pid() % 256, n FROM g ORDER BY o, k, b
        ON CONFLICT (organization_id, list, key, bucket, slot) DO UPDATE SET n = c.n + EXCLUDED.n;
    ELSIF TG_OP = 'DELETE' THEN
        WITH g AS MATERIALIZED (
            SELECT t.organization_id AS o, kk.k, date_bin('1 hour', t.created_at, '2000-01-01 00:00:00+00') AS b, -count(*) AS n
            FROM deleted t, LATERAL (VALUES (''), ('status=' || t.status)) AS kk(k)
            GROUP BY 1, 2, 3
        ), c AS (
            INSERT INTO list_counts AS c (organization_id, list, key, slot, n)
            SELECT o, 'customers', k, pg_backend_pid() % 256, sum(n) FROM g GROUP BY o, k ORDER BY o, k
            ON CONFLICT (organization_id, list, key, slot) DO UPDATE SET n = c.n + EXCLUDED.n
        )
        INSERT INTO list_buckets AS c (organization_id, list, key, bucket, slot, n)
        SELECT o, 'customers', k, b, pg_backend_pid() % 256, n FROM g ORDER BY o, k, b
        ON CONFLICT (organization_id, list, key, bucket, slot) DO UPDATE SET n = c.n + EXCLUDED.n;
    ELSE -- the status changed: move the row from its old key to its new one
        WITH g AS MATERIALIZED (
            SELECT 'status=' || OLD.status AS k, -1 AS n UNION ALL SELECT 'status=' || NEW.status, 1
        ), c AS (
            INSERT INTO list_counts AS c (organization_id, list, key, slot, n)
            SELECT NEW.organization_id, 'customers', k, pg_backend_pid() % 256, n FROM g ORDER BY k
            ON CONFLICT (organization_id, list, key, slot) DO UPDATE SET n = c.n + EXCLUDED.n
        )
        INSERT INTO list_buckets AS c (organization_id, list, key, bucket, slot, n)
        SELECT NEW.organization_id, 'customers', k, date_bin('1 hour', NEW.created_at, '2000-01-01 00:00:00+00'), pg_backend_pid() % 256, n
        FROM g ORDER BY k
        ON CONFLICT (organization_id, list, key, bucket, slot) DO UPDATE SET n = c.n + EXCLUDED.n;
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION list_counts_rebuild_investing() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    LOCK TABLE list_counts, list_buckets IN EXCLUSIVE MODE;
    DELETE FROM list_counts;
    DELETE FROM list_buckets;
    INSERT INTO list_counts (organization_id, list, key, slot, n)
    SELECT t.organization_id, 'customers', k, 0, count(*)
    FROM customers t, LATERAL (VALUES (''), ('status=' || t.status)) AS kk(k) GROUP BY t.organization_id, k;
    INSERT INTO list_buckets (organization_id, list, key, bucket, slot, n)
    SELECT t.organization_id, 'customers', k, date_bin('1 hour', t.created_at, '2000-01-01 00:00:00+00'), 0, count(*)
    FROM customers t, LATERAL (VALUES (''), ('status=' || t.status)) AS kk(k) GROUP BY t.organization_id, k, 4;
    INSERT INTO list_counts (organization_id, list, key, slot, n)
    SELECT t.organization_id, 'accounts', '', 0, count(*)
    FROM accounts t GROUP BY t.organization_id;
    INSERT INTO list_buckets (organization_id, list, key, bucket, slot, n)
    SELECT t.organization_id, 'accounts', k, date_bin('1 hour', t.created_at, '2000-01-01 00:00:00+00'), 0, count(*)
    FROM accounts t, LATERAL (VALUES ('')) AS kk(k) GROUP BY t.organization_id, k, 4;
    INSERT INTO list_counts (organization_id, list, key, slot, n)
    SELECT t.organization_id, 'standalone_portfolios', 'customer_id=' || t.customer_id, 0, count(*)
    FROM portfolios t WHERE t.account_id IS NULL GROUP BY t.organization_id, 3;
    INSERT INTO list_counts (organization_id, list, key, slot, n)
    SELECT t.organization_id, 'requests', k, 0, count(*)
    FROM requests t, LATERAL (VALUES ('customer_id=' || t.customer_id || '&' || 'status=' || t.status || '&' || 'request_type=' || t.request_type), ('status=' || t.status || '&' || 'request_type=' || t.request_type)) AS kk(k) GROUP BY t.organization_id, k;
    INSERT INTO list_buckets (organization_id, list, key, bucket, slot, n)
    SELECT t.organization_id, 'requests', 'status=' || t.status || '&' || 'request_type=' || t.request_type, date_bin('1 hour', t.created_at, '2000-01-01 00:00:00+00'), 0, count(*)
    FROM requests t GROUP BY t.organization_id, 3, 4;
    INSERT INTO list_counts (organization_id, list, key, slot, n)
    SELECT t.organization_id, 'assets', k, 0, count(*)
    FROM assets t, LATERAL (VALUES (''), ('customer_id=' || t.customer_id), ('account_id=' || t.account_id), ('portfolio_id=' || t.portfolio_id), ('customer_id=' || t.customer_id || '&' || 'account_id=' || t.account_id), ('customer_id=' || t.customer_id || '&' || 'portfolio_id=' || t.portfolio_id), ('account_id=' || t.account_id || '&' || 'portfolio_id=' || t.portfolio_id), ('customer_id=' || t.customer_id || '&' || 'account_id=' || t.account_id || '&' || 'portfolio_id=' || t.portfolio_id)) AS kk(k) GROUP BY t.organization_id, k;
    INSERT INTO list_buckets (organization_id, list, key, bucket, slot, n)
    SELECT t.organization_id, 'assets', k, date_bin('1 hour', t.created_at, '2000-01-01 00:00:00+00'), 0, count(*)
    FROM assets t, LATERAL (VALUES ('')) AS kk(k) GROUP BY t.organization_id, k, 4;
    INSERT INTO list_counts (organization_id, list, key, slot, n)
    SELECT t.organization_id, 'transactions', k, 0, count(*)
    FROM transactions t, LATERAL (VALUES (''), ('customer_id=' || t.customer_id), ('request_id=' || t.request_id), ('customer_id=' || t.customer_id || '&' || 'request_id=' || t.request_id)) AS kk(k) GROUP BY t.organization_id, k;
    INSERT INTO list_buckets (organization_id, list, key, bucket, slot, n)
    SELECT t.organization_id, 'transactions', k, date_bin('1 hour', t.created_at, '2000-01-01 00:00:00+00'), 0, count(*)
    FROM transactions t, LATERAL (VALUES ('')) AS kk(k) GROUP BY t.organization_id, k, 4;
END
$$;
-- +goose StatementEnd

INSERT INTO list_counts (organization_id, list, key, slot, n)
SELECT organization_id, 'customers', '', 0, sum(n) FROM list_counts WHERE list = 'customers' GROUP BY organization_id;
INSERT INTO list_buckets (organization_id, list, key, bucket, slot, n)
SELECT organization_id, 'customers', '', bucket, 0, sum(n) FROM list_buckets WHERE list = 'customers' GROUP BY organization_id, bucket;
