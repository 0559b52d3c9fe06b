package store_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/openvest/openvest/internal/testdb"
	"github.com/stretchr/testify/require"
)

// TestTradeColumnChecksStillRefuse (00030): the trading tables' column
// checks became domains; each still refuses what it refused (SQLSTATE
// 23514, a check violation) and takes the edge it took, on an UPDATE of a
// stored row as on an INSERT, and the checks over several columns stay.
func TestTradeColumnChecksStillRefuse(t *testing.T) {
	t.Parallel()
	s := testdb.Postgres(t)
	f := setup(t, s)
	h := f.holding(t, f.org)
	require.NoError(t, f.insertRequest(h, "PURCHASE", "PENDING"))
	var requestID int64
	require.NoError(t, s.DB.WithContext(f.ctx).Raw(`SELECT id FROM requests WHERE organization_id = ? AND customer_id = ?`, f.org, h.c.ID).Scan(&requestID).Error)
	require.NoError(t, f.insertTransaction(h, requestID, 1))

	type change struct {
		table, column string
		bad, good     any
	}
	for _, c := range []change{
		{"requests", "status", "DONE", "COMPLETED"},
		{"requests", "request_type", "GIFT", "PURCHASE"},
		{"requests", "currency", "GBP", "EUR"},
		{"requests", "currency_spelling", "Kw", "ZK"},
		{"requests", "executions", -1, 0},
		{"requests", "instrument_id", 0, 1},
		{"requests", "purchase_amount", "0", "0.00000001"},
		{"requests", "symbol", "ABCDEFGHIJKLMNOPQ", "ABCDEFGHIJKLMNOP"},
		{"requests", "schedule", "HOURLY", "ONCE"},
		{"transactions", "status", "DONE", "PENDING"},
		{"transactions", "transaction_type", "GIFT", "SELL"},
		{"transactions", "amount", "-0.00000001", "0"},
		{"transactions", "fx_rate", "-1", "0"},
		{"transactions", "price", "-1", "0"},
		{"transactions", "quantity", "-1", "0"},
		{"transactions", "value", "-1", "0"},
		{"transactions", "uninvested", "-1", "0"},
		{"transactions", "cycle", 0, 1},
		{"transactions", "currency", "GBP", "ZMW"},
		{"assets", "quantity", "-1", "0"},
		{"assets", "average_cost", "-1", "0"},
		{"assets", "investment_amount", "-1", "0"},
		{"assets", "market_value", "-1", "0"},
		{"assets", "symbol", "", "A"},
		{"assets", "instrument_id", -5, 2},
		{"assets", "currency_spelling", "zk", "ZK"},
	} {
		where := fmt.Sprintf("organization_id = %d AND customer_id = %d", f.org, h.c.ID)
		err := s.DB.WithContext(f.ctx).Exec(fmt.Sprintf("UPDATE %s SET %s = ? WHERE %s", c.table, c.column, where), c.bad).Error
		var pgErr *pgconn.PgError
		require.True(t, errors.As(err, &pgErr), "%s.%s = %v: %v", c.table, c.column, c.bad, err)
		require.Equal(t, "23514", pgErr.Code, "%s.%s = %v: %v", c.table, c.column, c.bad, err)
		require.NoError(t, s.DB.WithContext(f.ctx).Exec(fmt.Sprintf("UPDATE %s SET %s = ? WHERE %s", c.table, c.column, where), c.good).Error,
			"%s.%s = %v", c.table, c.column, c.good)
	}
	// a check over several columns: an ERROR needs its reason
	err := s.DB.WithContext(f.ctx).Exec(`UPDATE requests SET status = 'ERROR' WHERE id = ?`, requestID).Error
	var pgErr *pgconn.PgError
	require.True(t, errors.As(err, &pgErr), "%v", err)
	require.Equal(t, "23514", pgErr.Code)
}
