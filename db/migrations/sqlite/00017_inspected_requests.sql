-- +goose Up
-- Mirrors db/migrations/postgres/00017_inspected_requests.sql (ids as
-- lowercase text, which sorts as the uuid does).
CREATE TABLE inspected_requests (
    id                      TEXT     PRIMARY KEY CHECK (length(id) = 36),
    organization_id         INTEGER  NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    request_id              TEXT     NOT NULL,
    received_at             DATETIME NOT NULL,
    method                  TEXT     NOT NULL,
    path                    TEXT     NOT NULL,
    query                   TEXT     NOT NULL DEFAULT '',
    route                   TEXT     NOT NULL DEFAULT '',
    operation_id            TEXT     NOT NULL DEFAULT '',
    status                  INTEGER  NOT NULL CHECK (status BETWEEN 100 AND 599),
    latency_us              INTEGER  NOT NULL CHECK (latency_us >= 0),
    signature               TEXT     NOT NULL DEFAULT '{}',
    content_digest          TEXT     NOT NULL CHECK (content_digest IN ('absent', 'verified', 'failed')),
    idempotency_outcome     TEXT     NOT NULL CHECK (idempotency_outcome IN ('first', 'replayed', 'conflict', 'none')),
    idempotency_key         TEXT     NOT NULL DEFAULT '',
    fault                   TEXT     NOT NULL DEFAULT '',
    request_headers         TEXT     NOT NULL DEFAULT '{}',
    request_body            BLOB,
    request_body_size       INTEGER  NOT NULL DEFAULT 0,
    request_body_truncated  BOOLEAN  NOT NULL DEFAULT false,
    response_headers        TEXT     NOT NULL DEFAULT '{}',
    response_body           BLOB,
    response_body_size      INTEGER  NOT NULL DEFAULT 0,
    response_body_truncated BOOLEAN  NOT NULL DEFAULT false,
    validation_errors       TEXT     NOT NULL DEFAULT '[]'
);
CREATE INDEX inspected_requests_org ON inspected_requests (organization_id, id);
CREATE INDEX inspected_requests_received ON inspected_requests (received_at);

-- +goose Down
DROP TABLE inspected_requests;
