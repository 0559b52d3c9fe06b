-- +goose NO TRANSACTION
-- +goose Up
-- Mirrors db/migrations/postgres/00012_wallet_kyc_level.sql: the wallet
-- source API sets no upper bound on kyc_level (nor does seed 003), so only
-- a negative level is refused. SQLite cannot change a CHECK constraint in
-- place: the table is rebuilt as its documentation describes (foreign keys
-- off, a new table, copy, drop, rename, indexes and trigger again, in one
-- transaction). The store keeps one SQLite connection, so the pragmas and
-- the transaction hold for every statement here.
PRAGMA foreign_keys = OFF;
BEGIN;
CREATE TABLE wallet_customers_new (
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
    kyc_level            INTEGER  NOT NULL DEFAULT 0 CHECK (kyc_level >= 0),
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

INSERT INTO wallet_customers_new SELECT * FROM wallet_customers;
DROP TABLE wallet_customers;
ALTER TABLE wallet_customers_new RENAME TO wallet_customers;
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

COMMIT;
PRAGMA foreign_keys = ON;

-- +goose Down
PRAGMA foreign_keys = OFF;
BEGIN;
CREATE TABLE wallet_customers_new (
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

INSERT INTO wallet_customers_new SELECT * FROM wallet_customers;
DROP TABLE wallet_customers;
ALTER TABLE wallet_customers_new RENAME TO wallet_customers;
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

COMMIT;
PRAGMA foreign_keys = ON;
