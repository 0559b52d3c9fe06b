-- +goose Up
-- The wallet source API sets no upper bound on kyc_level (nor does seed
-- 003): only a negative level is refused.
ALTER TABLE wallet_customers DROP CONSTRAINT wallet_customers_kyc_level_check;
ALTER TABLE wallet_customers ADD CONSTRAINT wallet_customers_kyc_level_check CHECK (kyc_level >= 0);

-- +goose Down
ALTER TABLE wallet_customers DROP CONSTRAINT wallet_customers_kyc_level_check;
ALTER TABLE wallet_customers ADD CONSTRAINT wallet_customers_kyc_level_check CHECK (kyc_level BETWEEN 0 AND 3);
