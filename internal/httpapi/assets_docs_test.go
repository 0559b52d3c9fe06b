package httpapi_test

import (
	"net/http"
	"testing"

	"github.com/openvest/openvest/internal/apitest"
	"github.com/stretchr/testify/require"
)

// TestAssetDocsFields: an asset answers the docs' fields besides its own:
// name, position, locked (units held by PENDING sells), available,
// purchasePrice, marketPrice, investmentAmount.
func TestAssetDocsFields(t *testing.T) {
	t.Parallel()
	tr := newTrader(t, apitest.Options{}) // executions run when the test says
	tr.setPrice(t, "AAPL", "100")
	tr.execute(t, tr.purchase(t, path(`{"customerId": %d, "currency": "USD", "instrumentId": 1, "purchaseAmount": 1000}`, tr.customerID)))
	asset := tr.assetID(t)
	a := tr.assets(t)[0]
	require.Equal(t, "Apple Inc.", a["name"])
	require.Equal(t, num("10"), a["position"])
	require.Equal(t, a["quantity"], a["position"])
	require.Equal(t, num("0"), a["locked"])
	require.Equal(t, num("10"), a["available"])
	require.Equal(t, num("100"), a["purchasePrice"])
	require.Equal(t, num("100"), a["marketPrice"])
	require.Equal(t, num("1000"), a["investmentAmount"])

	// Two pending sells: half the shares, and 200 USD at 100 a share.
	half := tr.sell(t, path(`{"customerId": %d, "currency": "USD", "assetId": %d, "sellPercentage": 50}`, tr.customerID, asset))
	tr.sell(t, path(`{"customerId": %d, "currency": "USD", "assetId": %d, "sellAmount": 200}`, tr.customerID, asset))
	a = exact(t, tr.tn.Do(t, "GET", path("/v1/assets/%d", asset), nil))
	require.Equal(t, num("7"), a["locked"])
	require.Equal(t, num("3"), a["available"])

	// Once the half executes, it holds nothing: 5 left, 2 locked.
	require.Equal(t, "COMPLETED", tr.execute(t, half)["status"])
	a = tr.assets(t)[0]
	require.Equal(t, num("5"), a["position"])
	require.Equal(t, num("2"), a["locked"])
	require.Equal(t, num("3"), a["available"])
	res := tr.tn.Do(t, "GET", path("/v1/assets?customerId=%d", tr.customerID), nil)
	require.Equal(t, http.StatusOK, res.Status)
}

// TestGetTransaction: GET /v1/transactions/{transactionId} answers one
// transaction with requestType; another organization's is not found.
func TestGetTransaction(t *testing.T) {
	t.Parallel()
	tr := newTrader(t, apitest.Options{})
	tr.setPrice(t, "AAPL", "100")
	tr.execute(t, tr.purchase(t, path(`{"customerId": %d, "currency": "USD", "instrumentId": 1, "purchaseAmount": 1000}`, tr.customerID)))
	listed := tr.transactions(t)[0]
	res := tr.tn.Do(t, "GET", path("/v1/transactions/%s", listed["transactionId"]), nil)
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	got := exact(t, res)
	require.Equal(t, listed, got)
	require.Equal(t, "PURCHASE", got["requestType"])

	other := tr.env.NewTenant(t, apitest.TenantOptions{Sandbox: true})
	res = other.Do(t, "GET", path("/v1/transactions/%s", listed["transactionId"]), nil)
	require.Equal(t, http.StatusNotFound, res.Status, "%s", res.Body)
	res = tr.tn.Do(t, "GET", "/v1/transactions/999999999", nil)
	require.Equal(t, http.StatusNotFound, res.Status, "%s", res.Body)
}
