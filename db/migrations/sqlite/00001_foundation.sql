-- +goose Up
-- The SQLite schema mirrors the PostgreSQL one (db/migrations/postgres):
-- integer ids, text timestamps written by the application, money as TEXT so
-- that decimals keep every digit (SQLite's NUMERIC would round through REAL).
CREATE TABLE organizations (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    name               TEXT     NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    client_id          TEXT     NOT NULL UNIQUE,
    client_secret_hash BLOB     NOT NULL,
    sandbox            BOOLEAN  NOT NULL DEFAULT 0,
    created_at         DATETIME NOT NULL,
    updated_at         DATETIME NOT NULL
);

CREATE TABLE investment_types (
    id          INTEGER  PRIMARY KEY,
    name        TEXT     NOT NULL UNIQUE CHECK (name IN ('INTERNATIONAL_STOCKS', 'COMMODITY', 'BONDS', 'LOCAL_STOCKS', 'FOREIGN_EXCHANGE', 'CRYPTO')),
    description TEXT     NOT NULL,
    created_at  DATETIME NOT NULL,
    updated_at  DATETIME NOT NULL
);
INSERT INTO investment_types (id, name, description, created_at, updated_at) VALUES
    (1, 'INTERNATIONAL_STOCKS', 'Allows trading of international equities and stocks', '2026-01-01 00:00:00+00:00', '2026-01-01 00:00:00+00:00'),
    (2, 'COMMODITY', 'Allows trading of raw materials and basic resources (i.e. - Gold, Mining, Agricultural Products)', '2026-01-01 00:00:00+00:00', '2026-01-01 00:00:00+00:00'),
    (3, 'BONDS', 'Allows trading of bonds', '2026-01-01 00:00:00+00:00', '2026-01-01 00:00:00+00:00'),
    (4, 'LOCAL_STOCKS', 'Allows trading of local equities and stocks', '2026-01-01 00:00:00+00:00', '2026-01-01 00:00:00+00:00'),
    (5, 'FOREIGN_EXCHANGE', 'Allows trading of fiat currencies', '2026-01-01 00:00:00+00:00', '2026-01-01 00:00:00+00:00'),
    (6, 'CRYPTO', 'Allows trading of crypto currencies', '2026-01-01 00:00:00+00:00', '2026-01-01 00:00:00+00:00');

CREATE TABLE organization_investment_types (
    organization_id INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    investment_type TEXT    NOT NULL REFERENCES investment_types (name),
    is_default      BOOLEAN NOT NULL DEFAULT 1,
    PRIMARY KEY (organization_id, investment_type)
);

CREATE TABLE access_tokens (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    organization_id INTEGER  NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    token_hash      BLOB     NOT NULL UNIQUE,
    created_at      DATETIME NOT NULL,
    expires_at      DATETIME NOT NULL,
    revoked_at      DATETIME
);
CREATE INDEX access_tokens_org ON access_tokens (organization_id, id);
CREATE INDEX access_tokens_expires ON access_tokens (expires_at);

CREATE TABLE customers (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    organization_id INTEGER  NOT NULL REFERENCES organizations (id),
    first_name      TEXT     NOT NULL CHECK (length(first_name) BETWEEN 1 AND 100),
    last_name       TEXT     NOT NULL CHECK (length(last_name) BETWEEN 1 AND 100),
    reference_id    TEXT     CHECK (length(reference_id) BETWEEN 1 AND 64),
    status          TEXT     NOT NULL CHECK (status IN ('ACTIVE', 'SUSPENDED', 'CLOSED')),
    created_at      DATETIME NOT NULL,
    updated_at      DATETIME NOT NULL,
    UNIQUE (organization_id, reference_id),
    UNIQUE (organization_id, id)
);
CREATE INDEX customers_org_created ON customers (organization_id, created_at, id);

CREATE TABLE accounts (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    organization_id INTEGER  NOT NULL REFERENCES organizations (id),
    customer_id     INTEGER  NOT NULL,
    investment_type TEXT     NOT NULL REFERENCES investment_types (name),
    currency        TEXT     NOT NULL CHECK (currency IN ('USD', 'EUR', 'ZMW')),
    status          TEXT     NOT NULL CHECK (status IN ('ACTIVE', 'SUSPENDED', 'CLOSED')),
    created_at      DATETIME NOT NULL,
    updated_at      DATETIME NOT NULL,
    UNIQUE (customer_id, investment_type),
    UNIQUE (organization_id, id),
    FOREIGN KEY (organization_id, customer_id) REFERENCES customers (organization_id, id)
);
CREATE INDEX accounts_org_created ON accounts (organization_id, created_at, id);
CREATE INDEX accounts_customer_created ON accounts (customer_id, created_at, id);

CREATE TABLE portfolios (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    organization_id   INTEGER  NOT NULL REFERENCES organizations (id),
    customer_id       INTEGER  NOT NULL,
    account_id        INTEGER,
    investment_type   TEXT     REFERENCES investment_types (name),
    currency          TEXT     NOT NULL CHECK (currency IN ('USD', 'EUR', 'ZMW')),
    status            TEXT     NOT NULL CHECK (status IN ('ACTIVE', 'SUSPENDED', 'CLOSED')),
    investment_amount TEXT     NOT NULL DEFAULT '0',
    market_value      TEXT     NOT NULL DEFAULT '0',
    performance       TEXT     NOT NULL DEFAULT '0',
    created_at        DATETIME NOT NULL,
    updated_at        DATETIME NOT NULL,
    FOREIGN KEY (organization_id, customer_id) REFERENCES customers (organization_id, id),
    FOREIGN KEY (organization_id, account_id) REFERENCES accounts (organization_id, id),
    UNIQUE (account_id),
    CHECK ((account_id IS NULL) = (investment_type IS NULL))
);
CREATE INDEX portfolios_customer_created ON portfolios (customer_id, created_at, id);

-- +goose Down
DROP TABLE portfolios;
DROP TABLE accounts;
DROP TABLE customers;
DROP TABLE access_tokens;
DROP TABLE organization_investment_types;
DROP TABLE investment_types;
DROP TABLE organizations;
