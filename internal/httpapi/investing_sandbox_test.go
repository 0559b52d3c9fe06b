package httpapi_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/openvest/openvest/internal/apitest"
	"github.com/stretchr/testify/require"
)

// TestAmountsAreExactDecimals uses values that binary floating point
// cannot carry: 1.10 + 2.20 is 3.3000000000000003 in float64, and
// 90071992547409.93 (2^53 + 1 cents) has no float64 at all.
func TestAmountsAreExactDecimals(t *testing.T) {
	t.Parallel()
	tr := newTrader(t, apitest.Options{})
	tr.setPrice(t, "AAPL", "1.1")
	for _, amount := range []string{"1.10", "2.20"} {
		id := tr.purchase(t, path(`{"customerId": %d, "currency": "USD", "instrumentId": 1, "purchaseAmount": %s}`, tr.customerID, amount))
		require.Equal(t, "COMPLETED", tr.execute(t, id)["status"])
	}
	a := tr.assets(t)[0]
	require.Equal(t, num("3"), a["quantity"])
	require.Equal(t, num("3.3"), a["investmentAmount"])
	require.Equal(t, num("3.3"), tr.portfolio(t)["investmentAmount"])

	tr.setPrice(t, "MSFT", "0.01")
	id := tr.purchase(t, path(`{"customerId": %d, "currency": "USD", "instrumentId": 2, "purchaseAmount": 90071992547409.93}`, tr.customerID))
	r := tr.execute(t, id)
	require.Equal(t, "COMPLETED", r["status"], "%v", r)
	require.Equal(t, num("90071992547409.93"), r["purchaseAmount"])
	tx := exactItems(t, tr.tn.Do(t, "GET", path("/v1/transactions?requestId=%d", id), nil))[0]
	require.Equal(t, num("9007199254740993"), tx["quantity"])
	require.Equal(t, num("90071992547409.93"), tx["value"])
	require.Equal(t, num("90071992547413.23"), tr.portfolio(t)["investmentAmount"])
}

func TestSandboxControlsAreForSandboxOrganizationsOnly(t *testing.T) {
	t.Parallel()
	b := setup(t) // a production organization
	for _, call := range []struct {
		method, path string
		body         any
	}{
		{"GET", "/v1/sandbox/clock", nil},
		{"POST", "/v1/sandbox/clock/advance", map[string]any{"days": 1}},
		{"PUT", "/v1/sandbox/instruments/AAPL/price", map[string]any{"price": 1}},
		{"DELETE", "/v1/sandbox/instruments/AAPL/price", nil},
		{"POST", "/v1/sandbox/requests/1/outcome", map[string]any{"status": "COMPLETED"}},
	} {
		res := b.tenant.Do(t, call.method, call.path, call.body)
		require.Equal(t, http.StatusNotFound, res.Status, "%s %s: %s", call.method, call.path, res.Body)
		require.Contains(t, res.Map(t)["message"], "sandbox organizations only")
	}
}

func TestForceOutcome(t *testing.T) {
	t.Parallel()
	tr := newTrader(t, apitest.Options{})
	tr.setPrice(t, "KO", "50")
	body := path(`{"customerId": %d, "currency": "USD", "instrumentId": 14, "purchaseAmount": 100}`, tr.customerID)
	outcome := func(id int64, v any) apitest.Response {
		return tr.tn.Do(t, "POST", path("/v1/sandbox/requests/%d/outcome", id), v)
	}

	failed := tr.purchase(t, body)
	res := outcome(failed, map[string]any{"status": "ERROR", "errorReason": "Simulated rejection by the broker"})
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	r := exact(t, res)
	require.Equal(t, "ERROR", r["status"])
	require.Equal(t, "Simulated rejection by the broker", r["errorReason"])
	require.Empty(t, tr.assets(t), "no fill")
	require.Equal(t, "ERROR", tr.execute(t, failed)["status"], "its job does nothing")

	done := tr.purchase(t, body)
	res = outcome(done, map[string]any{"status": "COMPLETED"})
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	require.Equal(t, "COMPLETED", exact(t, res)["status"])
	require.Equal(t, num("2"), tr.assets(t)[0]["quantity"])

	res = outcome(done, map[string]any{"status": "ERROR", "errorReason": "late"})
	require.Equal(t, http.StatusConflict, res.Status)
	res = outcome(failed, map[string]any{"status": "ERROR"})
	require.Equal(t, http.StatusBadRequest, res.Status, "ERROR needs a reason: %s", res.Body)

	// COMPLETED is refused while impossible, and the request stays PENDING.
	sell := tr.sell(t, path(`{"customerId": %d, "currency": "USD", "assetId": %d, "sellAmount": 100}`, tr.customerID, tr.assetID(t)))
	tr.setPrice(t, "KO", "25")
	res = outcome(sell, map[string]any{"status": "COMPLETED"})
	require.Equal(t, http.StatusUnprocessableEntity, res.Status, "%s", res.Body)
	require.Contains(t, res.Map(t)["message"], "exceeds the 2 shares held")
	require.Equal(t, "PENDING", exact(t, tr.tn.Do(t, "GET", path("/v1/requests/%d", sell), nil))["status"])

	// A recurring request: ERROR stops it, COMPLETED is refused.
	plan := tr.purchase(t, path(`{"customerId": %d, "currency": "USD", "instrumentId": 14, "purchaseAmount": 10, "isRecurring": true, "schedule": "MONTHLY"}`, tr.customerID))
	res = outcome(plan, map[string]any{"status": "COMPLETED"})
	require.Equal(t, http.StatusConflict, res.Status)
	require.Contains(t, res.Map(t)["message"], "recurring")
	res = outcome(plan, map[string]any{"status": "ERROR", "errorReason": "Card declined"})
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	require.NotContains(t, exact(t, res), "nextExecutionAt")

	res = outcome(999999999, map[string]any{"status": "COMPLETED"})
	require.Equal(t, http.StatusNotFound, res.Status)
}

func TestInstrumentsAndSandboxPrices(t *testing.T) {
	t.Parallel()
	tr := newTrader(t, apitest.Options{})
	list := exactItems(t, tr.tn.Do(t, "GET", "/v1/instruments?investmentType=INTERNATIONAL_STOCKS&limit=1000", nil))
	require.GreaterOrEqual(t, len(list), 30)
	require.Empty(t, exactItems(t, tr.tn.Do(t, "GET", "/v1/instruments?investmentType=CRYPTO", nil)))
	page := exactItems(t, tr.tn.Do(t, "GET", "/v1/instruments?limit=2&page=1&sort=DESC", nil))
	require.Len(t, page, 2)

	res := tr.tn.Do(t, "GET", "/v1/instruments/AAPL", nil)
	require.Equal(t, http.StatusOK, res.Status)
	aapl := exact(t, res)
	require.Equal(t, num("1"), aapl["instrumentId"])
	require.Equal(t, num("1"), aapl["investmentId"])
	require.Equal(t, true, aapl["fractionalEnabled"])
	require.Equal(t, false, aapl["isSandboxPrice"])
	require.Contains(t, aapl["valueChangeOverTime"], "year")
	require.Equal(t, http.StatusNotFound, tr.tn.Do(t, "GET", "/v1/instruments/NOPE", nil).Status)

	tr.setPrice(t, "AAPL", "123.45678901")
	aapl = exact(t, tr.tn.Do(t, "GET", "/v1/instruments/AAPL", nil))
	require.Equal(t, num("123.45678901"), aapl["price"])
	require.Equal(t, true, aapl["isSandboxPrice"])
	// Another organization sees the market price.
	other := tr.env.NewTenant(t, apitest.TenantOptions{Sandbox: true})
	require.Equal(t, false, exact(t, other.Do(t, "GET", "/v1/instruments/AAPL", nil))["isSandboxPrice"])

	res = tr.tn.Do(t, "PUT", "/v1/sandbox/instruments/AAPL/price", json.RawMessage(`{"price": 1.000000001}`))
	require.Equal(t, http.StatusBadRequest, res.Status, "%s", res.Body)
	require.Equal(t, http.StatusNoContent, tr.tn.Do(t, "DELETE", "/v1/sandbox/instruments/AAPL/price", nil).Status)
	require.Equal(t, false, exact(t, tr.tn.Do(t, "GET", "/v1/instruments/AAPL", nil))["isSandboxPrice"])
	require.Equal(t, http.StatusNotFound, tr.tn.Do(t, "DELETE", "/v1/sandbox/instruments/AAPL/price", nil).Status)

	res = tr.tn.Do(t, "GET", "/v1/sandbox/clock", nil)
	require.Equal(t, http.StatusOK, res.Status)
	require.Equal(t, num("0"), exact(t, res)["offsetSeconds"])
}
