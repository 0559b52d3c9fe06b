package wallet_test

import (
	"testing"

	"github.com/openvest/openvest/internal/testdb"
	"github.com/openvest/openvest/internal/wallet"
	"github.com/stretchr/testify/require"
)

// TestUpdateCustomerLocksTheCustomer: another transaction changes the
// customer while UpdateCustomer runs; the update waits on its row lock and
// then changes the committed row, so the other change is not lost.
func TestUpdateCustomerLocksTheCustomer(t *testing.T) {
	t.Parallel()
	b := setup(t)
	c, _, err := b.svc.CreateCustomer(t.Context(), b.org, b.cp.GUID, minimal())
	require.NoError(t, err)
	h := testdb.Hold(t, b.s, `UPDATE wallet_customers SET surname = 'Meanwhile' WHERE id = ?`, c.ID)
	err = h.RequireWaits(t, testdb.ForUpdate("wallet_customers"), func() error {
		_, err := b.svc.UpdateCustomer(t.Context(), b.org, b.cp.GUID, c.GUID, wallet.CustomerUpdate{Name: ptr("Late")})
		return err
	})
	require.NoError(t, err)
	got, err := b.svc.Customer(t.Context(), b.org, b.cp.GUID, c.GUID)
	require.NoError(t, err)
	require.Equal(t, ptr("Late"), got.Name)
	require.Equal(t, ptr("Meanwhile"), got.Surname, "the other transaction's change is not lost")
}
