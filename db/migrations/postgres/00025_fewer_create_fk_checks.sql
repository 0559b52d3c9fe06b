-- +goose Up
-- POST /v1/customers checks fewer foreign keys (issue 17, goal 1): 12 → 9
-- per customer with 2 accounts, each check one SPI query in PostgreSQL.
--
-- An idempotency key is written only for a call authenticated as its
-- organization, and organizations are never deleted (no statement or
-- endpoint does; 00001's Down drops the table): the key to organizations
-- checked a row that the request had just read. Its ON DELETE CASCADE had
-- nothing to cascade from.
ALTER TABLE idempotency_keys DROP CONSTRAINT idempotency_keys_organization_id_fkey;

-- A portfolio with an account has the account's investment type: the key
-- to the account carries it, so the type's own key to investment_types is
-- implied (the account's checked it). A portfolio without an account has
-- no investment type (portfolios_check) and so neither key applies, as
-- before. The account's unique (organization_id, customer_id, id) becomes
-- (organization_id, customer_id, id, investment_type) under the same
-- name: the same entries, still leading with what pages and counts one
-- customer's accounts (00022).
ALTER TABLE accounts ADD CONSTRAINT accounts_org_customer_id_type UNIQUE (organization_id, customer_id, id, investment_type);
ALTER TABLE portfolios DROP CONSTRAINT portfolios_account_of_customer,
    DROP CONSTRAINT portfolios_investment_type_fkey,
    ADD CONSTRAINT portfolios_account_of_customer FOREIGN KEY (organization_id, customer_id, account_id, investment_type)
        REFERENCES accounts (organization_id, customer_id, id, investment_type);
ALTER TABLE accounts DROP CONSTRAINT accounts_org_customer_id;
ALTER TABLE accounts RENAME CONSTRAINT accounts_org_customer_id_type TO accounts_org_customer_id;

-- +goose Down
ALTER TABLE accounts RENAME CONSTRAINT accounts_org_customer_id TO accounts_org_customer_id_type;
ALTER TABLE accounts ADD CONSTRAINT accounts_org_customer_id UNIQUE (organization_id, customer_id, id);
ALTER TABLE portfolios DROP CONSTRAINT portfolios_account_of_customer,
    ADD CONSTRAINT portfolios_account_of_customer FOREIGN KEY (organization_id, customer_id, account_id)
        REFERENCES accounts (organization_id, customer_id, id),
    ADD CONSTRAINT portfolios_investment_type_fkey FOREIGN KEY (investment_type) REFERENCES investment_types (name);
ALTER TABLE accounts DROP CONSTRAINT accounts_org_customer_id_type;
ALTER TABLE idempotency_keys ADD CONSTRAINT idempotency_keys_organization_id_fkey
    FOREIGN KEY (organization_id) REFERENCES organizations (id) ON DELETE CASCADE;
