-- +goose Up
-- The banking surface: applications (with the people of a corporation and
-- attached documents) and the customers, individuals and accounts that an
-- approval creates. Ids are prefixed text (app_, doc_, cust_, ind_, acc_).
-- Lists are keyset-paginated newest first on (created_at, id) within an
-- organization; their indexes lead with the organization.

CREATE TABLE banking_applications (
    id                  text        PRIMARY KEY CHECK (substr(id, 1, 4) = 'app_'),
    organization_id     bigint      NOT NULL REFERENCES organizations (id),
    type                text        NOT NULL CHECK (type IN ('INDIVIDUAL', 'CORPORATION')),
    status              text        NOT NULL CHECK (status IN ('DRAFT', 'READY_FOR_SUBMISSION', 'SUBMITTED', 'MANUAL_REVIEW', 'APPROVED', 'DENIED')),
    email               text        NOT NULL DEFAULT '',
    phone               text        NOT NULL DEFAULT '',
    first_name          text        NOT NULL DEFAULT '',
    last_name           text        NOT NULL DEFAULT '',
    date_of_birth       date,
    legal_name          text        NOT NULL DEFAULT '',
    registration_number text        NOT NULL DEFAULT '',
    address_line1       text        NOT NULL DEFAULT '',
    address_line2       text        NOT NULL DEFAULT '',
    address_city        text        NOT NULL DEFAULT '',
    address_state       text        NOT NULL DEFAULT '',
    address_postal_code text        NOT NULL DEFAULT '',
    address_country     text        NOT NULL DEFAULT '',
    -- the customer an approval created (banking_customers refers back to the application)
    customer_id         text,
    decision_reason     text        NOT NULL DEFAULT '',
    submitted_at        timestamptz,
    decided_at          timestamptz,
    created_at          timestamptz NOT NULL,
    updated_at          timestamptz NOT NULL,
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
    application_id       text          NOT NULL,
    position             integer       NOT NULL CHECK (position >= 0),
    organization_id      bigint        NOT NULL,
    role                 text          NOT NULL CHECK (role IN ('BENEFICIAL_OWNER', 'CONTROLLING_PERSON')),
    first_name           text          NOT NULL DEFAULT '',
    last_name            text          NOT NULL DEFAULT '',
    date_of_birth        date,
    email                text          NOT NULL DEFAULT '',
    phone                text          NOT NULL DEFAULT '',
    address_line1        text          NOT NULL DEFAULT '',
    address_line2        text          NOT NULL DEFAULT '',
    address_city         text          NOT NULL DEFAULT '',
    address_state        text          NOT NULL DEFAULT '',
    address_postal_code  text          NOT NULL DEFAULT '',
    address_country      text          NOT NULL DEFAULT '',
    ownership_percentage numeric(5, 2) CHECK (ownership_percentage BETWEEN 0 AND 100),
    PRIMARY KEY (application_id, position),
    FOREIGN KEY (organization_id, application_id) REFERENCES banking_applications (organization_id, id) ON DELETE CASCADE
);

-- Documents attached to an application; content is at most 512 KiB.
CREATE TABLE banking_documents (
    id              text        PRIMARY KEY CHECK (substr(id, 1, 4) = 'doc_'),
    organization_id bigint      NOT NULL,
    application_id  text        NOT NULL,
    type            text        NOT NULL CHECK (type IN ('PASSPORT', 'DRIVERS_LICENSE', 'NATIONAL_ID', 'PROOF_OF_ADDRESS', 'CERTIFICATE_OF_INCORPORATION', 'ARTICLES_OF_ASSOCIATION', 'OTHER')),
    file_name       text        NOT NULL CHECK (length(file_name) BETWEEN 1 AND 255),
    content_type    text        NOT NULL CHECK (content_type IN ('application/pdf', 'image/jpeg', 'image/png')),
    size            bigint      NOT NULL CHECK (size BETWEEN 1 AND 524288),
    sha256          text        NOT NULL CHECK (length(sha256) = 64),
    content         bytea       NOT NULL CHECK (length(content) = size),
    created_at      timestamptz NOT NULL,
    FOREIGN KEY (organization_id, application_id) REFERENCES banking_applications (organization_id, id) ON DELETE CASCADE
);
CREATE INDEX banking_documents_org_application ON banking_documents (organization_id, application_id, created_at, id);

CREATE TABLE banking_customers (
    id                  text        PRIMARY KEY CHECK (substr(id, 1, 5) = 'cust_'),
    organization_id     bigint      NOT NULL REFERENCES organizations (id),
    application_id      text        NOT NULL UNIQUE,
    type                text        NOT NULL CHECK (type IN ('INDIVIDUAL', 'CORPORATION')),
    status              text        NOT NULL CHECK (status IN ('PENDING', 'ACTIVE', 'EDD', 'FROZEN', 'DORMANT', 'CLOSED')),
    email               text        NOT NULL CHECK (email <> ''),
    phone               text        NOT NULL DEFAULT '',
    first_name          text        NOT NULL DEFAULT '',
    last_name           text        NOT NULL DEFAULT '',
    date_of_birth       date,
    legal_name          text        NOT NULL DEFAULT '',
    registration_number text        NOT NULL DEFAULT '',
    address_line1       text        NOT NULL CHECK (address_line1 <> ''),
    address_line2       text        NOT NULL DEFAULT '',
    address_city        text        NOT NULL CHECK (address_city <> ''),
    address_state       text        NOT NULL DEFAULT '',
    address_postal_code text        NOT NULL CHECK (address_postal_code <> ''),
    address_country     text        NOT NULL CHECK (address_country <> ''),
    last_activity_at    timestamptz NOT NULL,
    created_at          timestamptz NOT NULL,
    updated_at          timestamptz NOT NULL,
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
    id                   text          PRIMARY KEY CHECK (substr(id, 1, 4) = 'ind_'),
    organization_id      bigint        NOT NULL,
    customer_id          text          NOT NULL,
    position             integer       NOT NULL CHECK (position >= 0),
    role                 text          NOT NULL CHECK (role IN ('BENEFICIAL_OWNER', 'CONTROLLING_PERSON')),
    first_name           text          NOT NULL CHECK (first_name <> ''),
    last_name            text          NOT NULL CHECK (last_name <> ''),
    date_of_birth        date          NOT NULL,
    email                text          NOT NULL DEFAULT '',
    phone                text          NOT NULL DEFAULT '',
    address_line1        text          NOT NULL CHECK (address_line1 <> ''),
    address_line2        text          NOT NULL DEFAULT '',
    address_city         text          NOT NULL CHECK (address_city <> ''),
    address_state        text          NOT NULL DEFAULT '',
    address_postal_code  text          NOT NULL CHECK (address_postal_code <> ''),
    address_country      text          NOT NULL CHECK (address_country <> ''),
    ownership_percentage numeric(5, 2) CHECK (ownership_percentage BETWEEN 0 AND 100),
    created_at           timestamptz   NOT NULL,
    updated_at           timestamptz   NOT NULL,
    UNIQUE (organization_id, customer_id, position),
    FOREIGN KEY (organization_id, customer_id) REFERENCES banking_customers (organization_id, id),
    -- a beneficial owner owns more than 25%
    CHECK (role <> 'BENEFICIAL_OWNER' OR ownership_percentage > 25)
);

CREATE TABLE banking_accounts (
    id              text        PRIMARY KEY CHECK (substr(id, 1, 4) = 'acc_'),
    organization_id bigint      NOT NULL,
    customer_id     text        NOT NULL,
    currency        text        NOT NULL CHECK (length(currency) = 3 AND currency = upper(currency)),
    status          text        NOT NULL CHECK (status IN ('ACTIVE', 'CLOSED')),
    created_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL,
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
