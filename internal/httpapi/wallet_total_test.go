package httpapi_test

import (
	"net/url"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestWalletUnfilteredTotalFromCounter proves that an unfiltered customer
// list through the HTTP API answers its total from the counter the trigger
// keeps on the counterparty row, not by counting: the counter is made to
// disagree with the rows, and the total of a full page follows the counter
// while a filtered list (which must count) still tells the truth.
func TestWalletUnfilteredTotalFromCounter(t *testing.T) {
	t.Parallel()
	b := setup(t)
	cp := newCounterparty(t, b.tenant, "Counted Bank")
	for range 3 {
		newWalletCustomer(t, b.tenant, cp, nil)
	}
	_, total := walletCustomers(t, b.tenant, cp, url.Values{"limit": {"2"}})
	require.EqualValues(t, 3, total, "the trigger-kept counter is exact")

	db := b.env.App.Store.DB
	res := db.Exec(`UPDATE wallet_counterparties SET customers_total = 1000 WHERE guid = ?`, cp)
	require.NoError(t, res.Error)
	require.EqualValues(t, 1, res.RowsAffected)

	items, total := walletCustomers(t, b.tenant, cp, url.Values{"limit": {"2"}})
	require.Len(t, items, 2)
	require.EqualValues(t, 1000, total, "a full unfiltered page takes its total from the counter")
	_, total = walletCustomers(t, b.tenant, cp, url.Values{"limit": {"2"}, "offset": {"2"}, "ordering": {"-created_at"}})
	require.EqualValues(t, 3, total, "a short page past the first tells its own total")
	_, total = walletCustomers(t, b.tenant, cp, url.Values{"limit": {"2"}, "offset": {"5"}})
	require.EqualValues(t, 1000, total, "an empty page past the end takes the counter")
	_, total = walletCustomers(t, b.tenant, cp, url.Values{"limit": {"2"}, "is_disabled": {"false"}})
	require.EqualValues(t, 3, total, "a filtered list counts its rows")
}
