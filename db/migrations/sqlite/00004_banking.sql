-- +goose Up
-- The banking surface: applications (with the people of a corporation and
-- attached documents) and the customers, individuals and accounts that an
-- approval creates. Ids are prefixed text (app_, doc_, cust_, ind_, acc_).
-- Lists are keyset-paginated newest first on (created_at, id) within an
-- organization; their indexes lead with the organization.
-- The SQLite edition of postgres/00004_banking.sql: the same tables and
-- constraints; decimals are TEXT, compared as REAL in checks.

CREATE TABLE banking_applications (
    id                  TEXT     PRIMARY KEY CHECK (substr(id, 1, 4) = 'app_'),
    organization_id     INTEGER  NOT NULL REFERENCES organizations (id),
    type                TEXT     NOT NULL CHECK (type IN ('INDIVIDUAL', 'CORPORATION')),
    status              TEXT     NOT NULL CHECK (status IN ('DRAFT', 'READY_FOR_SUBMISSION', 'SUBMITTED', 'MANUAL_REVIEW', 'APPROVED', 'DENIED')),
    email               TEXT     NOT NULL DEFAULT '',
    phone               TEXT     NOT NULL DEFAULT '',
    first_name          TEXT     NOT NULL DEFAULT '',
    last_name           TEXT     NOT NULL DEFAULT '',
    date_of_birth       DATE,
    legal_name          TEXT     NOT NULL DEFAULT '',
    registration_number TEXT     NOT NULL DEFAULT '',
    address_line1       TEXT     NOT NULL DEFAULT '',
    address_line2       TEXT     NOT NULL DEFAULT '',
    address_city        TEXT     NOT NULL DEFAULT '',
    address_state       TEXT     NOT NULL DEFAULT '',
    address_postal_code TEXT     NOT NULL DEFAULT '',
    address_country     TEXT     NOT NULL DEFAULT '',
    -- the customer an approval created (banking_customers refers back to the application)
    customer_id         TEXT,
    decision_reason     TEXT     NOT NULL DEFAULT '',
    submitted_at        DATETIME,
    decided_at          DATETIME,
    created_at          DATETIME NOT NULL,
    updated_at          DATETIME NOT NULL,
    UNIQUE (organization_id, id),
    CHECK ((status = 'APPROVED') = (customer_id IS NOT NULL)),
    CHECK ((status IN ('DRAFT', 'READY_FOR_SUBMISSION')) = (submitted_at IS NULL)),
    CHECK (type = 'INDIVIDUAL' OR (first_name = '' AND last_name = '' AND date_of_birth IS NULL)),
    CHECK (type = 'CORPORATION' OR (legal_name = '' AND registration_number = ''))
);
CREATE INDEX banking_applications_org_created ON banking_applications (organization_id, created_at, id);
CREATE INDEX banking_applications_org_status_created ON banking_applications (organization_id, status, created_at, id);

-- The people of a corporate application, in the order given.
CREATE TABLE banking_application_individuals (
    application_id       TEXT    NOT NULL,
    position             INTEGER NOT NULL CHECK (position >= 0),
    organization_id      INTEGER NOT NULL,
    role                 TEXT    NOT NULL CHECK (role IN ('BENEFICIAL_OWNER', 'CONTROLLING_PERSON')),
    first_name           TEXT    NOT NULL DEFAULT '',
    last_name            TEXT    NOT NULL DEFAULT '',
    date_of_birth        DATE,
    email                TEXT    NOT NULL DEFAULT '',
    phone                TEXT    NOT NULL DEFAULT '',
    address_line1        TEXT    NOT NULL DEFAULT '',
    address_line2        TEXT    NOT NULL DEFAULT '',
    address_city         TEXT    NOT NULL DEFAULT '',
    address_state        TEXT    NOT NULL DEFAULT '',
    address_postal_code  TEXT    NOT NULL DEFAULT '',
    address_country      TEXT    NOT NULL DEFAULT '',
    ownership_percentage TEXT    CHECK (CAST(ownership_percentage AS REAL) BETWEEN 0 AND 100),
    PRIMARY KEY (application_id, position),
    FOREIGN KEY (organization_id, application_id) REFERENCES banking_applications (organization_id, id) ON DELETE CASCADE
);

-- Documents attached to an application; content is at most 512 KiB.
CREATE TABLE banking_documents (
    id              TEXT     PRIMARY KEY CHECK (substr(id, 1, 4) = 'doc_'),
    organization_id INTEGER  NOT NULL,
    application_id  TEXT     NOT NULL,
    type            TEXT     NOT NULL CHECK (type IN ('PASSPORT', 'DRIVERS_LICENSE', 'NATIONAL_ID', 'PROOF_OF_ADDRESS', 'CERTIFICATE_OF_INCORPORATION', 'ARTICLES_OF_ASSOCIATION', 'OTHER')),
    file_name       TEXT     NOT NULL CHECK (length(file_name) BETWEEN 1 AND 255),
    content_type    TEXT     NOT NULL CHECK (content_type IN ('application/pdf', 'image/jpeg', 'image/png')),
    size            INTEGER  NOT NULL CHECK (size BETWEEN 1 AND 524288),
    sha256          TEXT     NOT NULL CHECK (length(sha256) = 64),
    content         BLOB     NOT NULL CHECK (length(content) = size),
    created_at      DATETIME NOT NULL,
    FOREIGN KEY (organization_id, application_id) REFERENCES banking_applications (organization_id, id) ON DELETE CASCADE
);
CREATE INDEX banking_documents_org_application ON banking_documents (organization_id, application_id, created_at, id);

CREATE TABLE banking_customers (
    id                  TEXT     PRIMARY KEY CHECK (substr(id, 1, 5) = 'cust_'),
    organization_id     INTEGER  NOT NULL REFERENCES organizations (id),
    application_id      TEXT     NOT NULL UNIQUE,
    type                TEXT     NOT NULL CHECK (type IN ('INDIVIDUAL', 'CORPORATION')),
    status              TEXT     NOT NULL CHECK (status IN ('PENDING', 'ACTIVE', 'EDD', 'FROZEN', 'DORMANT', 'CLOSED')),
    email               TEXT     NOT NULL CHECK (email <> ''),
    phone               TEXT     NOT NULL DEFAULT '',
    first_name          TEXT     NOT NULL DEFAULT '',
    last_name           TEXT     NOT NULL DEFAULT '',
    date_of_birth       DATE,
    legal_name          TEXT     NOT NULL DEFAULT '',
    registration_number TEXT     NOT NULL DEFAULT '',
    address_line1       TEXT     NOT NULL CHECK (address_line1 <> ''),
    address_line2       TEXT     NOT NULL DEFAULT '',
    address_city        TEXT     NOT NULL CHECK (address_city <> ''),
    address_state       TEXT     NOT NULL DEFAULT '',
    address_postal_code TEXT     NOT NULL CHECK (address_postal_code <> ''),
    address_country     TEXT     NOT NULL CHECK (address_country <> ''),
    last_activity_at    DATETIME NOT NULL,
    created_at          DATETIME NOT NULL,
    updated_at          DATETIME NOT NULL,
    UNIQUE (organization_id, id),
    FOREIGN KEY (organization_id, application_id) REFERENCES banking_applications (organization_id, id),
    -- a person has a name, a date of birth and a phone; a corporation a legal name and a registration number
    CHECK ((type = 'INDIVIDUAL' AND first_name <> '' AND last_name <> '' AND date_of_birth IS NOT NULL AND phone <> '' AND legal_name = '' AND registration_number = '')
        OR (type = 'CORPORATION' AND legal_name <> '' AND registration_number <> '' AND first_name = '' AND last_name = '' AND date_of_birth IS NULL))
);
CREATE INDEX banking_customers_org_created ON banking_customers (organization_id, created_at, id);
CREATE INDEX banking_customers_org_status_created ON banking_customers (organization_id, status, created_at, id);
CREATE INDEX banking_customers_org_type_created ON banking_customers (organization_id, type, created_at, id);
-- the dormancy sweep, across organizations
CREATE INDEX banking_customers_status_activity ON banking_customers (status, last_activity_at);

-- The people of a corporate customer.
CREATE TABLE banking_individuals (
    id                   TEXT     PRIMARY KEY CHECK (substr(id, 1, 4) = 'ind_'),
    organization_id      INTEGER  NOT NULL,
    customer_id          TEXT     NOT NULL,
    position             INTEGER  NOT NULL CHECK (position >= 0),
    role                 TEXT     NOT NULL CHECK (role IN ('BENEFICIAL_OWNER', 'CONTROLLING_PERSON')),
    first_name           TEXT     NOT NULL CHECK (first_name <> ''),
    last_name            TEXT     NOT NULL CHECK (last_name <> ''),
    date_of_birth        DATE     NOT NULL,
    email                TEXT     NOT NULL DEFAULT '',
    phone                TEXT     NOT NULL DEFAULT '',
    address_line1        TEXT     NOT NULL CHECK (address_line1 <> ''),
    address_line2        TEXT     NOT NULL DEFAULT '',
    address_city         TEXT     NOT NULL CHECK (address_city <> ''),
    address_state        TEXT     NOT NULL DEFAULT '',
    address_postal_code  TEXT     NOT NULL CHECK (address_postal_code <> ''),
    address_country      TEXT     NOT NULL CHECK (address_country <> ''),
    ownership_percentage TEXT     CHECK (CAST(ownership_percentage AS REAL) BETWEEN 0 AND 100),
    created_at           DATETIME NOT NULL,
    updated_at           DATETIME NOT NULL,
    UNIQUE (organization_id, customer_id, position),
    FOREIGN KEY (organization_id, customer_id) REFERENCES banking_customers (organization_id, id),
    -- a beneficial owner owns more than 25%
    CHECK (role <> 'BENEFICIAL_OWNER' OR CAST(ownership_percentage AS REAL) > 25)
);

CREATE TABLE banking_accounts (
    id              TEXT     PRIMARY KEY CHECK (substr(id, 1, 4) = 'acc_'),
    organization_id INTEGER  NOT NULL,
    customer_id     TEXT     NOT NULL,
    currency        TEXT     NOT NULL CHECK (length(currency) = 3 AND currency = upper(currency)),
    status          TEXT     NOT NULL CHECK (status IN ('ACTIVE', 'CLOSED')),
    created_at      DATETIME NOT NULL,
    updated_at      DATETIME NOT NULL,
    FOREIGN KEY (organization_id, customer_id) REFERENCES banking_customers (organization_id, id)
);
CREATE INDEX banking_accounts_org_customer ON banking_accounts (organization_id, customer_id, created_at, id);

-- +goose Down
DROP TABLE banking_accounts;
DROP TABLE banking_individuals;
DROP TABLE banking_customers;
DROP TABLE banking_documents;
DROP TABLE banking_application_individuals;
DROP TABLE banking_applications;
