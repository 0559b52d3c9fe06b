package httpapi_test

import (
	"net/http"
	"testing"

	"github.com/openvest/openvest/internal/apitest"
	"github.com/stretchr/testify/require"
)

// TestInvestingTotalFromKeptCount proves that GET /v1/customers answers
// meta.totalCount from the count the triggers keep (list_counts), not by
// counting: made to disagree with the rows, the total follows it, for the
// whole list and a status filter, while another organization's total stays
// its own.
func TestInvestingTotalFromKeptCount(t *testing.T) {
	t.Parallel()
	b := setup(t)
	other := b.env.NewTenant(t, apitest.TenantOptions{})
	for range 3 {
		createCustomer(t, b.tenant, customerOpts{})
	}
	createCustomer(t, other, customerOpts{})
	total := func(tn *apitest.Tenant, q string) int64 {
		var p listPage
		res := tn.Do(t, http.MethodGet, "/v1/customers"+q, nil)
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		res.JSON(t, &p)
		return p.Meta.TotalCount
	}
	require.EqualValues(t, 3, total(b.tenant, "?limit=2"))
	require.EqualValues(t, 3, total(b.tenant, "?limit=2&status=ACTIVE"))

	// the whole list's total is the sum of its status keys (migration 00028)
	res := b.env.App.Store.DB.Exec(`UPDATE list_counts SET n = n + 997 WHERE organization_id = ? AND list = 'customers' AND key = 'status=ACTIVE'
 AND slot = (SELECT min(slot) FROM list_counts WHERE organization_id = ? AND list = 'customers' AND key = 'status=ACTIVE')`, b.tenant.Org.ID, b.tenant.Org.ID)
	require.NoError(t, res.Error)
	require.EqualValues(t, 1, res.RowsAffected)

	require.EqualValues(t, 1000, total(b.tenant, "?limit=2"), "the total is the kept count")
	require.EqualValues(t, 1000, total(b.tenant, "?limit=2&status=ACTIVE"))
	require.EqualValues(t, 1000, total(b.tenant, "?limit=100"), "even when the page is short")
	require.EqualValues(t, 0, total(b.tenant, "?limit=2&status=CLOSED"))
	require.EqualValues(t, 1, total(other, "?limit=2"), "another organization's count is its own")
}
