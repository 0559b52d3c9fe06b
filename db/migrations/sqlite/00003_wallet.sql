-- +goose Up
-- Mirrors db/migrations/postgres/00003_wallet.sql: uuids as TEXT (canonical
-- lower-case form), money as TEXT so that decimals keep every digit. The
-- search_string filter scans here (no trigram index in SQLite).
CREATE TABLE wallet_counterparties (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    guid            TEXT     NOT NULL UNIQUE,
    organization_id INTEGER  NOT NULL REFERENCES organizations (id),
    name            TEXT     NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    customers_total INTEGER  NOT NULL DEFAULT 0 CHECK (customers_total >= 0),
    created_at      DATETIME NOT NULL,
    updated_at      DATETIME NOT NULL,
    UNIQUE (organization_id, id)
);
CREATE INDEX wallet_counterparties_org_created ON wallet_counterparties (organization_id, created_at, id);

CREATE TABLE wallet_customers (
    id                   INTEGER PRIMARY KEY AUTOINCREMENT,
    guid                 TEXT     NOT NULL UNIQUE,
    organization_id      INTEGER  NOT NULL,
    counterparty_id      INTEGER  NOT NULL,
    login                TEXT     CHECK (length(login) BETWEEN 1 AND 254),
    name                 TEXT     CHECK (length(name) BETWEEN 1 AND 200),
    surname              TEXT     CHECK (length(surname) BETWEEN 1 AND 200),
    paternal_name        TEXT     CHECK (length(paternal_name) BETWEEN 1 AND 200),
    phone_number         TEXT     CHECK (length(phone_number) BETWEEN 1 AND 32),
    segment              TEXT     CHECK (segment IN ('PL', 'PI')),
    status               TEXT     CHECK (length(status) BETWEEN 1 AND 64),
    kyc_level            INTEGER  NOT NULL DEFAULT 0 CHECK (kyc_level BETWEEN 0 AND 3),
    is_disabled          BOOLEAN  NOT NULL DEFAULT 0,
    branch_guid          TEXT,
    balance_allowed      TEXT     NOT NULL DEFAULT '0' CHECK (CAST(balance_allowed AS REAL) >= 0),
    balance_asset_code   TEXT     CHECK (length(balance_asset_code) BETWEEN 1 AND 12),
    balance_asset_issuer TEXT     CHECK (length(balance_asset_issuer) = 56),
    asset_code           TEXT     NOT NULL CHECK (length(asset_code) BETWEEN 1 AND 12),
    asset_issuer         TEXT     NOT NULL CHECK (length(asset_issuer) = 56),
    created_at           DATETIME NOT NULL,
    updated_at           DATETIME NOT NULL,
    CHECK ((balance_asset_code IS NULL) = (balance_asset_issuer IS NULL)),
    UNIQUE (counterparty_id, login),
    UNIQUE (organization_id, counterparty_id, id),
    FOREIGN KEY (organization_id, counterparty_id) REFERENCES wallet_counterparties (organization_id, id)
);
CREATE INDEX wallet_customers_created ON wallet_customers (counterparty_id, created_at, id);
CREATE INDEX wallet_customers_updated ON wallet_customers (counterparty_id, updated_at, id);
CREATE INDEX wallet_customers_name ON wallet_customers (counterparty_id, name, id);
CREATE INDEX wallet_customers_surname ON wallet_customers (counterparty_id, surname, id);
CREATE INDEX wallet_customers_kyc_level ON wallet_customers (counterparty_id, kyc_level, id);
-- Money is TEXT here: it orders and compares as a number through CAST.
CREATE INDEX wallet_customers_balance_allowed ON wallet_customers (counterparty_id, CAST(balance_allowed AS REAL), id);
CREATE INDEX wallet_customers_phone_number ON wallet_customers (counterparty_id, phone_number);
CREATE INDEX wallet_customers_paternal_name ON wallet_customers (counterparty_id, paternal_name);
CREATE INDEX wallet_customers_branch ON wallet_customers (counterparty_id, branch_guid);
CREATE INDEX wallet_customers_status ON wallet_customers (counterparty_id, status);
CREATE INDEX wallet_customers_disabled ON wallet_customers (counterparty_id, is_disabled, created_at, id);

-- +goose StatementBegin
CREATE TRIGGER wallet_customers_count AFTER INSERT ON wallet_customers
BEGIN
    UPDATE wallet_counterparties SET customers_total = customers_total + 1 WHERE id = NEW.counterparty_id;
END;
-- +goose StatementEnd

CREATE TABLE wallet_accounts (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    guid            TEXT     NOT NULL UNIQUE,
    organization_id INTEGER  NOT NULL,
    counterparty_id INTEGER  NOT NULL,
    customer_id     INTEGER  NOT NULL,
    iban            TEXT     CHECK (length(iban) BETWEEN 15 AND 34 AND iban = upper(iban)),
    asset_code      TEXT     NOT NULL CHECK (length(asset_code) BETWEEN 1 AND 12),
    asset_issuer    TEXT     NOT NULL CHECK (length(asset_issuer) = 56),
    balance         TEXT     NOT NULL DEFAULT '0' CHECK (CAST(balance AS REAL) >= 0),
    activated       BOOLEAN  NOT NULL DEFAULT 0,
    registered      BOOLEAN  NOT NULL DEFAULT 0,
    blocked         BOOLEAN  NOT NULL DEFAULT 0,
    created_at      DATETIME NOT NULL,
    updated_at      DATETIME NOT NULL,
    UNIQUE (organization_id, iban),
    FOREIGN KEY (organization_id, counterparty_id, customer_id) REFERENCES wallet_customers (organization_id, counterparty_id, id)
);
CREATE INDEX wallet_accounts_customer_created ON wallet_accounts (customer_id, created_at, id);

-- +goose Down
DROP TABLE wallet_accounts;
DROP TABLE wallet_customers;
DROP TABLE wallet_counterparties;
