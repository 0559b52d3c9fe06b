-- +goose Up
-- The maintained list counts (00014, 00019) spread each key over 256 slots
-- instead of 16 (pg_backend_pid() % 256). A slot is one row that a
-- writing transaction holds locked from its insert to its commit; with 16
-- slots, concurrent creates whose backends shared a slot queued behind one
-- another (under 16 concurrent POST /v1/customers, most active backends
-- were waiting on it). A total is the sum of the slots written (a
-- primary-key range of at most 256 rows, as many as the backends that
-- wrote the key); the existing rows stay valid, whatever their slot.
-- The functions are those of 00014 and 00019 but for the slot.
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION list_count_customers() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO list_counts AS c (organization_id, list, key, slot, n)
        SELECT t.organization_id, 'customers', k, pg_backend_pid() % 256, count(*)
        FROM inserted t, LATERAL (VALUES (''), ('status=' || t.status)) AS kk(k)
        GROUP BY t.organization_id, k ORDER BY t.organization_id, k
        ON CONFLICT (organization_id, list, key, slot) DO UPDATE SET n = c.n + EXCLUDED.n;
        INSERT INTO list_buckets AS c (organization_id, list, key, bucket, slot, n)
        SELECT t.organization_id, 'customers', k, date_bin('1 hour', t.created_at, '2000-01-01 00:00:00+00'), pg_backend_pid() % 256, count(*)
        FROM inserted t, LATERAL (VALUES (''), ('status=' || t.status)) AS kk(k)
        GROUP BY t.organization_id, k, 4 ORDER BY t.organization_id, k, 4
        ON CONFLICT (organization_id, list, key, bucket, slot) DO UPDATE SET n = c.n + EXCLUDED.n;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO list_counts AS c (organization_id, list, key, slot, n)
        SELECT t.organization_id, 'customers', k, pg_backend_pid() % 256, -count(*)
        FROM deleted t, LATERAL (VALUES (''), ('status=' || t.status)) AS kk(k)
        GROUP BY t.organization_id, k ORDER BY t.organization_id, k
        ON CONFLICT (organization_id, list, key, slot) DO UPDATE SET n = c.n + EXCLUDED.n;
        INSERT INTO list_buckets AS c (organization_id, list, key, bucket, slot, n)
        SELECT t.organization_id, 'customers', k, date_bin('1 hour', t.created_at, '2000-01-01 00:00:00+00'), pg_backend_pid() % 256, -count(*)
        FROM deleted t, LATERAL (VALUES (''), ('status=' || t.status)) AS kk(k)
        GROUP BY t.organization_id, k, 4 ORDER BY t.organization_id, k, 4
        ON CONFLICT (organization_id, list, key, bucket, slot) DO UPDATE SET n = c.n + EXCLUDED.n;
    ELSE -- a row's key columns changed: move it from its old keys to its new ones
        INSERT INTO list_counts AS c (organization_id, list, key, slot, n)
        SELECT NEW.organization_id, 'customers', x.k, pg_backend_pid() % 256, sum(x.d)
        FROM (SELECT k, -1 AS d FROM (VALUES (''), ('status=' || OLD.status)) AS kk(k)
              UNION ALL
              SELECT k, 1 FROM (VALUES (''), ('status=' || NEW.status)) AS kk(k)) x
        GROUP BY x.k HAVING sum(x.d) <> 0 ORDER BY x.k
        ON CONFLICT (organization_id, list, key, slot) DO UPDATE SET n = c.n + EXCLUDED.n;
        INSERT INTO list_buckets AS c (organization_id, list, key, bucket, slot, n)
        SELECT NEW.organization_id, 'customers', x.k, date_bin('1 hour', NEW.created_at, '2000-01-01 00:00:00+00'), pg_backend_pid() % 256, sum(x.d)
        FROM (SELECT k, -1 AS d FROM (VALUES (''), ('status=' || OLD.status)) AS kk(k)
              UNION ALL
              SELECT k, 1 FROM (VALUES (''), ('status=' || NEW.status)) AS kk(k)) x
        GROUP BY x.k HAVING sum(x.d) <> 0 ORDER BY x.k
        ON CONFLICT (organization_id, list, key, bucket, slot) DO UPDATE SET n = c.n + EXCLUDED.n;
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION list_count_accounts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO list_counts AS c (organization_id, list, key, slot, n)
        SELECT t.organization_id, 'accounts', k, pg_backend_pid() % 256, count(*)
        FROM inserted t, LATERAL (VALUES (''), ('customer_id=' || t.customer_id)) AS kk(k)
        GROUP BY t.organization_id, k ORDER BY t.organization_id, k
        ON CONFLICT (organization_id, list, key, slot) DO UPDATE SET n = c.n + EXCLUDED.n;
        INSERT INTO list_buckets AS c (organization_id, list, key, bucket, slot, n)
        SELECT t.organization_id, 'accounts', k, date_bin('1 hour', t.created_at, '2000-01-01 00:00:00+00'), pg_backend_pid() % 256, count(*)
        FROM inserted t, LATERAL (VALUES ('')) AS kk(k)
        GROUP BY t.organization_id, k, 4 ORDER BY t.organization_id, k, 4
        ON CONFLICT (organization_id, list, key, bucket, slot) DO UPDATE SET n = c.n + EXCLUDED.n;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO list_counts AS c (organization_id, list, key, slot, n)
        SELECT t.organization_id, 'accounts', k, pg_backend_pid() % 256, -count(*)
        FROM deleted t, LATERAL (VALUES (''), ('customer_id=' || t.customer_id)) AS kk(k)
        GROUP BY t.organization_id, k ORDER BY t.organization_id, k
        ON CONFLICT (organization_id, list, key, slot) DO UPDATE SET n = c.n + EXCLUDED.n;
        INSERT INTO list_buckets AS c (organization_id, list, key, bucket, slot, n)
        SELECT t.organization_id, 'accounts', k, date_bin('1 hour', t.created_at, '2000-01-01 00:00:00+00'), pg_backend_pid() % 256, -count(*)
        FROM deleted t, LATERAL (VALUES ('')) AS kk(k)
        GROUP BY t.organization_id, k, 4 ORDER BY t.organization_id, k, 4
        ON CONFLICT (organization_id, list, key, bucket, slot) DO UPDATE SET n = c.n + EXCLUDED.n;
    ELSE -- a row's key columns changed: move it from its old keys to its new ones
        INSERT INTO list_counts AS c (organization_id, list, key, slot, n)
        SELECT NEW.organization_id, 'accounts', x.k, pg_backend_pid() % 256, sum(x.d)
        FROM (SELECT k, -1 AS d FROM (VALUES (''), ('customer_id=' || OLD.customer_id)) AS kk(k)
              UNION ALL
              SELECT k, 1 FROM (VALUES (''), ('customer_id=' || NEW.customer_id)) AS kk(k)) x
        GROUP BY x.k HAVING sum(x.d) <> 0 ORDER BY x.k
        ON CONFLICT (organization_id, list, key, slot) DO UPDATE SET n = c.n + EXCLUDED.n;
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION list_count_portfolios() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO list_counts AS c (organization_id, list, key, slot, n)
        SELECT t.organization_id, 'portfolios', k, pg_backend_pid() % 256, count(*)
        FROM inserted t, LATERAL (VALUES (''), ('customer_id=' || t.customer_id)) AS kk(k)
        GROUP BY t.organization_id, k ORDER BY t.organization_id, k
        ON CONFLICT (organization_id, list, key, slot) DO UPDATE SET n = c.n + EXCLUDED.n;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO list_counts AS c (organization_id, list, key, slot, n)
        SELECT t.organization_id, 'portfolios', k, pg_backend_pid() % 256, -count(*)
        FROM deleted t, LATERAL (VALUES (''), ('customer_id=' || t.customer_id)) AS kk(k)
        GROUP BY t.organization_id, k ORDER BY t.organization_id, k
        ON CONFLICT (organization_id, list, key, slot) DO UPDATE SET n = c.n + EXCLUDED.n;
    ELSE -- a row's key columns changed: move it from its old keys to its new ones
        INSERT INTO list_counts AS c (organization_id, list, key, slot, n)
        SELECT NEW.organization_id, 'portfolios', x.k, pg_backend_pid() % 256, sum(x.d)
        FROM (SELECT k, -1 AS d FROM (VALUES (''), ('customer_id=' || OLD.customer_id)) AS kk(k)
              UNION ALL
              SELECT k, 1 FROM (VALUES (''), ('customer_id=' || NEW.customer_id)) AS kk(k)) x
        GROUP BY x.k HAVING sum(x.d) <> 0 ORDER BY x.k
        ON CONFLICT (organization_id, list, key, slot) DO UPDATE SET n = c.n + EXCLUDED.n;
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

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
CREATE OR REPLACE FUNCTION list_count_assets() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO list_counts AS c (organization_id, list, key, slot, n)
        SELECT t.organization_id, 'assets', k, pg_backend_pid() % 256, count(*)
        FROM inserted t, LATERAL (VALUES (''), ('customer_id=' || t.customer_id), ('account_id=' || t.account_id), ('portfolio_id=' || t.portfolio_id), ('customer_id=' || t.customer_id || '&' || 'account_id=' || t.account_id), ('customer_id=' || t.customer_id || '&' || 'portfolio_id=' || t.portfolio_id), ('account_id=' || t.account_id || '&' || 'portfolio_id=' || t.portfolio_id), ('customer_id=' || t.customer_id || '&' || 'account_id=' || t.account_id || '&' || 'portfolio_id=' || t.portfolio_id)) AS kk(k)
        GROUP BY t.organization_id, k ORDER BY t.organization_id, k
        ON CONFLICT (organization_id, list, key, slot) DO UPDATE SET n = c.n + EXCLUDED.n;
        INSERT INTO list_buckets AS c (organization_id, list, key, bucket, slot, n)
        SELECT t.organization_id, 'assets', k, date_bin('1 hour', t.created_at, '2000-01-01 00:00:00+00'), pg_backend_pid() % 256, count(*)
        FROM inserted t, LATERAL (VALUES ('')) AS kk(k)
        GROUP BY t.organization_id, k, 4 ORDER BY t.organization_id, k, 4
        ON CONFLICT (organization_id, list, key, bucket, slot) DO UPDATE SET n = c.n + EXCLUDED.n;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO list_counts AS c (organization_id, list, key, slot, n)
        SELECT t.organization_id, 'assets', k, pg_backend_pid() % 256, -count(*)
        FROM deleted t, LATERAL (VALUES (''), ('customer_id=' || t.customer_id), ('account_id=' || t.account_id), ('portfolio_id=' || t.portfolio_id), ('customer_id=' || t.customer_id || '&' || 'account_id=' || t.account_id), ('customer_id=' || t.customer_id || '&' || 'portfolio_id=' || t.portfolio_id), ('account_id=' || t.account_id || '&' || 'portfolio_id=' || t.portfolio_id), ('customer_id=' || t.customer_id || '&' || 'account_id=' || t.account_id || '&' || 'portfolio_id=' || t.portfolio_id)) AS kk(k)
        GROUP BY t.organization_id, k ORDER BY t.organization_id, k
        ON CONFLICT (organization_id, list, key, slot) DO UPDATE SET n = c.n + EXCLUDED.n;
        INSERT INTO list_buckets AS c (organization_id, list, key, bucket, slot, n)
        SELECT t.organization_id, 'assets', k, date_bin('1 hour', t.created_at, '2000-01-01 00:00:00+00'), pg_backend_pid() % 256, -count(*)
        FROM deleted t, LATERAL (VALUES ('')) AS kk(k)
        GROUP BY t.organization_id, k, 4 ORDER BY t.organization_id, k, 4
        ON CONFLICT (organization_id, list, key, bucket, slot) DO UPDATE SET n = c.n + EXCLUDED.n;
    ELSE -- a row's key columns changed: move it from its old keys to its new ones
        INSERT INTO list_counts AS c (organization_id, list, key, slot, n)
        SELECT NEW.organization_id, 'assets', x.k, pg_backend_pid() % 256, sum(x.d)
        FROM (SELECT k, -1 AS d FROM (VALUES (''), ('customer_id=' || OLD.customer_id), ('account_id=' || OLD.account_id), ('portfolio_id=' || OLD.portfolio_id), ('customer_id=' || OLD.customer_id || '&' || 'account_id=' || OLD.account_id), ('customer_id=' || OLD.customer_id || '&' || 'portfolio_id=' || OLD.portfolio_id), ('account_id=' || OLD.account_id || '&' || 'portfolio_id=' || OLD.portfolio_id), ('customer_id=' || OLD.customer_id || '&' || 'account_id=' || OLD.account_id || '&' || 'portfolio_id=' || OLD.portfolio_id)) AS kk(k)
              UNION ALL
              SELECT k, 1 FROM (VALUES (''), ('customer_id=' || NEW.customer_id), ('account_id=' || NEW.account_id), ('portfolio_id=' || NEW.portfolio_id), ('customer_id=' || NEW.customer_id || '&' || 'account_id=' || NEW.account_id), ('customer_id=' || NEW.customer_id || '&' || 'portfolio_id=' || NEW.portfolio_id), ('account_id=' || NEW.account_id || '&' || 'portfolio_id=' || NEW.portfolio_id), ('customer_id=' || NEW.customer_id || '&' || 'account_id=' || NEW.account_id || '&' || 'portfolio_id=' || NEW.portfolio_id)) AS kk(k)) x
        GROUP BY x.k HAVING sum(x.d) <> 0 ORDER BY x.k
        ON CONFLICT (organization_id, list, key, slot) DO UPDATE SET n = c.n + EXCLUDED.n;
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION list_count_transactions() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO list_counts AS c (organization_id, list, key, slot, n)
        SELECT t.organization_id, 'transactions', k, pg_backend_pid() % 256, count(*)
        FROM inserted t, LATERAL (VALUES (''), ('customer_id=' || t.customer_id), ('request_id=' || t.request_id), ('customer_id=' || t.customer_id || '&' || 'request_id=' || t.request_id)) AS kk(k)
        GROUP BY t.organization_id, k ORDER BY t.organization_id, k
        ON CONFLICT (organization_id, list, key, slot) DO UPDATE SET n = c.n + EXCLUDED.n;
        INSERT INTO list_buckets AS c (organization_id, list, key, bucket, slot, n)
        SELECT t.organization_id, 'transactions', k, date_bin('1 hour', t.created_at, '2000-01-01 00:00:00+00'), pg_backend_pid() % 256, count(*)
        FROM inserted t, LATERAL (VALUES ('')) AS kk(k)
        GROUP BY t.organization_id, k, 4 ORDER BY t.organization_id, k, 4
        ON CONFLICT (organization_id, list, key, bucket, slot) DO UPDATE SET n = c.n + EXCLUDED.n;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO list_counts AS c (organization_id, list, key, slot, n)
        SELECT t.organization_id, 'transactions', k, pg_backend_pid() % 256, -count(*)
        FROM deleted t, LATERAL (VALUES (''), ('customer_id=' || t.customer_id), ('request_id=' || t.request_id), ('customer_id=' || t.customer_id || '&' || 'request_id=' || t.request_id)) AS kk(k)
        GROUP BY t.organization_id, k ORDER BY t.organization_id, k
        ON CONFLICT (organization_id, list, key, slot) DO UPDATE SET n = c.n + EXCLUDED.n;
        INSERT INTO list_buckets AS c (organization_id, list, key, bucket, slot, n)
        SELECT t.organization_id, 'transactions', k, date_bin('1 hour', t.created_at, '2000-01-01 00:00:00+00'), pg_backend_pid() % 256, -count(*)
        FROM deleted t, LATERAL (VALUES ('')) AS kk(k)
        GROUP BY t.organization_id, k, 4 ORDER BY t.organization_id, k, 4
        ON CONFLICT (organization_id, list, key, bucket, slot) DO UPDATE SET n = c.n + EXCLUDED.n;
    ELSE -- a row's key columns changed: move it from its old keys to its new ones
        INSERT INTO list_counts AS c (organization_id, list, key, slot, n)
        SELECT NEW.organization_id, 'transactions', x.k, pg_backend_pid() % 256, sum(x.d)
        FROM (SELECT k, -1 AS d FROM (VALUES (''), ('customer_id=' || OLD.customer_id), ('request_id=' || OLD.request_id), ('customer_id=' || OLD.customer_id || '&' || 'request_id=' || OLD.request_id)) AS kk(k)
              UNION ALL
              SELECT k, 1 FROM (VALUES (''), ('customer_id=' || NEW.customer_id), ('request_id=' || NEW.request_id), ('customer_id=' || NEW.customer_id || '&' || 'request_id=' || NEW.request_id)) AS kk(k)) x
        GROUP BY x.k HAVING sum(x.d) <> 0 ORDER BY x.k
        ON CONFLICT (organization_id, list, key, slot) DO UPDATE SET n = c.n + EXCLUDED.n;
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION list_bucket_wallet_customers() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO list_buckets AS c (organization_id, list, key, bucket, slot, n)
        SELECT t.organization_id, 'wallet_customers', 'counterparty_id=' || t.counterparty_id,
               date_bin('1 hour', t.created_at, '2000-01-01 00:00:00+00'), pg_backend_pid() % 256, count(*)
        FROM inserted t
        GROUP BY 1, 3, 4 ORDER BY 1, 3, 4
        ON CONFLICT (organization_id, list, key, bucket, slot) DO UPDATE SET n = c.n + EXCLUDED.n;
    ELSE
        INSERT INTO list_buckets AS c (organization_id, list, key, bucket, slot, n)
        SELECT t.organization_id, 'wallet_customers', 'counterparty_id=' || t.counterparty_id,
               date_bin('1 hour', t.created_at, '2000-01-01 00:00:00+00'), pg_backend_pid() % 256, -count(*)
        FROM deleted t
        GROUP BY 1, 3, 4 ORDER BY 1, 3, 4
        ON CONFLICT (organization_id, list, key, bucket, slot) DO UPDATE SET n = c.n + EXCLUDED.n;
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

-- +goose Down
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION list_count_customers() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO list_counts AS c (organization_id, list, key, slot, n)
        SELECT t.organization_id, 'customers', k, pg_backend_pid() % 16, count(*)
        FROM inserted t, LATERAL (VALUES (''), ('status=' || t.status)) AS kk(k)
        GROUP BY t.organization_id, k ORDER BY t.organization_id, k
        ON CONFLICT (organization_id, list, key, slot) DO UPDATE SET n = c.n + EXCLUDED.n;
        INSERT INTO list_buckets AS c (organization_id, list, key, bucket, slot, n)
        SELECT t.organization_id, 'customers', k, date_bin('1 hour', t.created_at, '2000-01-01 00:00:00+00'), pg_backend_pid() % 16, count(*)
        FROM inserted t, LATERAL (VALUES (''), ('status=' || t.status)) AS kk(k)
        GROUP BY t.organization_id, k, 4 ORDER BY t.organization_id, k, 4
        ON CONFLICT (organization_id, list, key, bucket, slot) DO UPDATE SET n = c.n + EXCLUDED.n;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO list_counts AS c (organization_id, list, key, slot, n)
        SELECT t.organization_id, 'customers', k, pg_backend_pid() % 16, -count(*)
        FROM deleted t, LATERAL (VALUES (''), ('status=' || t.status)) AS kk(k)
        GROUP BY t.organization_id, k ORDER BY t.organization_id, k
        ON CONFLICT (organization_id, list, key, slot) DO UPDATE SET n = c.n + EXCLUDED.n;
        INSERT INTO list_buckets AS c (organization_id, list, key, bucket, slot, n)
        SELECT t.organization_id, 'customers', k, date_bin('1 hour', t.created_at, '2000-01-01 00:00:00+00'), pg_backend_pid() % 16, -count(*)
        FROM deleted t, LATERAL (VALUES (''), ('status=' || t.status)) AS kk(k)
        GROUP BY t.organization_id, k, 4 ORDER BY t.organization_id, k, 4
        ON CONFLICT (organization_id, list, key, bucket, slot) DO UPDATE SET n = c.n + EXCLUDED.n;
    ELSE -- a row's key columns changed: move it from its old keys to its new ones
        INSERT INTO list_counts AS c (organization_id, list, key, slot, n)
        SELECT NEW.organization_id, 'customers', x.k, pg_backend_pid() % 16, sum(x.d)
        FROM (SELECT k, -1 AS d FROM (VALUES (''), ('status=' || OLD.status)) AS kk(k)
              UNION ALL
              SELECT k, 1 FROM (VALUES (''), ('status=' || NEW.status)) AS kk(k)) x
        GROUP BY x.k HAVING sum(x.d) <> 0 ORDER BY x.k
        ON CONFLICT (organization_id, list, key, slot) DO UPDATE SET n = c.n + EXCLUDED.n;
        INSERT INTO list_buckets AS c (organization_id, list, key, bucket, slot, n)
        SELECT NEW.organization_id, 'customers', x.k, date_bin('1 hour', NEW.created_at, '2000-01-01 00:00:00+00'), pg_backend_pid() % 16, sum(x.d)
        FROM (SELECT k, -1 AS d FROM (VALUES (''), ('status=' || OLD.status)) AS kk(k)
              UNION ALL
              SELECT k, 1 FROM (VALUES (''), ('status=' || NEW.status)) AS kk(k)) x
        GROUP BY x.k HAVING sum(x.d) <> 0 ORDER BY x.k
        ON CONFLICT (organization_id, list, key, bucket, slot) DO UPDATE SET n = c.n + EXCLUDED.n;
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION list_count_accounts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO list_counts AS c (organization_id, list, key, slot, n)
        SELECT t.organization_id, 'accounts', k, pg_backend_pid() % 16, count(*)
        FROM inserted t, LATERAL (VALUES (''), ('customer_id=' || t.customer_id)) AS kk(k)
        GROUP BY t.organization_id, k ORDER BY t.organization_id, k
        ON CONFLICT (organization_id, list, key, slot) DO UPDATE SET n = c.n + EXCLUDED.n;
        INSERT INTO list_buckets AS c (organization_id, list, key, bucket, slot, n)
        SELECT t.organization_id, 'accounts', k, date_bin('1 hour', t.created_at, '2000-01-01 00:00:00+00'), pg_backend_pid() % 16, count(*)
        FROM inserted t, LATERAL (VALUES ('')) AS kk(k)
        GROUP BY t.organization_id, k, 4 ORDER BY t.organization_id, k, 4
        ON CONFLICT (organization_id, list, key, bucket, slot) DO UPDATE SET n = c.n + EXCLUDED.n;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO list_counts AS c (organization_id, list, key, slot, n)
        SELECT t.organization_id, 'accounts', k, pg_backend_pid() % 16, -count(*)
        FROM deleted t, LATERAL (VALUES (''), ('customer_id=' || t.customer_id)) AS kk(k)
        GROUP BY t.organization_id, k ORDER BY t.organization_id, k
        ON CONFLICT (organization_id, list, key, slot) DO UPDATE SET n = c.n + EXCLUDED.n;
        INSERT INTO list_buckets AS c (organization_id, list, key, bucket, slot, n)
        SELECT t.organization_id, 'accounts', k, date_bin('1 hour', t.created_at, '2000-01-01 00:00:00+00'), pg_backend_pid() % 16, -count(*)
        FROM deleted t, LATERAL (VALUES ('')) AS kk(k)
        GROUP BY t.organization_id, k, 4 ORDER BY t.organization_id, k, 4
        ON CONFLICT (organization_id, list, key, bucket, slot) DO UPDATE SET n = c.n + EXCLUDED.n;
    ELSE -- a row's key columns changed: move it from its old keys to its new ones
        INSERT INTO list_counts AS c (organization_id, list, key, slot, n)
        SELECT NEW.organization_id, 'accounts', x.k, pg_backend_pid() % 16, sum(x.d)
        FROM (SELECT k, -1 AS d FROM (VALUES (''), ('customer_id=' || OLD.customer_id)) AS kk(k)
              UNION ALL
              SELECT k, 1 FROM (VALUES (''), ('customer_id=' || NEW.customer_id)) AS kk(k)) x
        GROUP BY x.k HAVING sum(x.d) <> 0 ORDER BY x.k
        ON CONFLICT (organization_id, list, key, slot) DO UPDATE SET n = c.n + EXCLUDED.n;
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION list_count_portfolios() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO list_counts AS c (organization_id, list, key, slot, n)
        SELECT t.organization_id, 'portfolios', k, pg_backend_pid() % 16, count(*)
        FROM inserted t, LATERAL (VALUES (''), ('customer_id=' || t.customer_id)) AS kk(k)
        GROUP BY t.organization_id, k ORDER BY t.organization_id, k
        ON CONFLICT (organization_id, list, key, slot) DO UPDATE SET n = c.n + EXCLUDED.n;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO list_counts AS c (organization_id, list, key, slot, n)
        SELECT t.organization_id, 'portfolios', k, pg_backend_pid() % 16, -count(*)
        FROM deleted t, LATERAL (VALUES (''), ('customer_id=' || t.customer_id)) AS kk(k)
        GROUP BY t.organization_id, k ORDER BY t.organization_id, k
        ON CONFLICT (organization_id, list, key, slot) DO UPDATE SET n = c.n + EXCLUDED.n;
    ELSE -- a row's key columns changed: move it from its old keys to its new ones
        INSERT INTO list_counts AS c (organization_id, list, key, slot, n)
        SELECT NEW.organization_id, 'portfolios', x.k, pg_backend_pid() % 16, sum(x.d)
        FROM (SELECT k, -1 AS d FROM (VALUES (''), ('customer_id=' || OLD.customer_id)) AS kk(k)
              UNION ALL
              SELECT k, 1 FROM (VALUES (''), ('customer_id=' || NEW.customer_id)) AS kk(k)) x
        GROUP BY x.k HAVING sum(x.d) <> 0 ORDER BY x.k
        ON CONFLICT (organization_id, list, key, slot) DO UPDATE SET n = c.n + EXCLUDED.n;
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION list_count_requests() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO list_counts AS c (organization_id, list, key, slot, n)
        SELECT t.organization_id, 'requests', k, pg_backend_pid() % 16, count(*)
        FROM inserted t, LATERAL (VALUES (''), ('customer_id=' || t.customer_id), ('status=' || t.status), ('request_type=' || t.request_type), ('customer_id=' || t.customer_id || '&' || 'status=' || t.status), ('customer_id=' || t.customer_id || '&' || 'request_type=' || t.request_type), ('status=' || t.status || '&' || 'request_type=' || t.request_type), ('customer_id=' || t.customer_id || '&' || 'status=' || t.status || '&' || 'request_type=' || t.request_type)) AS kk(k)
        GROUP BY t.organization_id, k ORDER BY t.organization_id, k
        ON CONFLICT (organization_id, list, key, slot) DO UPDATE SET n = c.n + EXCLUDED.n;
        INSERT INTO list_buckets AS c (organization_id, list, key, bucket, slot, n)
        SELECT t.organization_id, 'requests', k, date_bin('1 hour', t.created_at, '2000-01-01 00:00:00+00'), pg_backend_pid() % 16, count(*)
        FROM inserted t, LATERAL (VALUES (''), ('status=' || t.status), ('request_type=' || t.request_type), ('status=' || t.status || '&' || 'request_type=' || t.request_type)) AS kk(k)
        GROUP BY t.organization_id, k, 4 ORDER BY t.organization_id, k, 4
        ON CONFLICT (organization_id, list, key, bucket, slot) DO UPDATE SET n = c.n + EXCLUDED.n;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO list_counts AS c (organization_id, list, key, slot, n)
        SELECT t.organization_id, 'requests', k, pg_backend_pid() % 16, -count(*)
        FROM deleted t, LATERAL (VALUES (''), ('customer_id=' || t.customer_id), ('status=' || t.status), ('request_type=' || t.request_type), ('customer_id=' || t.customer_id || '&' || 'status=' || t.status), ('customer_id=' || t.customer_id || '&' || 'request_type=' || t.request_type), ('status=' || t.status || '&' || 'request_type=' || t.request_type), ('customer_id=' || t.customer_id || '&' || 'status=' || t.status || '&' || 'request_type=' || t.request_type)) AS kk(k)
        GROUP BY t.organization_id, k ORDER BY t.organization_id, k
        ON CONFLICT (organization_id, list, key, slot) DO UPDATE SET n = c.n + EXCLUDED.n;
        INSERT INTO list_buckets AS c (organization_id, list, key, bucket, slot, n)
        SELECT t.organization_id, 'requests', k, date_bin('1 hour', t.created_at, '2000-01-01 00:00:00+00'), pg_backend_pid() % 16, -count(*)
        FROM deleted t, LATERAL (VALUES (''), ('status=' || t.status), ('request_type=' || t.request_type), ('status=' || t.status || '&' || 'request_type=' || t.request_type)) AS kk(k)
        GROUP BY t.organization_id, k, 4 ORDER BY t.organization_id, k, 4
        ON CONFLICT (organization_id, list, key, bucket, slot) DO UPDATE SET n = c.n + EXCLUDED.n;
    ELSE -- a row's key columns changed: move it from its old keys to its new ones
        INSERT INTO list_counts AS c (organization_id, list, key, slot, n)
        SELECT NEW.organization_id, 'requests', x.k, pg_backend_pid() % 16, sum(x.d)
        FROM (SELECT k, -1 AS d FROM (VALUES (''), ('customer_id=' || OLD.customer_id), ('status=' || OLD.status), ('request_type=' || OLD.request_type), ('customer_id=' || OLD.customer_id || '&' || 'status=' || OLD.status), ('customer_id=' || OLD.customer_id || '&' || 'request_type=' || OLD.request_type), ('status=' || OLD.status || '&' || 'request_type=' || OLD.request_type), ('customer_id=' || OLD.customer_id || '&' || 'status=' || OLD.status || '&' || 'request_type=' || OLD.request_type)) AS kk(k)
              UNION ALL
              SELECT k, 1 FROM (VALUES (''), ('customer_id=' || NEW.customer_id), ('status=' || NEW.status), ('request_type=' || NEW.request_type), ('customer_id=' || NEW.customer_id || '&' || 'status=' || NEW.status), ('customer_id=' || NEW.customer_id || '&' || 'request_type=' || NEW.request_type), ('status=' || NEW.status || '&' || 'request_type=' || NEW.request_type), ('customer_id=' || NEW.customer_id || '&' || 'status=' || NEW.status || '&' || 'request_type=' || NEW.request_type)) AS kk(k)) x
        GROUP BY x.k HAVING sum(x.d) <> 0 ORDER BY x.k
        ON CONFLICT (organization_id, list, key, slot) DO UPDATE SET n = c.n + EXCLUDED.n;
        INSERT INTO list_buckets AS c (organization_id, list, key, bucket, slot, n)
        SELECT NEW.organization_id, 'requests', x.k, date_bin('1 hour', NEW.created_at, '2000-01-01 00:00:00+00'), pg_backend_pid() % 16, sum(x.d)
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
CREATE OR REPLACE FUNCTION list_count_assets() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO list_counts AS c (organization_id, list, key, slot, n)
        SELECT t.organization_id, 'assets', k, pg_backend_pid() % 16, count(*)
        FROM inserted t, LATERAL (VALUES (''), ('customer_id=' || t.customer_id), ('account_id=' || t.account_id), ('portfolio_id=' || t.portfolio_id), ('customer_id=' || t.customer_id || '&' || 'account_id=' || t.account_id), ('customer_id=' || t.customer_id || '&' || 'portfolio_id=' || t.portfolio_id), ('account_id=' || t.account_id || '&' || 'portfolio_id=' || t.portfolio_id), ('customer_id=' || t.customer_id || '&' || 'account_id=' || t.account_id || '&' || 'portfolio_id=' || t.portfolio_id)) AS kk(k)
        GROUP BY t.organization_id, k ORDER BY t.organization_id, k
        ON CONFLICT (organization_id, list, key, slot) DO UPDATE SET n = c.n + EXCLUDED.n;
        INSERT INTO list_buckets AS c (organization_id, list, key, bucket, slot, n)
        SELECT t.organization_id, 'assets', k, date_bin('1 hour', t.created_at, '2000-01-01 00:00:00+00'), pg_backend_pid() % 16, count(*)
        FROM inserted t, LATERAL (VALUES ('')) AS kk(k)
        GROUP BY t.organization_id, k, 4 ORDER BY t.organization_id, k, 4
        ON CONFLICT (organization_id, list, key, bucket, slot) DO UPDATE SET n = c.n + EXCLUDED.n;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO list_counts AS c (organization_id, list, key, slot, n)
        SELECT t.organization_id, 'assets', k, pg_backend_pid() % 16, -count(*)
        FROM deleted t, LATERAL (VALUES (''), ('customer_id=' || t.customer_id), ('account_id=' || t.account_id), ('portfolio_id=' || t.portfolio_id), ('customer_id=' || t.customer_id || '&' || 'account_id=' || t.account_id), ('customer_id=' || t.customer_id || '&' || 'portfolio_id=' || t.portfolio_id), ('account_id=' || t.account_id || '&' || 'portfolio_id=' || t.portfolio_id), ('customer_id=' || t.customer_id || '&' || 'account_id=' || t.account_id || '&' || 'portfolio_id=' || t.portfolio_id)) AS kk(k)
        GROUP BY t.organization_id, k ORDER BY t.organization_id, k
        ON CONFLICT (organization_id, list, key, slot) DO UPDATE SET n = c.n + EXCLUDED.n;
        INSERT INTO list_buckets AS c (organization_id, list, key, bucket, slot, n)
        SELECT t.organization_id, 'assets', k, date_bin('1 hour', t.created_at, '2000-01-01 00:00:00+00'), pg_backend_pid() % 16, -count(*)
        FROM deleted t, LATERAL (VALUES ('')) AS kk(k)
        GROUP BY t.organization_id, k, 4 ORDER BY t.organization_id, k, 4
        ON CONFLICT (organization_id, list, key, bucket, slot) DO UPDATE SET n = c.n + EXCLUDED.n;
    ELSE -- a row's key columns changed: move it from its old keys to its new ones
        INSERT INTO list_counts AS c (organization_id, list, key, slot, n)
        SELECT NEW.organization_id, 'assets', x.k, pg_backend_pid() % 16, sum(x.d)
        FROM (SELECT k, -1 AS d FROM (VALUES (''), ('customer_id=' || OLD.customer_id), ('account_id=' || OLD.account_id), ('portfolio_id=' || OLD.portfolio_id), ('customer_id=' || OLD.customer_id || '&' || 'account_id=' || OLD.account_id), ('customer_id=' || OLD.customer_id || '&' || 'portfolio_id=' || OLD.portfolio_id), ('account_id=' || OLD.account_id || '&' || 'portfolio_id=' || OLD.portfolio_id), ('customer_id=' || OLD.customer_id || '&' || 'account_id=' || OLD.account_id || '&' || 'portfolio_id=' || OLD.portfolio_id)) AS kk(k)
              UNION ALL
              SELECT k, 1 FROM (VALUES (''), ('customer_id=' || NEW.customer_id), ('account_id=' || NEW.account_id), ('portfolio_id=' || NEW.portfolio_id), ('customer_id=' || NEW.customer_id || '&' || 'account_id=' || NEW.account_id), ('customer_id=' || NEW.customer_id || '&' || 'portfolio_id=' || NEW.portfolio_id), ('account_id=' || NEW.account_id || '&' || 'portfolio_id=' || NEW.portfolio_id), ('customer_id=' || NEW.customer_id || '&' || 'account_id=' || NEW.account_id || '&' || 'portfolio_id=' || NEW.portfolio_id)) AS kk(k)) x
        GROUP BY x.k HAVING sum(x.d) <> 0 ORDER BY x.k
        ON CONFLICT (organization_id, list, key, slot) DO UPDATE SET n = c.n + EXCLUDED.n;
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION list_count_transactions() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO list_counts AS c (organization_id, list, key, slot, n)
        SELECT t.organization_id, 'transactions', k, pg_backend_pid() % 16, count(*)
        FROM inserted t, LATERAL (VALUES (''), ('customer_id=' || t.customer_id), ('request_id=' || t.request_id), ('customer_id=' || t.customer_id || '&' || 'request_id=' || t.request_id)) AS kk(k)
        GROUP BY t.organization_id, k ORDER BY t.organization_id, k
        ON CONFLICT (organization_id, list, key, slot) DO UPDATE SET n = c.n + EXCLUDED.n;
        INSERT INTO list_buckets AS c (organization_id, list, key, bucket, slot, n)
        SELECT t.organization_id, 'transactions', k, date_bin('1 hour', t.created_at, '2000-01-01 00:00:00+00'), pg_backend_pid() % 16, count(*)
        FROM inserted t, LATERAL (VALUES ('')) AS kk(k)
        GROUP BY t.organization_id, k, 4 ORDER BY t.organization_id, k, 4
        ON CONFLICT (organization_id, list, key, bucket, slot) DO UPDATE SET n = c.n + EXCLUDED.n;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO list_counts AS c (organization_id, list, key, slot, n)
        SELECT t.organization_id, 'transactions', k, pg_backend_pid() % 16, -count(*)
        FROM deleted t, LATERAL (VALUES (''), ('customer_id=' || t.customer_id), ('request_id=' || t.request_id), ('customer_id=' || t.customer_id || '&' || 'request_id=' || t.request_id)) AS kk(k)
        GROUP BY t.organization_id, k ORDER BY t.organization_id, k
        ON CONFLICT (organization_id, list, key, slot) DO UPDATE SET n = c.n + EXCLUDED.n;
        INSERT INTO list_buckets AS c (organization_id, list, key, bucket, slot, n)
        SELECT t.organization_id, 'transactions', k, date_bin('1 hour', t.created_at, '2000-01-01 00:00:00+00'), pg_backend_pid() % 16, -count(*)
        FROM deleted t, LATERAL (VALUES ('')) AS kk(k)
        GROUP BY t.organization_id, k, 4 ORDER BY t.organization_id, k, 4
        ON CONFLICT (organization_id, list, key, bucket, slot) DO UPDATE SET n = c.n + EXCLUDED.n;
    ELSE -- a row's key columns changed: move it from its old keys to its new ones
        INSERT INTO list_counts AS c (organization_id, list, key, slot, n)
        SELECT NEW.organization_id, 'transactions', x.k, pg_backend_pid() % 16, sum(x.d)
        FROM (SELECT k, -1 AS d FROM (VALUES (''), ('customer_id=' || OLD.customer_id), ('request_id=' || OLD.request_id), ('customer_id=' || OLD.customer_id || '&' || 'request_id=' || OLD.request_id)) AS kk(k)
              UNION ALL
              SELECT k, 1 FROM (VALUES (''), ('customer_id=' || NEW.customer_id), ('request_id=' || NEW.request_id), ('customer_id=' || NEW.customer_id || '&' || 'request_id=' || NEW.request_id)) AS kk(k)) x
        GROUP BY x.k HAVING sum(x.d) <> 0 ORDER BY x.k
        ON CONFLICT (organization_id, list, key, slot) DO UPDATE SET n = c.n + EXCLUDED.n;
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION list_bucket_wallet_customers() RETURNS trigger LANGUAGE plpgsql AS $$
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
