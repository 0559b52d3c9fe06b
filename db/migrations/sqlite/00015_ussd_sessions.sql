-- +goose Up
-- Mirrors db/migrations/postgres/00015_ussd_sessions.sql.
CREATE TABLE ussd_sessions (
    id              TEXT     PRIMARY KEY CHECK (length(id) = 37 AND substr(id, 1, 5) = 'ussd_'),
    organization_id INTEGER  NOT NULL,
    customer_id     INTEGER  NOT NULL,
    state           TEXT     NOT NULL CHECK (length(state) BETWEEN 1 AND 32),
    data            TEXT     NOT NULL DEFAULT '{}',
    expires_at      DATETIME NOT NULL,
    created_at      DATETIME NOT NULL,
    updated_at      DATETIME NOT NULL,
    FOREIGN KEY (organization_id, customer_id) REFERENCES customers (organization_id, id) ON DELETE CASCADE
);
CREATE INDEX ussd_sessions_expires ON ussd_sessions (expires_at);
CREATE INDEX ussd_sessions_customer ON ussd_sessions (organization_id, customer_id);

-- +goose Down
DROP TABLE ussd_sessions;
