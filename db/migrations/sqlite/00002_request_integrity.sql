-- +goose Up
ALTER TABLE organizations
    ADD COLUMN signature_policy TEXT NOT NULL DEFAULT 'optional'
    CHECK (signature_policy IN ('required', 'optional'));

CREATE TABLE signing_keys (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    organization_id INTEGER  NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    key_id          TEXT     NOT NULL CHECK (length(key_id) BETWEEN 1 AND 200),
    public_key      BLOB     NOT NULL CHECK (length(public_key) = 32),
    created_at      DATETIME NOT NULL,
    revoked_at      DATETIME,
    UNIQUE (organization_id, key_id)
);

CREATE TABLE idempotency_keys (
    organization_id  INTEGER  NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    key              TEXT     NOT NULL CHECK (length(key) BETWEEN 1 AND 255),
    method           TEXT     NOT NULL,
    path             TEXT     NOT NULL,
    request_hash     BLOB     NOT NULL,
    status_code      INTEGER  NOT NULL DEFAULT 0,
    content_type     TEXT     NOT NULL DEFAULT '',
    response_body    BLOB     NOT NULL DEFAULT '',
    created_at       DATETIME NOT NULL,
    expires_at       DATETIME NOT NULL,
    PRIMARY KEY (organization_id, key)
);
CREATE INDEX idempotency_keys_expires ON idempotency_keys (expires_at);

-- +goose Down
DROP TABLE idempotency_keys;
DROP TABLE signing_keys;
ALTER TABLE organizations DROP COLUMN signature_policy;
