-- +goose Up
-- The hot inserts lock no row that every request of an organization
-- shares (issue 17). A foreign-key check locks the row it finds FOR KEY
-- SHARE until the transaction ends; when transactions overlap, PostgreSQL
-- records the row's several lockers as a MultiXact. Every customer created
-- locked its organization's one row (and each account its investment
-- type's), so concurrent creates made one MultiXact each: 3,758 for 4,000
-- creates at 8 clients (pgbench, the combined create), none without these
-- keys. MultiXact ids are a 32-bit space that vacuum must freeze
-- (autovacuum_multixact_freeze_max_age): a busy organization forced
-- anti-wraparound vacuums, and each check was the costliest of the
-- create's (0.027 ms against 0.004 for a customer's own key, in
-- pg_stat_statements at 16 clients).
--
-- Organizations are never deleted (no statement or endpoint does; 00025
-- dropped the idempotency keys' key to them on the same ground), and a
-- row's organization is the authenticated caller's: the keys to
-- organizations checked a row the request had just read. An asset's and
-- a transaction's organization are also in their keys to their customer
-- (organization_id, customer_id), a banking customer's in its key to its
-- application; the customer's and the request record's were the root.
ALTER TABLE customers DROP CONSTRAINT customers_organization_id_fkey;
ALTER TABLE assets DROP CONSTRAINT assets_organization_id_fkey;
ALTER TABLE transactions DROP CONSTRAINT transactions_organization_id_fkey;
ALTER TABLE banking_customers DROP CONSTRAINT banking_customers_organization_id_fkey;
ALTER TABLE inspected_requests DROP CONSTRAINT inspected_requests_organization_id_fkey;

-- The investment types are fixed reference data: the six rows 00001
-- inserted, whose names its CHECK limits to the same six; nothing inserts
-- or deletes one. An account's key to them is the same CHECK on the
-- account. NOT VALID: the rows there were checked by the key it replaces
-- (no scan of the table under this migration's lock); new rows are checked.
ALTER TABLE accounts DROP CONSTRAINT accounts_investment_type_fkey,
    ADD CONSTRAINT accounts_investment_type_check
        CHECK (investment_type IN ('INTERNATIONAL_STOCKS', 'COMMODITY', 'BONDS', 'LOCAL_STOCKS', 'FOREIGN_EXCHANGE', 'CRYPTO')) NOT VALID;

-- +goose Down
ALTER TABLE accounts DROP CONSTRAINT accounts_investment_type_check,
    ADD CONSTRAINT accounts_investment_type_fkey FOREIGN KEY (investment_type) REFERENCES investment_types (name);
ALTER TABLE inspected_requests ADD CONSTRAINT inspected_requests_organization_id_fkey
    FOREIGN KEY (organization_id) REFERENCES organizations (id) ON DELETE CASCADE;
ALTER TABLE banking_customers ADD CONSTRAINT banking_customers_organization_id_fkey FOREIGN KEY (organization_id) REFERENCES organizations (id);
ALTER TABLE transactions ADD CONSTRAINT transactions_organization_id_fkey FOREIGN KEY (organization_id) REFERENCES organizations (id);
ALTER TABLE assets ADD CONSTRAINT assets_organization_id_fkey FOREIGN KEY (organization_id) REFERENCES organizations (id);
ALTER TABLE customers ADD CONSTRAINT customers_organization_id_fkey FOREIGN KEY (organization_id) REFERENCES organizations (id);
