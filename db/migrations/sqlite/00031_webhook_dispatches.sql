-- +goose Up
-- See the PostgreSQL migration 00031: the rows that make a delivery's
-- first attempt, made by the emitting process after the commit, durable.
CREATE TABLE webhook_dispatches (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    organization_id INTEGER  NOT NULL,
    webhook_id      INTEGER  NOT NULL,
    delivery_ids    TEXT     NOT NULL,
    due_at          DATETIME NOT NULL
);

-- +goose Down
DROP TABLE webhook_dispatches;
