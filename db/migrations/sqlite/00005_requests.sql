-- +goose Up
-- The SQLite schema mirrors the PostgreSQL one (db/migrations/postgres);
-- money and quantities are TEXT so that decimals keep every digit, and
-- their CHECKs test the text (a sign, a non-zero digit) instead of
-- converting it to a binary number.
-- Investing requests, the holdings (assets) they build, the transactions
-- their executions leave, and the sandbox's per-organization state.
-- Instruments are not stored: their ids are the market catalog's, which
-- never renumbers (internal/market).

-- portfolios(organization_id, id), for the foreign keys below.
CREATE UNIQUE INDEX portfolios_organization_id_id_key ON portfolios (organization_id, id);

-- A sandbox organization's clock runs ahead of the real one by this much.
CREATE TABLE sandbox_clocks (
    organization_id INTEGER     PRIMARY KEY REFERENCES organizations (id) ON DELETE CASCADE,
    offset_seconds  INTEGER     NOT NULL DEFAULT 0 CHECK (offset_seconds >= 0),
    updated_at      DATETIME    NOT NULL
);

-- Instrument prices a sandbox organization set (US dollars).
CREATE TABLE sandbox_prices (
    organization_id INTEGER        NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    instrument_id   INTEGER        NOT NULL CHECK (instrument_id > 0),
    price           TEXT           NOT NULL CHECK (price NOT LIKE '-%' AND price GLOB '*[1-9]*'),
    updated_at      DATETIME       NOT NULL,
    PRIMARY KEY (organization_id, instrument_id)
);

-- Holdings: one per instrument per portfolio.
CREATE TABLE assets (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    organization_id   INTEGER        NOT NULL REFERENCES organizations (id),
    customer_id       INTEGER        NOT NULL,
    account_id        INTEGER        NOT NULL,
    portfolio_id      INTEGER        NOT NULL,
    instrument_id     INTEGER        NOT NULL CHECK (instrument_id > 0),
    symbol            TEXT           NOT NULL CHECK (length(symbol) BETWEEN 1 AND 16),
    currency          TEXT           NOT NULL CHECK (currency IN ('USD', 'EUR', 'ZMW')),
    quantity          TEXT           NOT NULL DEFAULT '0' CHECK (quantity NOT LIKE '-%'),
    average_cost      TEXT           NOT NULL DEFAULT '0' CHECK (average_cost NOT LIKE '-%'),
    investment_amount TEXT           NOT NULL DEFAULT '0' CHECK (investment_amount NOT LIKE '-%'),
    market_value      TEXT           NOT NULL DEFAULT '0' CHECK (market_value NOT LIKE '-%'),
    created_at        DATETIME       NOT NULL,
    updated_at        DATETIME       NOT NULL,
    UNIQUE (portfolio_id, instrument_id),
    UNIQUE (organization_id, id),
    FOREIGN KEY (organization_id, customer_id) REFERENCES customers (organization_id, id),
    FOREIGN KEY (organization_id, account_id) REFERENCES accounts (organization_id, id),
    FOREIGN KEY (organization_id, portfolio_id) REFERENCES portfolios (organization_id, id)
);
CREATE INDEX assets_org_created ON assets (organization_id, created_at, id);
CREATE INDEX assets_org_customer_created ON assets (organization_id, customer_id, created_at, id);
CREATE INDEX assets_org_portfolio_created ON assets (organization_id, portfolio_id, created_at, id);
CREATE INDEX assets_org_account_created ON assets (organization_id, account_id, created_at, id);

CREATE TABLE requests (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    organization_id   INTEGER        NOT NULL REFERENCES organizations (id),
    customer_id       INTEGER        NOT NULL,
    account_id        INTEGER        NOT NULL,
    portfolio_id      INTEGER        NOT NULL,
    request_type      TEXT           NOT NULL CHECK (request_type IN ('PURCHASE', 'SELL')),
    status            TEXT           NOT NULL CHECK (status IN ('PENDING', 'COMPLETED', 'CANCELED', 'ERROR')),
    currency          TEXT           NOT NULL CHECK (currency IN ('USD', 'EUR', 'ZMW')),
    instrument_id     INTEGER        NOT NULL CHECK (instrument_id > 0),
    symbol            TEXT           NOT NULL CHECK (length(symbol) BETWEEN 1 AND 16),
    asset_id          bigint,
    purchase_amount   TEXT           CHECK (purchase_amount NOT LIKE '-%' AND purchase_amount GLOB '*[1-9]*'),
    sell_amount       TEXT           CHECK (sell_amount NOT LIKE '-%' AND sell_amount GLOB '*[1-9]*'),
    sell_percentage   TEXT           CHECK (sell_percentage NOT LIKE '-%' AND sell_percentage GLOB '*[1-9]*'),
    is_recurring      BOOLEAN        NOT NULL DEFAULT 0,
    schedule          TEXT           NOT NULL DEFAULT 'ONCE' CHECK (schedule IN ('ONCE', 'DAILY', 'WEEKLY', 'BI_WEEKLY', 'MONTHLY')),
    next_execution_at DATETIME   ,
    executions        INTEGER        NOT NULL DEFAULT 0 CHECK (executions >= 0),
    error_reason      text,
    created_at        DATETIME       NOT NULL,
    updated_at        DATETIME       NOT NULL,
    UNIQUE (organization_id, id),
    FOREIGN KEY (organization_id, customer_id) REFERENCES customers (organization_id, id),
    FOREIGN KEY (organization_id, account_id) REFERENCES accounts (organization_id, id),
    FOREIGN KEY (organization_id, portfolio_id) REFERENCES portfolios (organization_id, id),
    FOREIGN KEY (organization_id, asset_id) REFERENCES assets (organization_id, id),
    -- a purchase has an amount; a sell has an asset and exactly one of amount and percentage
    CHECK ((request_type = 'PURCHASE') = (purchase_amount IS NOT NULL)),
    CHECK ((request_type = 'SELL') = (asset_id IS NOT NULL)),
    CHECK (request_type = 'PURCHASE' OR ((sell_amount IS NULL) <> (sell_percentage IS NULL))),
    CHECK (request_type = 'SELL' OR (sell_amount IS NULL AND sell_percentage IS NULL)),
    -- a schedule other than ONCE exactly when recurring; a pending recurring request knows its next cycle
    CHECK (is_recurring = (schedule <> 'ONCE')),
    CHECK (NOT is_recurring OR status <> 'PENDING' OR next_execution_at IS NOT NULL),
    -- a reason exactly when in ERROR
    CHECK ((status = 'ERROR') = (error_reason IS NOT NULL))
);
CREATE INDEX requests_org_created ON requests (organization_id, created_at, id);
CREATE INDEX requests_org_customer_created ON requests (organization_id, customer_id, created_at, id);
CREATE INDEX requests_org_due ON requests (organization_id, next_execution_at) WHERE status = 'PENDING' AND is_recurring = 1;

-- One row per execution of a request (per cycle of a recurring one).
CREATE TABLE transactions (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    organization_id  INTEGER        NOT NULL REFERENCES organizations (id),
    customer_id      INTEGER        NOT NULL,
    account_id       INTEGER        NOT NULL,
    portfolio_id     INTEGER        NOT NULL,
    request_id       INTEGER        NOT NULL,
    asset_id         bigint,
    instrument_id    INTEGER        NOT NULL CHECK (instrument_id > 0),
    symbol           TEXT           NOT NULL,
    transaction_type TEXT           NOT NULL CHECK (transaction_type IN ('PURCHASE', 'SELL')),
    status           TEXT           NOT NULL CHECK (status IN ('PENDING', 'COMPLETED', 'CANCELED', 'ERROR')),
    currency         TEXT           NOT NULL CHECK (currency IN ('USD', 'EUR', 'ZMW')),
    amount           TEXT           NOT NULL CHECK (amount NOT LIKE '-%'),
    fx_rate          TEXT           NOT NULL CHECK (fx_rate NOT LIKE '-%'),
    price            TEXT           NOT NULL CHECK (price NOT LIKE '-%'),
    quantity         TEXT           NOT NULL CHECK (quantity NOT LIKE '-%'),
    value            TEXT           NOT NULL CHECK (value NOT LIKE '-%'),
    uninvested       TEXT           NOT NULL CHECK (uninvested NOT LIKE '-%'),
    cycle            INTEGER        NOT NULL CHECK (cycle >= 1),
    error_reason     text,
    executed_at      DATETIME       NOT NULL,
    created_at       DATETIME       NOT NULL,
    updated_at       DATETIME       NOT NULL,
    -- an execution happens once: one transaction per request cycle
    UNIQUE (request_id, cycle),
    FOREIGN KEY (organization_id, customer_id) REFERENCES customers (organization_id, id),
    FOREIGN KEY (organization_id, request_id) REFERENCES requests (organization_id, id),
    FOREIGN KEY (organization_id, asset_id) REFERENCES assets (organization_id, id),
    CHECK ((status = 'ERROR') = (error_reason IS NOT NULL))
);
CREATE INDEX transactions_org_created ON transactions (organization_id, created_at, id);
CREATE INDEX transactions_org_customer_created ON transactions (organization_id, customer_id, created_at, id);

-- +goose Down
DROP TABLE transactions;
DROP TABLE requests;
DROP INDEX portfolios_organization_id_id_key;
DROP TABLE assets;
DROP TABLE sandbox_prices;
DROP TABLE sandbox_clocks;
