-- +goose Up
-- Mirrors db/migrations/postgres/00016_reports_portfolio_assets.sql.
CREATE TABLE reports (
    id                   INTEGER PRIMARY KEY AUTOINCREMENT,
    organization_id      INTEGER  NOT NULL REFERENCES organizations (id),
    report_types         TEXT     NOT NULL CHECK (length(report_types) BETWEEN 4 AND 64
                                   AND replace(replace(replace(replace(report_types, 'REGULATORY', ''), 'TRANSACTION', ''), 'USER', ''), ',', '') = ''),
    format               TEXT     NOT NULL CHECK (format IN ('CSV', 'JSON')),
    url                  TEXT     CHECK (length(url) BETWEEN 1 AND 2048),
    email                TEXT     CHECK (length(email) BETWEEN 3 AND 254),
    status               TEXT     NOT NULL CHECK (status IN ('PENDING', 'COMPLETED', 'ERROR')),
    error_reason         TEXT,
    content              BLOB,
    content_type         TEXT,
    row_count            INTEGER  NOT NULL DEFAULT 0 CHECK (row_count >= 0),
    content_size         INTEGER  NOT NULL DEFAULT 0 CHECK (content_size >= 0),
    delivery_status      TEXT     NOT NULL CHECK (delivery_status IN ('NONE', 'PENDING', 'DELIVERED', 'FAILED')),
    delivery_attempts    INTEGER  NOT NULL DEFAULT 0 CHECK (delivery_attempts >= 0),
    delivery_status_code INTEGER,
    delivery_error       TEXT,
    delivery_key_id      TEXT,
    delivered_at         DATETIME,
    completed_at         DATETIME,
    created_at           DATETIME NOT NULL,
    updated_at           DATETIME NOT NULL,
    UNIQUE (organization_id, id),
    CHECK ((status = 'COMPLETED') = (content IS NOT NULL AND completed_at IS NOT NULL)),
    CHECK ((url IS NULL) = (delivery_status = 'NONE'))
);
CREATE INDEX reports_org_created ON reports (organization_id, created_at, id);

-- An asset's portfolio is one of its customer's (SQLite cannot add a
-- foreign key to an existing table: triggers check it instead).
CREATE UNIQUE INDEX portfolios_org_customer_id ON portfolios (organization_id, customer_id, id);
-- +goose StatementBegin
CREATE TRIGGER assets_portfolio_of_customer_insert BEFORE INSERT ON assets
WHEN NOT EXISTS (SELECT 1 FROM portfolios p WHERE p.organization_id = NEW.organization_id AND p.customer_id = NEW.customer_id AND p.id = NEW.portfolio_id)
BEGIN
    SELECT RAISE(ABORT, 'FOREIGN KEY constraint failed: assets_portfolio_of_customer');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER assets_portfolio_of_customer_update BEFORE UPDATE OF organization_id, customer_id, portfolio_id ON assets
WHEN NOT EXISTS (SELECT 1 FROM portfolios p WHERE p.organization_id = NEW.organization_id AND p.customer_id = NEW.customer_id AND p.id = NEW.portfolio_id)
BEGIN
    SELECT RAISE(ABORT, 'FOREIGN KEY constraint failed: assets_portfolio_of_customer');
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER assets_portfolio_of_customer_update;
DROP TRIGGER assets_portfolio_of_customer_insert;
DROP INDEX portfolios_org_customer_id;
DROP TABLE reports;
