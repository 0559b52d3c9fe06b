-- +goose Up
-- The trading tables' column checks as domains, as 00022 did for the
-- customers' (issue 17, goal 5). PostgreSQL reads and plans every CHECK
-- constraint of a table again for each INSERT or UPDATE statement (an
-- UPDATE re-checks them all, changed columns or not), while a domain's
-- check is prepared once per connection and applied to the values written.
-- A purchase inserts a request, updates it when it fills, inserts a
-- transaction and writes its holding: 11 + 11 + 12 + 8 single-column
-- checks planned per purchase. Measured with callgrind on PostgreSQL 15,
-- one prepared single-row INSERT into a table of the transactions'
-- columns and checks: 502,000 instructions per insert with the 13 table
-- checks, 302,000 with the same conditions as domains. Same conditions; a
-- violation is still SQLSTATE 23514. The checks over several columns stay
-- on the tables.
--
-- Changing a column to a domain with a check rewrites the table (and its
-- indexes) under an exclusive lock: on a large requests or transactions
-- table this migration takes as long as copying them.
CREATE DOMAIN instrument_ref AS bigint CHECK (VALUE > 0);
CREATE DOMAIN instrument_symbol AS text CHECK (length(VALUE) BETWEEN 1 AND 16);
CREATE DOMAIN trade_type AS text CHECK (VALUE IN ('PURCHASE', 'SELL'));
CREATE DOMAIN trade_status AS text CHECK (VALUE IN ('PENDING', 'COMPLETED', 'CANCELED', 'ERROR'));
CREATE DOMAIN request_schedule AS text CHECK (VALUE IN ('ONCE', 'DAILY', 'WEEKLY', 'BI_WEEKLY', 'MONTHLY'));
CREATE DOMAIN positive_amount AS numeric(38, 8) CHECK (VALUE > 0);
CREATE DOMAIN sell_percentage AS numeric(7, 4) CHECK (VALUE > 0 AND VALUE <= 100);
CREATE DOMAIN execution_count AS integer CHECK (VALUE >= 0);
CREATE DOMAIN execution_cycle AS integer CHECK (VALUE >= 1);

-- The requests' update trigger depends on status and request_type: it is
-- made again around the type change (as 00026 made it).
DROP TRIGGER requests_count_update ON requests;
ALTER TABLE requests DROP CONSTRAINT requests_currency_check, DROP CONSTRAINT requests_currency_spelling_check,
    DROP CONSTRAINT requests_executions_check, DROP CONSTRAINT requests_instrument_id_check,
    DROP CONSTRAINT requests_purchase_amount_check, DROP CONSTRAINT requests_request_type_check,
    DROP CONSTRAINT requests_schedule_check, DROP CONSTRAINT requests_sell_amount_check,
    DROP CONSTRAINT requests_sell_percentage_check, DROP CONSTRAINT requests_status_check,
    DROP CONSTRAINT requests_symbol_check,
    ALTER currency TYPE investing_currency, ALTER currency_spelling TYPE investing_currency_spelling,
    ALTER executions TYPE execution_count, ALTER instrument_id TYPE instrument_ref,
    ALTER purchase_amount TYPE positive_amount, ALTER request_type TYPE trade_type,
    ALTER schedule TYPE request_schedule, ALTER sell_amount TYPE positive_amount,
    ALTER sell_percentage TYPE sell_percentage, ALTER status TYPE trade_status,
    ALTER symbol TYPE instrument_symbol;
CREATE TRIGGER requests_count_update AFTER UPDATE ON requests FOR EACH ROW
    WHEN (OLD.customer_id IS DISTINCT FROM NEW.customer_id OR OLD.status IS DISTINCT FROM NEW.status OR OLD.request_type IS DISTINCT FROM NEW.request_type)
    EXECUTE FUNCTION list_count_requests();

ALTER TABLE transactions DROP CONSTRAINT transactions_amount_check, DROP CONSTRAINT transactions_currency_check,
    DROP CONSTRAINT transactions_currency_spelling_check, DROP CONSTRAINT transactions_cycle_check,
    DROP CONSTRAINT transactions_fx_rate_check, DROP CONSTRAINT transactions_instrument_id_check,
    DROP CONSTRAINT transactions_price_check, DROP CONSTRAINT transactions_quantity_check,
    DROP CONSTRAINT transactions_status_check, DROP CONSTRAINT transactions_transaction_type_check,
    DROP CONSTRAINT transactions_uninvested_check, DROP CONSTRAINT transactions_value_check,
    ALTER amount TYPE non_negative_amount, ALTER currency TYPE investing_currency,
    ALTER currency_spelling TYPE investing_currency_spelling, ALTER cycle TYPE execution_cycle,
    ALTER fx_rate TYPE non_negative_amount, ALTER instrument_id TYPE instrument_ref,
    ALTER price TYPE non_negative_amount, ALTER quantity TYPE non_negative_amount,
    ALTER status TYPE trade_status, ALTER transaction_type TYPE trade_type,
    ALTER uninvested TYPE non_negative_amount, ALTER value TYPE non_negative_amount;

ALTER TABLE assets DROP CONSTRAINT assets_average_cost_check, DROP CONSTRAINT assets_currency_check,
    DROP CONSTRAINT assets_currency_spelling_check, DROP CONSTRAINT assets_instrument_id_check,
    DROP CONSTRAINT assets_investment_amount_check, DROP CONSTRAINT assets_market_value_check,
    DROP CONSTRAINT assets_quantity_check, DROP CONSTRAINT assets_symbol_check,
    ALTER average_cost TYPE non_negative_amount, ALTER currency TYPE investing_currency,
    ALTER currency_spelling TYPE investing_currency_spelling, ALTER instrument_id TYPE instrument_ref,
    ALTER investment_amount TYPE non_negative_amount, ALTER market_value TYPE non_negative_amount,
    ALTER quantity TYPE non_negative_amount, ALTER symbol TYPE instrument_symbol;

-- +goose Down
ALTER TABLE assets ALTER average_cost TYPE numeric(38, 8), ALTER currency TYPE text,
    ALTER currency_spelling TYPE text, ALTER instrument_id TYPE bigint,
    ALTER investment_amount TYPE numeric(38, 8), ALTER market_value TYPE numeric(38, 8),
    ALTER quantity TYPE numeric(38, 8), ALTER symbol TYPE text,
    ADD CONSTRAINT assets_average_cost_check CHECK (average_cost >= 0),
    ADD CONSTRAINT assets_currency_check CHECK (currency IN ('USD', 'EUR', 'ZMW')),
    ADD CONSTRAINT assets_currency_spelling_check CHECK (currency_spelling = 'ZK'),
    ADD CONSTRAINT assets_instrument_id_check CHECK (instrument_id > 0),
    ADD CONSTRAINT assets_investment_amount_check CHECK (investment_amount >= 0),
    ADD CONSTRAINT assets_market_value_check CHECK (market_value >= 0),
    ADD CONSTRAINT assets_quantity_check CHECK (quantity >= 0),
    ADD CONSTRAINT assets_symbol_check CHECK (length(symbol) >= 1 AND length(symbol) <= 16);

ALTER TABLE transactions ALTER amount TYPE numeric(38, 8), ALTER currency TYPE text,
    ALTER currency_spelling TYPE text, ALTER cycle TYPE integer,
    ALTER fx_rate TYPE numeric(38, 8), ALTER instrument_id TYPE bigint,
    ALTER price TYPE numeric(38, 8), ALTER quantity TYPE numeric(38, 8),
    ALTER status TYPE text, ALTER transaction_type TYPE text,
    ALTER uninvested TYPE numeric(38, 8), ALTER value TYPE numeric(38, 8),
    ADD CONSTRAINT transactions_amount_check CHECK (amount >= 0),
    ADD CONSTRAINT transactions_currency_check CHECK (currency IN ('USD', 'EUR', 'ZMW')),
    ADD CONSTRAINT transactions_currency_spelling_check CHECK (currency_spelling = 'ZK'),
    ADD CONSTRAINT transactions_cycle_check CHECK (cycle >= 1),
    ADD CONSTRAINT transactions_fx_rate_check CHECK (fx_rate >= 0),
    ADD CONSTRAINT transactions_instrument_id_check CHECK (instrument_id > 0),
    ADD CONSTRAINT transactions_price_check CHECK (price >= 0),
    ADD CONSTRAINT transactions_quantity_check CHECK (quantity >= 0),
    ADD CONSTRAINT transactions_status_check CHECK (status IN ('PENDING', 'COMPLETED', 'CANCELED', 'ERROR')),
    ADD CONSTRAINT transactions_transaction_type_check CHECK (transaction_type IN ('PURCHASE', 'SELL')),
    ADD CONSTRAINT transactions_uninvested_check CHECK (uninvested >= 0),
    ADD CONSTRAINT transactions_value_check CHECK (value >= 0);

DROP TRIGGER requests_count_update ON requests;
ALTER TABLE requests ALTER currency TYPE text, ALTER currency_spelling TYPE text,
    ALTER executions TYPE integer, ALTER instrument_id TYPE bigint,
    ALTER purchase_amount TYPE numeric(38, 8), ALTER request_type TYPE text,
    ALTER schedule TYPE text, ALTER sell_amount TYPE numeric(38, 8),
    ALTER sell_percentage TYPE numeric(7, 4), ALTER status TYPE text,
    ALTER symbol TYPE text,
    ADD CONSTRAINT requests_currency_check CHECK (currency IN ('USD', 'EUR', 'ZMW')),
    ADD CONSTRAINT requests_currency_spelling_check CHECK (currency_spelling = 'ZK'),
    ADD CONSTRAINT requests_executions_check CHECK (executions >= 0),
    ADD CONSTRAINT requests_instrument_id_check CHECK (instrument_id > 0),
    ADD CONSTRAINT requests_purchase_amount_check CHECK (purchase_amount > 0),
    ADD CONSTRAINT requests_request_type_check CHECK (request_type IN ('PURCHASE', 'SELL')),
    ADD CONSTRAINT requests_schedule_check CHECK (schedule IN ('ONCE', 'DAILY', 'WEEKLY', 'BI_WEEKLY', 'MONTHLY')),
    ADD CONSTRAINT requests_sell_amount_check CHECK (sell_amount > 0),
    ADD CONSTRAINT requests_sell_percentage_check CHECK (sell_percentage > 0 AND sell_percentage <= 100),
    ADD CONSTRAINT requests_status_check CHECK (status IN ('PENDING', 'COMPLETED', 'CANCELED', 'ERROR')),
    ADD CONSTRAINT requests_symbol_check CHECK (length(symbol) >= 1 AND length(symbol) <= 16);
CREATE TRIGGER requests_count_update AFTER UPDATE ON requests FOR EACH ROW
    WHEN (OLD.customer_id IS DISTINCT FROM NEW.customer_id OR OLD.status IS DISTINCT FROM NEW.status OR OLD.request_type IS DISTINCT FROM NEW.request_type)
    EXECUTE FUNCTION list_count_requests();

DROP DOMAIN execution_cycle;
DROP DOMAIN execution_count;
DROP DOMAIN sell_percentage;
DROP DOMAIN positive_amount;
DROP DOMAIN request_schedule;
DROP DOMAIN trade_status;
DROP DOMAIN trade_type;
DROP DOMAIN instrument_symbol;
DROP DOMAIN instrument_ref;
