-- +goose Up
-- A batch of fills (trading.Service.ExecuteBatch) reads the PENDING
-- one-time purchases of one account, in id order, on every execution job:
-- without this index it read every PENDING request of the organization
-- (requests_org_status_created) and sorted them. The predicate is written
-- in the query as it is here (literals, not parameters), so that a
-- prepared statement's generic plan can use it too.
CREATE INDEX requests_org_account_pending ON requests (organization_id, account_id, id) WHERE status = 'PENDING' AND NOT is_recurring;

-- +goose Down
DROP INDEX requests_org_account_pending;
