-- +goose Up
-- The requests' maintained totals keep only their finest keys (issue 17):
-- (customer_id, status, request_type) and (status, request_type) in
-- list_counts, (status, request_type) in list_buckets, instead of every
-- subset of the three columns (8 keys and 4 bucket keys per request). A
-- filter that leaves out status or request_type is the sum of the kept
-- keys over each of their values, which the table's CHECKs close (4
-- statuses, 2 types: at most 8 keys, each a primary-key range;
-- internal/store/list_counts.go, every). A request's insert writes 2
-- counter rows and 1 bucket row instead of 12; a status change 4 and 2
-- instead of 8 and 4. The functions are 00020's and 00022's but for the
-- requests' keys.
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION list_count_requests() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO list_counts AS c (organization_id, list, key, slot, n)
        SELECT t.organization_id, 'requests', k, pg_backend_pid() % 256, count(*)
        FROM inserted t, LATERAL (VALUES ('customer_id=' || t.customer_id || '&' || 'status=' || t.status || '&' || 'request_type=' || t.request_type), ('status=' || t.status || '&' || 'request_type=' || t.request_type)) AS kk(k)
        GROUP BY t.organization_id, k ORDER BY t.organization_id, k
        ON CONFLICT (organization_id, list, key, slot) DO UPDATE SET n = c.n + EXCLUDED.n;
        INSERT INTO list_buckets AS c (organization_id, list, key, bucket, slot, n)
        SELECT t.organization_id, 'requests', 'status=' || t.status || '&' || 'request_type=' || t.request_type, date_bin('1 hour', t.created_at, '2000-01-01 00:00:00+00'), pg_backend_pid() % 256, count(*)
        FROM inserted t
        GROUP BY t.organization_id, 3, 4 ORDER BY t.organization_id, 3, 4
        ON CONFLICT (organization_id, list, key, bucket, slot) DO UPDATE SET n = c.n + EXCLUDED.n;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO list_counts AS c (organization_id, list, key, slot, n)
        SELECT t.organization_id, 'requests', k, pg_backend_pid() % 256, -count(*)
        FROM deleted t, LATERAL (VALUES ('customer_id=' || t.customer_id || '&' || 'status=' || t.status || '&' || 'request_type=' || t.request_type), ('status=' || t.status || '&' || 'request_type=' || t.request_type)) AS kk(k)
        GROUP BY t.organization_id, k ORDER BY t.organization_id, k
        ON CONFLICT (organization_id, list, key, slot) DO UPDATE SET n = c.n + EXCLUDED.n;
        INSERT INTO list_buckets AS c (organization_id, list, key, bucket, slot, n)
        SELECT t.organization_id, 'requests', 'status=' || t.status || '&' || 'request_type=' || t.request_type, date_bin('1 hour', t.created_at, '2000-01-01 00:00:00+00'), pg_backend_pid() % 256, -count(*)
        FROM deleted t
        GROUP BY t.organization_id, 3, 4 ORDER BY t.organization_id, 3, 4
        ON CONFLICT (organization_id, list, key, bucket, slot) DO UPDATE SET n = c.n + EXCLUDED.n;
    ELSE -- a row's key columns changed: move it from its old keys to its new ones
        INSERT INTO list_counts AS c (organization_id, list, key, slot, n)
        SELECT NEW.organization_id, 'requests', x.k, pg_backend_pid() % 256, sum(x.d)
        FROM (SELECT k, -1 AS d FROM (VALUES ('customer_id=' || OLD.customer_id || '&' || 'status=' || OLD.status || '&' || 'request_type=' || OLD.request_type), ('status=' || OLD.status || '&' || 'request_type=' || OLD.request_type)) AS kk(k)
              UNION ALL
              SELECT k, 1 FROM (VALUES ('customer_id=' || NEW.customer_id || '&' || 'status=' || NEW.status || '&' || 'request_type=' || NEW.request_type), ('status=' || NEW.status || '&' || 'request_type=' || NEW.request_type)) AS kk(k)) x
        GROUP BY x.k HAVING sum(x.d) <> 0 ORDER BY x.k
        ON CONFLICT (organization_id, list, key, slot) DO UPDATE SET n = c.n + EXCLUDED.n;
        IF OLD.status IS DISTINCT FROM NEW.status OR OLD.request_type IS DISTINCT FROM NEW.request_type THEN
            INSERT INTO list_buckets AS c (organization_id, list, key, bucket, slot, n)
            SELECT NEW.organization_id, 'requests', x.k, date_bin('1 hour', NEW.created_at, '2000-01-01 00:00:00+00'), pg_backend_pid() % 256, x.d
            FROM (VALUES ('status=' || OLD.status || '&' || 'request_type=' || OLD.request_type, -1), ('status=' || NEW.status || '&' || 'request_type=' || NEW.request_type, 1)) AS x(k, d)
            ORDER BY x.k
            ON CONFLICT (organization_id, list, key, bucket, slot) DO UPDATE SET n = c.n + EXCLUDED.n;
        END IF;
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

-- The rebuild (00022) with the requests' keys above.
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

DELETE FROM list_counts WHERE list = 'requests' AND NOT (
    (left(key, 12) = 'customer_id=' AND cardinality(string_to_array(key, '&')) = 3)
    OR (left(key, 7) = 'status=' AND cardinality(string_to_array(key, '&')) = 2));
DELETE FROM list_buckets WHERE list = 'requests' AND NOT (
    left(key, 7) = 'status=' AND cardinality(string_to_array(key, '&')) = 2);

-- +goose Down
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION list_count_requests() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO list_counts AS c (organization_id, list, key, slot, n)
        SELECT t.organization_id, 'requests', k, pg_backend_pid() % 256, count(*)
        FROM inserted t, LATERAL (VALUES (''), ('customer_id=' || t.customer_id), ('status=' || t.status), ('request_type=' || t.request_type), ('customer_id=' || t.customer_id || '&' || 'status=' || t.status), ('customer_id=' || t.customer_id || '&' || 'request_type=' || t.request_type), ('status=' || t.status || '&' || 'request_type=' || t.request_type), ('customer_id=' || t.customer_id || '&' || 'status=' || t.status || '&' || 'request_type=' || t.request_type)) AS kk(k)
        GROUP BY t.organization_id, k ORDER BY t.organization_id, k
        ON CONFLICT (organization_id, list, key, slot) DO UPDATE SET n = c.n + EXCLUDED.n;
        INSERT INTO list_buckets AS c (organization_id, list, key, bucket, slot, n)
        SELECT t.organization_id, 'requests', k, date_bin('1 hour', t.created_at, '2000-01-01 00:00:00+00'), pg_backend_pid() % 256, count(*)
        FROM inserted t, LATERAL (VALUES (''), ('status=' || t.status), ('request_type=' || t.request_type), ('status=' || t.status || '&' || 'request_type=' || t.request_type)) AS kk(k)
        GROUP BY t.organization_id, k, 4 ORDER BY t.organization_id, k, 4
        ON CONFLICT (organization_id, list, key, bucket, slot) DO UPDATE SET n = c.n + EXCLUDED.n;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO list_counts AS c (organization_id, list, key, slot, n)
        SELECT t.organization_id, 'requests', k, pg_backend_pid() % 256, -count(*)
        FROM deleted t, LATERAL (VALUES (''), ('customer_id=' || t.customer_id), ('status=' || t.status), ('request_type=' || t.request_type), ('customer_id=' || t.customer_id || '&' || 'status=' || t.status), ('customer_id=' || t.customer_id || '&' || 'request_type=' || t.request_type), ('status=' || t.status || '&' || 'request_type=' || t.request_type), ('customer_id=' || t.customer_id || '&' || 'status=' || t.status || '&' || 'request_type=' || t.request_type)) AS kk(k)
        GROUP BY t.organization_id, k ORDER BY t.organization_id, k
        ON CONFLICT (organization_id, list, key, slot) DO UPDATE SET n = c.n + EXCLUDED.n;
        INSERT INTO list_buckets AS c (organization_id, list, key, bucket, slot, n)
        SELECT t.organization_id, 'requests', k, date_bin('1 hour', t.created_at, '2000-01-01 00:00:00+00'), pg_backend_pid() % 256, -count(*)
        FROM deleted t, LATERAL (VALUES (''), ('status=' || t.status), ('request_type=' || t.request_type), ('status=' || t.status || '&' || 'request_type=' || t.request_type)) AS kk(k)
        GROUP BY t.organization_id, k, 4 ORDER BY t.organization_id, k, 4
        ON CONFLICT (organization_id, list, key, bucket, slot) DO UPDATE SET n = c.n + EXCLUDED.n;
    ELSE -- a row's key columns changed: move it from its old keys to its new ones
        INSERT INTO list_counts AS c (organization_id, list, key, slot, n)
        SELECT NEW.organization_id, 'requests', x.k, pg_backend_pid() % 256, sum(x.d)
        FROM (SELECT k, -1 AS d FROM (VALUES (''), ('customer_id=' || OLD.customer_id), ('status=' || OLD.status), ('request_type=' || OLD.request_type), ('customer_id=' || OLD.customer_id || '&' || 'status=' || OLD.status), ('customer_id=' || OLD.customer_id || '&' || 'request_type=' || OLD.request_type), ('status=' || OLD.status || '&' || 'request_type=' || OLD.request_type), ('customer_id=' || OLD.customer_id || '&' || 'status=' || OLD.status || '&' || 'request_type=' || OLD.request_type)) AS kk(k)
              UNION ALL
              SELECT k, 1 FROM (VALUES (''), ('customer_id=' || NEW.customer_id), ('status=' || NEW.status), ('request_type=' || NEW.request_type), ('customer_id=' || NEW.customer_id || '&' || 'status=' || NEW.status), ('customer_id=' || NEW.customer_id || '&' || 'request_type=' || NEW.request_type), ('status=' || NEW.status || '&' || 'request_type=' || NEW.request_type), ('customer_id=' || NEW.customer_id || '&' || 'status=' || NEW.status || '&' || 'request_type=' || NEW.request_type)) AS kk(k)) x
        GROUP BY x.k HAVING sum(x.d) <> 0 ORDER BY x.k
        ON CONFLICT (organization_id, list, key, slot) DO UPDATE SET n = c.n + EXCLUDED.n;
        INSERT INTO list_buckets AS c (organization_id, list, key, bucket, slot, n)
        SELECT NEW.organization_id, 'requests', x.k, date_bin('1 hour', NEW.created_at, '2000-01-01 00:00:00+00'), pg_backend_pid() % 256, sum(x.d)
        FROM (SELECT k, -1 AS d FROM (VALUES (''), ('status=' || OLD.status), ('request_type=' || OLD.request_type), ('status=' || OLD.status || '&' || 'request_type=' || OLD.request_type)) AS kk(k)
              UNION ALL
              SELECT k, 1 FROM (VALUES (''), ('status=' || NEW.status), ('request_type=' || NEW.request_type), ('status=' || NEW.status || '&' || 'request_type=' || NEW.request_type)) AS kk(k)) x
        GROUP BY x.k HAVING sum(x.d) <> 0 ORDER BY x.k
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
    FROM requests t, LATERAL (VALUES (''), ('customer_id=' || t.customer_id), ('status=' || t.status), ('request_type=' || t.request_type), ('customer_id=' || t.customer_id || '&' || 'status=' || t.status), ('customer_id=' || t.customer_id || '&' || 'request_type=' || t.request_type), ('status=' || t.status || '&' || 'request_type=' || t.request_type), ('customer_id=' || t.customer_id || '&' || 'status=' || t.status || '&' || 'request_type=' || t.request_type)) AS kk(k) GROUP BY t.organization_id, k;
    INSERT INTO list_buckets (organization_id, list, key, bucket, slot, n)
    SELECT t.organization_id, 'requests', k, date_bin('1 hour', t.created_at, '2000-01-01 00:00:00+00'), 0, count(*)
    FROM requests t, LATERAL (VALUES (''), ('status=' || t.status), ('request_type=' || t.request_type), ('status=' || t.status || '&' || 'request_type=' || t.request_type)) AS kk(k) GROUP BY t.organization_id, k, 4;
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

DELETE FROM list_counts WHERE list = 'requests';
DELETE FROM list_buckets WHERE list = 'requests';
INSERT INTO list_counts (organization_id, list, key, slot, n)
SELECT t.organization_id, 'requests', k, 0, count(*)
FROM requests t, LATERAL (VALUES (''), ('customer_id=' || t.customer_id), ('status=' || t.status), ('request_type=' || t.request_type), ('customer_id=' || t.customer_id || '&' || 'status=' || t.status), ('customer_id=' || t.customer_id || '&' || 'request_type=' || t.request_type), ('status=' || t.status || '&' || 'request_type=' || t.request_type), ('customer_id=' || t.customer_id || '&' || 'status=' || t.status || '&' || 'request_type=' || t.request_type)) AS kk(k) GROUP BY t.organization_id, k;
INSERT INTO list_buckets (organization_id, list, key, bucket, slot, n)
SELECT t.organization_id, 'requests', k, date_bin('1 hour', t.created_at, '2000-01-01 00:00:00+00'), 0, count(*)
FROM requests t, LATERAL (VALUES (''), ('status=' || t.status), ('request_type=' || t.request_type), ('status=' || t.status || '&' || 'request_type=' || t.request_type)) AS kk(k) GROUP BY t.organization_id, k, 4;
