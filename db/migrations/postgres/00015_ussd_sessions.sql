-- +goose Up
-- USSD sessions (POST /v1/ussd/session, /v1/ussd/process): one customer's
-- walk through the menus, its state and what it remembers between steps.
-- The customer is the organization's (composite foreign key).
CREATE TABLE ussd_sessions (
    id              text        PRIMARY KEY CHECK (id ~ '^ussd_[0-9a-f]{32}$'),
    organization_id bigint      NOT NULL,
    customer_id     bigint      NOT NULL,
    state           text        NOT NULL CHECK (length(state) BETWEEN 1 AND 32),
    data            text        NOT NULL DEFAULT '{}',
    expires_at      timestamptz NOT NULL,
    created_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL,
    FOREIGN KEY (organization_id, customer_id) REFERENCES customers (organization_id, id) ON DELETE CASCADE
);
CREATE INDEX ussd_sessions_expires ON ussd_sessions (expires_at);
CREATE INDEX ussd_sessions_customer ON ussd_sessions (organization_id, customer_id);

-- +goose Down
DROP TABLE ussd_sessions;
