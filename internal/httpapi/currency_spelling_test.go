package httpapi_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/openvest/openvest/internal/apitest"
	"github.com/stretchr/testify/require"
)

// TestKwachaSpellings: ZK and ZMW are both the kwacha on every request, and
// each resource answers with the spelling it was created (or updated) with.
func TestKwachaSpellings(t *testing.T) {
	t.Parallel()
	tr := newTrader(t, apitest.Options{})
	accounts := exactItems(t, tr.tn.Do(t, "GET", path("/v1/accounts?customerId=%d", tr.customerID), nil))
	require.Len(t, accounts, 1)
	accountID := accounts[0]["accountId"]

	res := tr.tn.Do(t, "PUT", "/v1/accounts", map[string]any{"accountId": accountID, "currency": "ZK"})
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	require.Equal(t, "ZK", exact(t, res)["currency"])
	require.Equal(t, "ZK", exact(t, tr.tn.Do(t, "GET", path("/v1/accounts/%s", accountID), nil))["currency"])
	res = tr.tn.Do(t, "PUT", "/v1/accounts", map[string]any{"accountId": accountID, "currency": "ZMW"})
	require.Equal(t, "ZMW", exact(t, res)["currency"])

	for _, c := range []string{"ZK", "ZMW"} {
		res := tr.tn.Do(t, "POST", "/v1/portfolio", map[string]any{"customerId": tr.customerID, "currency": c})
		require.Equal(t, http.StatusCreated, res.Status, "%s", res.Body)
		p := exact(t, res)
		require.Equal(t, c, p["currency"])
		require.Equal(t, c, exact(t, tr.tn.Do(t, "GET", path("/v1/portfolio/%s", p["portfolioId"]), nil))["currency"])
	}

	// A purchase in ZK converts at the kwacha's rate and keeps its spelling
	// on the request and its transaction.
	tr.setPrice(t, "AAPL", "10")
	zk := tr.purchase(t, path(`{"customerId": %d, "currency": "ZK", "instrumentId": 1, "purchaseAmount": 1000}`, tr.customerID))
	zmw := tr.purchase(t, path(`{"customerId": %d, "currency": "ZMW", "instrumentId": 1, "purchaseAmount": 1000}`, tr.customerID))
	rz, rzmw := tr.execute(t, zk), tr.execute(t, zmw)
	require.Equal(t, "COMPLETED", rz["status"], "%v", rz)
	require.Equal(t, "ZK", rz["currency"])
	require.Equal(t, "ZMW", rzmw["currency"])
	txs := exactItems(t, tr.tn.Do(t, "GET", path("/v1/transactions?requestId=%d", zk), nil))
	require.Len(t, txs, 1)
	require.Equal(t, "ZK", txs[0]["currency"])
	other := exactItems(t, tr.tn.Do(t, "GET", path("/v1/transactions?requestId=%d", zmw), nil))[0]
	require.Equal(t, "ZMW", other["currency"])
	require.Equal(t, other["quantity"], txs[0]["quantity"], "the same currency under both spellings")

	// Anything else is still refused, naming the field.
	res = tr.tn.Do(t, "POST", "/v1/portfolio", json.RawMessage(path(`{"customerId": %d, "currency": "ZMK"}`, tr.customerID)))
	require.Equal(t, http.StatusBadRequest, res.Status)
	require.Contains(t, res.Map(t)["message"], "currency")
}
