-- +goose Up
-- POST /v1/customers writes fewer rows, index entries, foreign-key checks
-- and trigger statements (issue 17, goal 1); every list total stays exact
-- and maintained (goal 4).
--
-- Foreign keys implied by another: an account's and a portfolio's
-- organization is already checked by their composite key to the customer
-- (organization_id, customer_id), whose own organization key checks it.
ALTER TABLE accounts DROP CONSTRAINT accounts_organization_id_fkey;
ALTER TABLE portfolios DROP CONSTRAINT portfolios_organization_id_fkey;

-- A portfolio's account is its customer's: the key to the account carries
-- the customer (it replaces (organization_id, account_id)). The unique
-- index it needs, (organization_id, customer_id, id), also pages one
-- customer's accounts (at most one per investment type) in place of
-- accounts_customer_created.
ALTER TABLE accounts ADD CONSTRAINT accounts_org_customer_id UNIQUE (organization_id, customer_id, id);
DROP INDEX accounts_customer_created;
ALTER TABLE portfolios DROP CONSTRAINT portfolios_organization_id_account_id_fkey,
    ADD CONSTRAINT portfolios_account_of_customer FOREIGN KEY (organization_id, customer_id, account_id)
        REFERENCES accounts (organization_id, customer_id, id);

-- The column checks as domains: PostgreSQL reads and plans every CHECK
-- constraint of a table again for each INSERT or UPDATE statement (about
-- a tenth of a customer's creation), while a domain's check is prepared
-- once per connection. Same conditions; a violation is still SQLSTATE
-- 23514. (The customers' update trigger depends on status: it is made
-- again around the type change.)
CREATE DOMAIN investing_status AS text CHECK (VALUE IN ('ACTIVE', 'SUSPENDED', 'CLOSED'));
CREATE DOMAIN investing_currency AS text CHECK (VALUE IN ('USD', 'EUR', 'ZMW'));
CREATE DOMAIN investing_currency_spelling AS text CHECK (VALUE IN ('ZK'));
CREATE DOMAIN customer_name AS text CHECK (length(VALUE) BETWEEN 1 AND 100);
CREATE DOMAIN customer_reference_id AS text CHECK (length(VALUE) BETWEEN 1 AND 64);
CREATE DOMAIN non_negative_amount AS numeric(38, 8) CHECK (VALUE >= 0);
DROP TRIGGER customers_count_update ON customers;
ALTER TABLE customers DROP CONSTRAINT customers_first_name_check, DROP CONSTRAINT customers_last_name_check,
    DROP CONSTRAINT customers_reference_id_check, DROP CONSTRAINT customers_status_check,
    ALTER first_name TYPE customer_name, ALTER last_name TYPE customer_name,
    ALTER reference_id TYPE customer_reference_id, ALTER status TYPE investing_status;
CREATE TRIGGER customers_count_update AFTER UPDATE ON customers FOR EACH ROW
    WHEN (OLD.status IS DISTINCT FROM NEW.status)
    EXECUTE FUNCTION list_count_customers();
ALTER TABLE accounts DROP CONSTRAINT accounts_currency_check, DROP CONSTRAINT accounts_status_check,
    DROP CONSTRAINT accounts_currency_spelling_check,
    ALTER currency TYPE investing_currency, ALTER currency_spelling TYPE investing_currency_spelling,
    ALTER status TYPE investing_status;
ALTER TABLE portfolios DROP CONSTRAINT portfolios_currency_check, DROP CONSTRAINT portfolios_status_check,
    DROP CONSTRAINT portfolios_investment_amount_check, DROP CONSTRAINT portfolios_market_value_check,
    DROP CONSTRAINT portfolios_currency_spelling_check,
    ALTER currency TYPE investing_currency, ALTER currency_spelling TYPE investing_currency_spelling,
    ALTER status TYPE investing_status,
    ALTER investment_amount TYPE non_negative_amount, ALTER market_value TYPE non_negative_amount;

-- Counts (00014, 00020), cheaper:
--   customers: unchanged keys; counts and buckets in one statement.
--   accounts: only the whole list ('' and its buckets), in one statement;
--     one customer's accounts (at most one per investment type) are
--     counted from accounts_org_customer_id, so a new customer writes no
--     count row of its own and a customer_id change moves nothing.
--   portfolios: no whole-list key (the API lists one customer's
--     portfolios only); a customer's portfolios are those of its accounts
--     (counted through its accounts, at most one each) plus those without
--     an account, whose count per customer is kept as the list
--     'standalone_portfolios', key 'customer_id=N', by row triggers that
--     fire only for such portfolios (a customer's creation fires none).
-- internal/store/list_counts.go reads them so.
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
CREATE OR REPLACE FUNCTION list_count_accounts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        WITH g AS MATERIALIZED (
            SELECT t.organization_id AS o, date_bin('1 hour', t.created_at, '2000-01-01 00:00:00+00') AS b, count(*) AS n
            FROM inserted t GROUP BY 1, 2
        ), c AS (
            INSERT INTO list_counts AS c (organization_id, list, key, slot, n)
            SELECT o, 'accounts', '', pg_backend_pid() % 256, sum(n) FROM g GROUP BY o ORDER BY o
            ON CONFLICT (organization_id, list, key, slot) DO UPDATE SET n = c.n + EXCLUDED.n
        )
        INSERT INTO list_buckets AS c (organization_id, list, key, bucket, slot, n)
        SELECT o, 'accounts', '', b, pg_backend_pid() % 256, n FROM g ORDER BY o, b
        ON CONFLICT (organization_id, list, key, bucket, slot) DO UPDATE SET n = c.n + EXCLUDED.n;
    ELSE
        WITH g AS MATERIALIZED (
            SELECT t.organization_id AS o, date_bin('1 hour', t.created_at, '2000-01-01 00:00:00+00') AS b, -count(*) AS n
            FROM deleted t GROUP BY 1, 2
        ), c AS (
            INSERT INTO list_counts AS c (organization_id, list, key, slot, n)
            SELECT o, 'accounts', '', pg_backend_pid() % 256, sum(n) FROM g GROUP BY o ORDER BY o
            ON CONFLICT (organization_id, list, key, slot) DO UPDATE SET n = c.n + EXCLUDED.n
        )
        INSERT INTO list_buckets AS c (organization_id, list, key, bucket, slot, n)
        SELECT o, 'accounts', '', b, pg_backend_pid() % 256, n FROM g ORDER BY o, b
        ON CONFLICT (organization_id, list, key, bucket, slot) DO UPDATE SET n = c.n + EXCLUDED.n;
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd
DROP TRIGGER accounts_count_update ON accounts;

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION list_count_portfolios() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        INSERT INTO list_counts AS c (organization_id, list, key, slot, n)
        SELECT t.organization_id, 'standalone_portfolios', 'customer_id=' || t.customer_id, pg_backend_pid() % 256, -count(*)
        FROM deleted t WHERE t.account_id IS NULL
        GROUP BY 1, 3 ORDER BY 1, 3
        ON CONFLICT (organization_id, list, key, slot) DO UPDATE SET n = c.n + EXCLUDED.n;
        RETURN NULL;
    END IF;
    -- a row trigger (see WHEN): leave the old key, join the new one
    INSERT INTO list_counts AS c (organization_id, list, key, slot, n)
    SELECT x.o, 'standalone_portfolios', x.k, pg_backend_pid() % 256, sum(x.d)
    FROM (SELECT OLD.organization_id AS o, 'customer_id=' || OLD.customer_id AS k, -1 AS d WHERE TG_OP = 'UPDATE' AND OLD.account_id IS NULL
          UNION ALL
          SELECT NEW.organization_id, 'customer_id=' || NEW.customer_id, 1 WHERE NEW.account_id IS NULL) x
    GROUP BY 1, 3 HAVING sum(x.d) <> 0 ORDER BY 1, 3
    ON CONFLICT (organization_id, list, key, slot) DO UPDATE SET n = c.n + EXCLUDED.n;
    RETURN NULL;
END
$$;
-- +goose StatementEnd
DROP TRIGGER portfolios_count_insert ON portfolios;
DROP TRIGGER portfolios_count_update ON portfolios;
CREATE TRIGGER portfolios_count_insert AFTER INSERT ON portfolios FOR EACH ROW
    WHEN (NEW.account_id IS NULL)
    EXECUTE FUNCTION list_count_portfolios();
CREATE TRIGGER portfolios_count_update AFTER UPDATE ON portfolios FOR EACH ROW
    WHEN (OLD.customer_id IS DISTINCT FROM NEW.customer_id OR (OLD.account_id IS NULL) <> (NEW.account_id IS NULL))
    EXECUTE FUNCTION list_count_portfolios();

-- The rebuild (00014, 00019) with the keys above.
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

DELETE FROM list_counts WHERE list = 'accounts' AND key <> '';
DELETE FROM list_counts WHERE list = 'portfolios';
INSERT INTO list_counts (organization_id, list, key, slot, n)
SELECT organization_id, 'standalone_portfolios', 'customer_id=' || customer_id, 0, count(*)
FROM portfolios WHERE account_id IS NULL GROUP BY 1, 3;

-- +goose Down
DELETE FROM list_counts WHERE list = 'standalone_portfolios';
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

DROP TRIGGER portfolios_count_insert ON portfolios;
DROP TRIGGER portfolios_count_update ON portfolios;
CREATE TRIGGER portfolios_count_insert AFTER INSERT ON portfolios
    REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION list_count_portfolios();
CREATE TRIGGER portfolios_count_update AFTER UPDATE ON portfolios FOR EACH ROW
    WHEN (OLD.customer_id IS DISTINCT FROM NEW.customer_id)
    EXECUTE FUNCTION list_count_portfolios();
CREATE TRIGGER accounts_count_update AFTER UPDATE ON accounts FOR EACH ROW
    WHEN (OLD.customer_id IS DISTINCT FROM NEW.customer_id)
    EXECUTE FUNCTION list_count_accounts();
DELETE FROM list_counts WHERE list IN ('accounts', 'portfolios');
INSERT INTO list_counts (organization_id, list, key, slot, n)
SELECT t.organization_id, 'accounts', k, 0, count(*)
FROM accounts t, LATERAL (VALUES (''), ('customer_id=' || t.customer_id)) AS kk(k) GROUP BY t.organization_id, k;
INSERT INTO list_counts (organization_id, list, key, slot, n)
SELECT t.organization_id, 'portfolios', k, 0, count(*)
FROM portfolios t, LATERAL (VALUES (''), ('customer_id=' || t.customer_id)) AS kk(k) GROUP BY t.organization_id, k;

ALTER TABLE portfolios ALTER currency TYPE text, ALTER currency_spelling TYPE text, ALTER status TYPE text,
    ALTER investment_amount TYPE numeric(38, 8), ALTER market_value TYPE numeric(38, 8),
    ADD CONSTRAINT portfolios_currency_check CHECK (currency IN ('USD', 'EUR', 'ZMW')),
    ADD CONSTRAINT portfolios_status_check CHECK (status IN ('ACTIVE', 'SUSPENDED', 'CLOSED')),
    ADD CONSTRAINT portfolios_investment_amount_check CHECK (investment_amount >= 0),
    ADD CONSTRAINT portfolios_market_value_check CHECK (market_value >= 0),
    ADD CONSTRAINT portfolios_currency_spelling_check CHECK (currency_spelling IN ('ZK'));
ALTER TABLE accounts ALTER currency TYPE text, ALTER currency_spelling TYPE text, ALTER status TYPE text,
    ADD CONSTRAINT accounts_currency_check CHECK (currency IN ('USD', 'EUR', 'ZMW')),
    ADD CONSTRAINT accounts_status_check CHECK (status IN ('ACTIVE', 'SUSPENDED', 'CLOSED')),
    ADD CONSTRAINT accounts_currency_spelling_check CHECK (currency_spelling IN ('ZK'));
DROP TRIGGER customers_count_update ON customers;
ALTER TABLE customers ALTER first_name TYPE text, ALTER last_name TYPE text, ALTER reference_id TYPE text, ALTER status TYPE text,
    ADD CONSTRAINT customers_first_name_check CHECK (length(first_name) BETWEEN 1 AND 100),
    ADD CONSTRAINT customers_last_name_check CHECK (length(last_name) BETWEEN 1 AND 100),
    ADD CONSTRAINT customers_reference_id_check CHECK (length(reference_id) BETWEEN 1 AND 64),
    ADD CONSTRAINT customers_status_check CHECK (status IN ('ACTIVE', 'SUSPENDED', 'CLOSED'));
CREATE TRIGGER customers_count_update AFTER UPDATE ON customers FOR EACH ROW
    WHEN (OLD.status IS DISTINCT FROM NEW.status)
    EXECUTE FUNCTION list_count_customers();
DROP DOMAIN non_negative_amount;
DROP DOMAIN customer_reference_id;
DROP DOMAIN customer_name;
DROP DOMAIN investing_currency_spelling;
DROP DOMAIN investing_currency;
DROP DOMAIN investing_status;

ALTER TABLE portfolios DROP CONSTRAINT portfolios_account_of_customer,
    ADD CONSTRAINT portfolios_organization_id_account_id_fkey FOREIGN KEY (organization_id, account_id) REFERENCES accounts (organization_id, id);
CREATE INDEX accounts_customer_created ON accounts (customer_id, created_at, id);
ALTER TABLE accounts DROP CONSTRAINT accounts_org_customer_id;
ALTER TABLE portfolios ADD CONSTRAINT portfolios_organization_id_fkey FOREIGN KEY (organization_id) REFERENCES organizations (id);
ALTER TABLE accounts ADD CONSTRAINT accounts_organization_id_fkey FOREIGN KEY (organization_id) REFERENCES organizations (id);
