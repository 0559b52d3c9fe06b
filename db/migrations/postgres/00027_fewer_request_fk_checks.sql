-- +goose Up
-- Accepting a purchase or a sell checks fewer foreign keys (issue 17,
-- goal 5: accepting is what bounds fills/s): a request's keys to its
-- organization, its customer and its portfolio (three checks, each an SPI
-- query in PostgreSQL) become one key to the customer's portfolio,
-- (organization_id, customer_id, portfolio_id) → portfolios
-- (organization_id, customer_id, id), the unique key assets already
-- reference. It implies the other two: the portfolio's own key checks its
-- customer in the organization (portfolios_organization_id_customer_id_fkey),
-- and the customer's its organization. It also says what the service
-- already made true: a request's portfolio is its customer's. Nothing is
-- deleted through the API; a customer or portfolio with requests still
-- cannot be deleted (the portfolio is referenced, and it references the
-- customer). The keys to the account and to the sold asset stay.
ALTER TABLE requests
    ADD CONSTRAINT requests_portfolio_of_customer FOREIGN KEY (organization_id, customer_id, portfolio_id)
        REFERENCES portfolios (organization_id, customer_id, id),
    DROP CONSTRAINT requests_organization_id_fkey,
    DROP CONSTRAINT requests_organization_id_customer_id_fkey,
    DROP CONSTRAINT requests_organization_id_portfolio_id_fkey;

-- +goose Down
ALTER TABLE requests
    ADD CONSTRAINT requests_organization_id_fkey FOREIGN KEY (organization_id) REFERENCES organizations (id),
    ADD CONSTRAINT requests_organization_id_customer_id_fkey FOREIGN KEY (organization_id, customer_id) REFERENCES customers (organization_id, id),
    ADD CONSTRAINT requests_organization_id_portfolio_id_fkey FOREIGN KEY (organization_id, portfolio_id) REFERENCES portfolios (organization_id, id),
    DROP CONSTRAINT requests_portfolio_of_customer;
