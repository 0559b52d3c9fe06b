-- +goose Up
CREATE TABLE webhook_keys (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    key_id     TEXT     NOT NULL UNIQUE,
    seed       BLOB     NOT NULL CHECK (length(seed) = 32),
    created_at DATETIME NOT NULL,
    retired_at DATETIME
);

CREATE TABLE webhooks (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    organization_id    INTEGER  NOT NULL REFERENCES organizations (id),
    url                TEXT     NOT NULL CHECK (length(url) BETWEEN 1 AND 2000),
    subscriptions      TEXT     NOT NULL,
    status             TEXT     NOT NULL CHECK (status IN ('ACTIVE', 'DEACTIVED')),
    deactivated_reason TEXT,
    created_at         DATETIME NOT NULL,
    updated_at         DATETIME NOT NULL,
    UNIQUE (organization_id, id)
);
CREATE INDEX webhooks_org_created ON webhooks (organization_id, created_at, id);

CREATE TABLE webhook_events (
    id              TEXT     PRIMARY KEY,
    organization_id INTEGER  NOT NULL REFERENCES organizations (id),
    name            TEXT     NOT NULL,
    data            TEXT     NOT NULL,
    created_at      DATETIME NOT NULL,
    UNIQUE (organization_id, id)
);
CREATE INDEX webhook_events_org_created ON webhook_events (organization_id, created_at);

CREATE TABLE webhook_deliveries (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    organization_id  INTEGER  NOT NULL,
    webhook_id       INTEGER  NOT NULL,
    event_id         TEXT     NOT NULL,
    attempts         INTEGER  NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    state            TEXT     NOT NULL CHECK (state IN ('PENDING', 'SUCCEEDED', 'FAILED', 'CANCELED')),
    last_status_code INTEGER,
    last_latency_ms  INTEGER,
    last_error       TEXT,
    next_attempt_at  DATETIME,
    created_at       DATETIME NOT NULL,
    updated_at       DATETIME NOT NULL,
    UNIQUE (webhook_id, event_id),
    FOREIGN KEY (organization_id, webhook_id) REFERENCES webhooks (organization_id, id) ON DELETE CASCADE,
    FOREIGN KEY (organization_id, event_id) REFERENCES webhook_events (organization_id, id)
);
CREATE INDEX webhook_deliveries_webhook_created ON webhook_deliveries (webhook_id, created_at, id);

-- +goose Down
DROP TABLE webhook_deliveries;
DROP TABLE webhook_events;
DROP TABLE webhooks;
DROP TABLE webhook_keys;
