-- +goose Up
-- The request inspector (GET /v1/sandbox/requests): every API request of a
-- sandbox organization, as received, judged and answered. Ids are UUIDv7
-- (time-ordered: lists and cursors seek on (organization_id, id)); headers
-- and validation errors are JSON text; bodies are bytes, redacted and cut
-- at 64 KiB. Retention prunes by age (received_at) and per organization
-- by count.
CREATE TABLE inspected_requests (
    id                      uuid        PRIMARY KEY,
    organization_id         bigint      NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    request_id              text        NOT NULL,
    received_at             timestamptz NOT NULL,
    method                  text        NOT NULL,
    path                    text        NOT NULL,
    query                   text        NOT NULL DEFAULT '',
    route                   text        NOT NULL DEFAULT '',
    operation_id            text        NOT NULL DEFAULT '',
    status                  integer     NOT NULL CHECK (status BETWEEN 100 AND 599),
    latency_us              bigint      NOT NULL CHECK (latency_us >= 0),
    signature               text        NOT NULL DEFAULT '{}',
    content_digest          text        NOT NULL CHECK (content_digest IN ('absent', 'verified', 'failed')),
    idempotency_outcome     text        NOT NULL CHECK (idempotency_outcome IN ('first', 'replayed', 'conflict', 'none')),
    idempotency_key         text        NOT NULL DEFAULT '',
    fault                   text        NOT NULL DEFAULT '',
    request_headers         text        NOT NULL DEFAULT '{}',
    request_body            bytea,
    request_body_size       bigint      NOT NULL DEFAULT 0,
    request_body_truncated  boolean     NOT NULL DEFAULT false,
    response_headers        text        NOT NULL DEFAULT '{}',
    response_body           bytea,
    response_body_size      bigint      NOT NULL DEFAULT 0,
    response_body_truncated boolean     NOT NULL DEFAULT false,
    validation_errors       text        NOT NULL DEFAULT '[]'
);
CREATE INDEX inspected_requests_org ON inspected_requests (organization_id, id);
CREATE INDEX inspected_requests_received ON inspected_requests (received_at);

-- +goose Down
DROP TABLE inspected_requests;
