-- +goose Up
-- Mirrors db/migrations/postgres/00018_sandbox_faults.sql.
CREATE TABLE sandbox_faults (
    id              INTEGER  PRIMARY KEY AUTOINCREMENT,
    organization_id INTEGER  NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    target          TEXT     NOT NULL CHECK (target IN ('request', 'webhook')),
    operation_id    TEXT     CHECK (length(operation_id) BETWEEN 1 AND 100),
    method          TEXT     CHECK (method IN ('GET', 'POST', 'PUT', 'PATCH', 'DELETE')),
    path            TEXT     CHECK (length(path) BETWEEN 1 AND 200),
    event           TEXT     CHECK (length(event) BETWEEN 1 AND 100),
    webhook_id      INTEGER,
    action          TEXT     NOT NULL CHECK (action IN ('latency', 'status', 'close', 'timeout', 'delay', 'duplicate', 'outOfOrder')),
    status          INTEGER  CHECK (status BETWEEN 400 AND 599),
    message         TEXT     CHECK (length(message) BETWEEN 1 AND 500),
    latency_ms      INTEGER  CHECK (latency_ms BETWEEN 1 AND 120000),
    times           INTEGER  CHECK (times BETWEEN 1 AND 10000),
    remaining       INTEGER  CHECK (remaining BETWEEN 0 AND times),
    probability_ppm INTEGER  CHECK (probability_ppm BETWEEN 1 AND 1000000),
    expires_at      DATETIME NOT NULL,
    created_at      DATETIME NOT NULL,
    CHECK ((times IS NULL) = (remaining IS NULL))
);
CREATE INDEX sandbox_faults_org ON sandbox_faults (organization_id, id);

-- +goose Down
DROP TABLE sandbox_faults;
