-- +goose Up
-- As 00032 did for the customer create: accepting a purchase or sale
-- inserts its request with one statement (store.createRequestSQL) that
-- now adds the request to list_counts and list_buckets itself, in two
-- data-modifying CTEs, and marks it counted; the insert trigger becomes a
-- row trigger for the requests that were not (WHEN NOT counted: every
-- other insert is counted as before, a row at a time). Deletes and the
-- status and type changes are counted by their triggers, as before.
ALTER TABLE requests ADD COLUMN counted boolean NOT NULL DEFAULT false;
COMMENT ON COLUMN requests.counted IS 'true when the inserting statement added the row to list_counts and list_buckets itself; the insert trigger counts the others';

-- +goose StatementBegin
CREATE FUNCTION list_count_request_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    WITH c AS (
        INSERT INTO list_counts AS c (organization_id, list, key, slot, n)
        SELECT NEW.organization_id, 'requests', k, pg_backend_pid() % 256, 1
        FROM (VALUES ('customer_id=' || NEW.customer_id || '&' || 'status=' || NEW.status || '&' || 'request_type=' || NEW.request_type),
                     ('status=' || NEW.status || '&' || 'request_type=' || NEW.request_type)) AS kk(k)
        ORDER BY k
        ON CONFLICT (organization_id, list, key, slot) DO UPDATE SET n = c.n + EXCLUDED.n
    )
    INSERT INTO list_buckets AS c (organization_id, list, key, bucket, slot, n)
    VALUES (NEW.organization_id, 'requests', 'status=' || NEW.status || '&' || 'request_type=' || NEW.request_type,
        date_bin('1 hour', NEW.created_at, '2000-01-01 00:00:00+00'), pg_backend_pid() % 256, 1)
    ON CONFLICT (organization_id, list, key, bucket, slot) DO UPDATE SET n = c.n + EXCLUDED.n;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

DROP TRIGGER requests_count_insert ON requests;
CREATE TRIGGER requests_count_insert AFTER INSERT ON requests
    FOR EACH ROW WHEN (NOT NEW.counted) EXECUTE FUNCTION list_count_request_inserted();

-- +goose Down
DROP TRIGGER requests_count_insert ON requests;
CREATE TRIGGER requests_count_insert AFTER INSERT ON requests
    REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION list_count_requests();
DROP FUNCTION list_count_request_inserted();
ALTER TABLE requests DROP COLUMN counted;
