-- +goose Up
-- Maintained list totals (issue 17): meta.totalCount of the investing lists
-- without counting, and deep pages without skipping a million rows.
--
-- list_counts holds, per organization, list and filter key, the number of
-- rows; triggers keep it in the transaction that inserts, updates or
-- deletes the rows. A key is the filter's conditions in the column order of
-- its list, 'column=value' joined by '&' ('' is the whole list): every
-- combination of the filters the API offers has its key (a customer's
-- accounts: 'customer_id=7'; a customer's pending purchases:
-- 'customer_id=7&status=PENDING&request_type=PURCHASE'). A key's count is
-- spread over 16 slots (the writing backend's pid modulo 16) so that
-- concurrent writers of one organization do not queue on one row; a total
-- is the sum of its slots (an index range of at most 16 rows).
--
-- list_buckets holds the same counts per hour of created_at for the keys
-- of the organization-wide lists (not those of one customer, account,
-- portfolio or request, which are short): a page N rows deep starts in the
-- bucket where the running sum of the counts passes N, and skips only the
-- rows of that bucket before it.
--
-- internal/store/list_counts.go builds the same keys. TRUNCATE is not
-- counted (rebuild with list_counts_rebuild()); created_at never changes.
CREATE TABLE list_counts (
    organization_id bigint   NOT NULL,
    list            text     NOT NULL,
    key             text     NOT NULL,
    slot            smallint NOT NULL,
    n               bigint   NOT NULL,
    PRIMARY KEY (organization_id, list, key, slot)
);
CREATE TABLE list_buckets (
    organization_id bigint      NOT NULL,
    list            text        NOT NULL,
    key             text        NOT NULL,
    bucket          timestamptz NOT NULL,
    slot            smallint    NOT NULL,
    n               bigint      NOT NULL,
    PRIMARY KEY (organization_id, list, key, bucket, slot)
);

-- The keys of a row: one per subset of its non-NULL 'column=value' parts,
-- in their given order (the triggers list them as VALUES, which costs a
-- fraction of calling this; tests recount with it).
-- +goose StatementBegin
CREATE FUNCTION list_count_keys(VARIADIC dims text[]) RETURNS SETOF text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT coalesce(string_agg(d.part, '&' ORDER BY d.i), '')
    FROM generate_series(0, (1 << cardinality(array_remove(dims, NULL))) - 1) AS m
    LEFT JOIN LATERAL unnest(array_remove(dims, NULL)) WITH ORDINALITY AS d(part, i)
        ON m & (1 << (d.i::int - 1)) <> 0
    GROUP BY m
$$;
-- +goose StatementEnd


-- customers: keys over (status); buckets over (status).
-- +goose StatementBegin
CREATE FUNCTION list_count_customers() RETURNS trigger LANGUAGE plpgsql AS $$
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
CREATE TRIGGER customers_count_insert AFTER INSERT ON customers
    REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION list_count_customers();
CREATE TRIGGER customers_count_delete AFTER DELETE ON customers
    REFERENCING OLD TABLE AS deleted FOR EACH STATEMENT EXECUTE FUNCTION list_count_customers();
CREATE TRIGGER customers_count_update AFTER UPDATE ON customers FOR EACH ROW
    WHEN (OLD.status IS DISTINCT FROM NEW.status)
    EXECUTE FUNCTION list_count_customers();


-- accounts: keys over (customer_id); buckets of the whole list.
-- +goose StatementBegin
CREATE FUNCTION list_count_accounts() RETURNS trigger LANGUAGE plpgsql AS $$
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
CREATE TRIGGER accounts_count_insert AFTER INSERT ON accounts
    REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION list_count_accounts();
CREATE TRIGGER accounts_count_delete AFTER DELETE ON accounts
    REFERENCING OLD TABLE AS deleted FOR EACH STATEMENT EXECUTE FUNCTION list_count_accounts();
CREATE TRIGGER accounts_count_update AFTER UPDATE ON accounts FOR EACH ROW
    WHEN (OLD.customer_id IS DISTINCT FROM NEW.customer_id)
    EXECUTE FUNCTION list_count_accounts();


-- portfolios: keys over (customer_id); no buckets (always one customer's).
-- +goose StatementBegin
CREATE FUNCTION list_count_portfolios() RETURNS trigger LANGUAGE plpgsql AS $$
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
CREATE TRIGGER portfolios_count_insert AFTER INSERT ON portfolios
    REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION list_count_portfolios();
CREATE TRIGGER portfolios_count_delete AFTER DELETE ON portfolios
    REFERENCING OLD TABLE AS deleted FOR EACH STATEMENT EXECUTE FUNCTION list_count_portfolios();
CREATE TRIGGER portfolios_count_update AFTER UPDATE ON portfolios FOR EACH ROW
    WHEN (OLD.customer_id IS DISTINCT FROM NEW.customer_id)
    EXECUTE FUNCTION list_count_portfolios();


-- requests: keys over (customer_id, status, request_type); buckets over (status, request_type).
-- +goose StatementBegin
CREATE FUNCTION list_count_requests() RETURNS trigger LANGUAGE plpgsql AS $$
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
CREATE TRIGGER requests_count_insert AFTER INSERT ON requests
    REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION list_count_requests();
CREATE TRIGGER requests_count_delete AFTER DELETE ON requests
    REFERENCING OLD TABLE AS deleted FOR EACH STATEMENT EXECUTE FUNCTION list_count_requests();
CREATE TRIGGER requests_count_update AFTER UPDATE ON requests FOR EACH ROW
    WHEN (OLD.customer_id IS DISTINCT FROM NEW.customer_id OR OLD.status IS DISTINCT FROM NEW.status OR OLD.request_type IS DISTINCT FROM NEW.request_type)
    EXECUTE FUNCTION list_count_requests();


-- assets: keys over (customer_id, account_id, portfolio_id); buckets of the whole list.
-- +goose StatementBegin
CREATE FUNCTION list_count_assets() RETURNS trigger LANGUAGE plpgsql AS $$
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
CREATE TRIGGER assets_count_insert AFTER INSERT ON assets
    REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION list_count_assets();
CREATE TRIGGER assets_count_delete AFTER DELETE ON assets
    REFERENCING OLD TABLE AS deleted FOR EACH STATEMENT EXECUTE FUNCTION list_count_assets();
CREATE TRIGGER assets_count_update AFTER UPDATE ON assets FOR EACH ROW
    WHEN (OLD.customer_id IS DISTINCT FROM NEW.customer_id OR OLD.account_id IS DISTINCT FROM NEW.account_id OR OLD.portfolio_id IS DISTINCT FROM NEW.portfolio_id)
    EXECUTE FUNCTION list_count_assets();


-- transactions: keys over (customer_id, request_id); buckets of the whole list.
-- +goose StatementBegin
CREATE FUNCTION list_count_transactions() RETURNS trigger LANGUAGE plpgsql AS $$
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
CREATE TRIGGER transactions_count_insert AFTER INSERT ON transactions
    REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION list_count_transactions();
CREATE TRIGGER transactions_count_delete AFTER DELETE ON transactions
    REFERENCING OLD TABLE AS deleted FOR EACH STATEMENT EXECUTE FUNCTION list_count_transactions();
CREATE TRIGGER transactions_count_update AFTER UPDATE ON transactions FOR EACH ROW
    WHEN (OLD.customer_id IS DISTINCT FROM NEW.customer_id OR OLD.request_id IS DISTINCT FROM NEW.request_id)
    EXECUTE FUNCTION list_count_transactions();


-- Recounts every list from its rows (the migration's backfill; after a bulk
-- load with the triggers disabled, or a TRUNCATE).
-- +goose StatementBegin
CREATE FUNCTION list_counts_rebuild() RETURNS void LANGUAGE plpgsql AS $$
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
    SELECT t.organization_id, 'accounts', k, 0, count(*)
    FROM accounts t, LATERAL (VALUES (''), ('customer_id=' || t.customer_id)) AS kk(k) GROUP BY t.organization_id, k;
    INSERT INTO list_buckets (organization_id, list, key, bucket, slot, n)
    SELECT t.organization_id, 'accounts', k, date_bin('1 hour', t.created_at, '2000-01-01 00:00:00+00'), 0, count(*)
    FROM accounts t, LATERAL (VALUES ('')) AS kk(k) GROUP BY t.organization_id, k, 4;
    INSERT INTO list_counts (organization_id, list, key, slot, n)
    SELECT t.organization_id, 'portfolios', k, 0, count(*)
    FROM portfolios t, LATERAL (VALUES (''), ('customer_id=' || t.customer_id)) AS kk(k) GROUP BY t.organization_id, k;
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
SELECT list_counts_rebuild();

-- Filtered pages in index order, and their deep pages as index-only scans
-- of ids (the type filter of requests read from the status index).
CREATE INDEX customers_org_status_created ON customers (organization_id, status, created_at, id);
CREATE INDEX requests_org_status_created ON requests (organization_id, status, created_at, id) INCLUDE (request_type);
CREATE INDEX requests_org_type_created ON requests (organization_id, request_type, created_at, id);

-- +goose Down
DROP INDEX requests_org_type_created;
DROP INDEX requests_org_status_created;
DROP INDEX customers_org_status_created;
DROP TRIGGER customers_count_insert ON customers;
DROP TRIGGER customers_count_delete ON customers;
DROP TRIGGER customers_count_update ON customers;
DROP FUNCTION list_count_customers();
DROP TRIGGER accounts_count_insert ON accounts;
DROP TRIGGER accounts_count_delete ON accounts;
DROP TRIGGER accounts_count_update ON accounts;
DROP FUNCTION list_count_accounts();
DROP TRIGGER portfolios_count_insert ON portfolios;
DROP TRIGGER portfolios_count_delete ON portfolios;
DROP TRIGGER portfolios_count_update ON portfolios;
DROP FUNCTION list_count_portfolios();
DROP TRIGGER requests_count_insert ON requests;
DROP TRIGGER requests_count_delete ON requests;
DROP TRIGGER requests_count_update ON requests;
DROP FUNCTION list_count_requests();
DROP TRIGGER assets_count_insert ON assets;
DROP TRIGGER assets_count_delete ON assets;
DROP TRIGGER assets_count_update ON assets;
DROP FUNCTION list_count_assets();
DROP TRIGGER transactions_count_insert ON transactions;
DROP TRIGGER transactions_count_delete ON transactions;
DROP TRIGGER transactions_count_update ON transactions;
DROP FUNCTION list_count_transactions();
DROP FUNCTION list_counts_rebuild();
DROP FUNCTION list_count_keys(text[]);
DROP TABLE list_buckets;
DROP TABLE list_counts;
