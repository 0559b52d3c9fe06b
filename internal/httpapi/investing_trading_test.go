package httpapi_test

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/openvest/openvest/internal/apitest"
	"github.com/stretchr/testify/require"
)

// execute runs a request's execution the way its job does (for tests
// whose job queue is not started, so that they decide when it runs).
func (tr trader) execute(t *testing.T, id int64) map[string]any {
	t.Helper()
	require.NoError(t, tr.env.App.Trading.ExecuteRequest(t.Context(), tr.tn.Org.ID, id, time.Time{}))
	return exact(t, tr.tn.Do(t, "GET", path("/v1/requests/%d", id), nil))
}

func (tr trader) assetID(t *testing.T) int64 {
	t.Helper()
	id, err := tr.assets(t)[0]["assetId"].(json.Number).Int64()
	require.NoError(t, err)
	return id
}

func TestSellHalfThenAll(t *testing.T) {
	t.Parallel()
	tr := newTrader(t, apitest.Options{Jobs: true})
	tr.setPrice(t, "MSFT", "400")
	buy := tr.purchase(t, path(`{"customerId": %d, "currency": "USD", "instrumentId": 2, "purchaseAmount": 1000}`, tr.customerID))
	require.Equal(t, "COMPLETED", tr.settled(t, buy)["status"])
	asset := tr.assetID(t)
	require.Equal(t, num("2.5"), tr.assets(t)[0]["quantity"])

	tr.setPrice(t, "MSFT", "440")
	half := tr.sell(t, path(`{"customerId": %d, "currency": "USD", "assetId": %d, "sellPercentage": 50}`, tr.customerID, asset))
	require.Equal(t, "COMPLETED", tr.settled(t, half)["status"])
	a := tr.assets(t)[0]
	require.Equal(t, num("1.25"), a["quantity"])
	require.Equal(t, num("500"), a["investmentAmount"], "half the cost basis left")
	require.Equal(t, num("550"), a["marketValue"])
	require.Equal(t, num("10"), a["performance"])
	sold := exactItems(t, tr.tn.Do(t, "GET", path("/v1/transactions?requestId=%d", half), nil))[0]
	require.Equal(t, "SELL", sold["requestType"])
	require.Equal(t, "SELL", sold["transactionType"], "kept as an addition")
	require.Equal(t, num("1.25"), sold["quantity"])
	require.Equal(t, num("550"), sold["amount"], "proceeds in USD")

	all := tr.sell(t, path(`{"customerId": %d, "currency": "USD", "assetId": %d, "sellPercentage": 100}`, tr.customerID, asset))
	require.Equal(t, "COMPLETED", tr.settled(t, all)["status"])
	a = tr.assets(t)[0]
	require.Equal(t, num("0"), a["quantity"])
	require.Equal(t, num("0"), a["investmentAmount"])
	require.Equal(t, num("0"), a["marketValue"])
	p := tr.portfolio(t)
	require.Equal(t, num("0"), p["investmentAmount"])
	require.Equal(t, num("0"), p["marketValue"])
	require.Len(t, tr.transactions(t), 3)

	// Nothing is left to sell.
	res := tr.tn.Do(t, "POST", "/v1/requests/sell", json.RawMessage(path(`{"customerId": %d, "currency": "USD", "assetId": %d, "sellPercentage": 10}`, tr.customerID, asset)))
	require.Equal(t, http.StatusUnprocessableEntity, res.Status, "%s", res.Body)
	require.Contains(t, res.Map(t)["message"], "holds no shares")
}

func TestSellMoreThanHeldEndsInError(t *testing.T) {
	t.Parallel()
	tr := newTrader(t, apitest.Options{}) // executions run when the test says
	tr.setPrice(t, "NVDA", "100")
	tr.execute(t, tr.purchase(t, path(`{"customerId": %d, "currency": "USD", "instrumentId": 6, "purchaseAmount": 300}`, tr.customerID)))
	asset := tr.assetID(t)

	// Both sells fit the holding when they are made...
	half := tr.sell(t, path(`{"customerId": %d, "currency": "USD", "assetId": %d, "sellPercentage": 50}`, tr.customerID, asset))
	whole := tr.sell(t, path(`{"customerId": %d, "currency": "USD", "assetId": %d, "sellAmount": 300}`, tr.customerID, asset))
	// ...but not one after the other.
	require.Equal(t, "COMPLETED", tr.execute(t, half)["status"])
	r := tr.execute(t, whole)
	require.Equal(t, "ERROR", r["status"])
	require.Equal(t, "selling 3 shares of NVDA (sellAmount 300 at 100 USD a share) exceeds the 1.5 shares held", r["errorReason"])
	require.Equal(t, num("1.5"), tr.assets(t)[0]["quantity"], "the holding is untouched")
	failed := exactItems(t, tr.tn.Do(t, "GET", path("/v1/transactions?requestId=%d", whole), nil))
	require.Len(t, failed, 1)
	require.Equal(t, "ERROR", failed[0]["status"])
	require.Equal(t, r["errorReason"], failed[0]["errorReason"])

	// A sellAmount above what the holding is worth is refused up front.
	res := tr.tn.Do(t, "POST", "/v1/requests/sell", json.RawMessage(path(`{"customerId": %d, "currency": "USD", "assetId": %d, "sellAmount": 150.01}`, tr.customerID, asset)))
	require.Equal(t, http.StatusUnprocessableEntity, res.Status, "%s", res.Body)
	require.Contains(t, res.Map(t)["message"], "more than the holding is worth (150 USD")
	// Neither sellAmount nor sellPercentage: 400. Both (the vendor's own
	// example): sellAmount applies and sellPercentage is dropped.
	res = tr.tn.Do(t, "POST", "/v1/requests/sell", json.RawMessage(path(`{"customerId": %d, "currency": "USD", "assetId": %d}`, tr.customerID, asset)))
	require.Equal(t, http.StatusBadRequest, res.Status, "%s", res.Body)
	require.Contains(t, res.Map(t)["message"], "send sellAmount or sellPercentage")
	res = tr.tn.Do(t, "POST", "/v1/requests/sell", json.RawMessage(path(`{"customerId": %d, "currency": "USD", "assetId": %d, "sellAmount": 1, "sellPercentage": 1}`, tr.customerID, asset)))
	require.Equal(t, http.StatusCreated, res.Status, "%s", res.Body)
	both := exact(t, res)
	require.Equal(t, num("1"), both["sellAmount"])
	require.NotContains(t, both, "sellPercentage")
	res = tr.tn.Do(t, "POST", "/v1/requests/sell", json.RawMessage(path(`{"customerId": %d, "currency": "USD", "assetId": %d, "sellPercentage": 100.5}`, tr.customerID, asset)))
	require.Equal(t, http.StatusBadRequest, res.Status, "%s", res.Body)
}

func TestCancel(t *testing.T) {
	t.Parallel()
	tr := newTrader(t, apitest.Options{})
	body := path(`{"customerId": %d, "currency": "USD", "instrumentId": 1, "purchaseAmount": 10}`, tr.customerID)
	pending := tr.purchase(t, body)
	res := tr.tn.Do(t, "PUT", "/v1/requests", map[string]any{"requestId": pending, "shouldCancelRequest": true})
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	require.Equal(t, "CANCELED", exact(t, res)["status"])
	require.Equal(t, "CANCELED", tr.execute(t, pending)["status"], "its job finds it canceled and does nothing")
	require.Empty(t, tr.transactions(t))
	require.Empty(t, tr.assets(t))

	res = tr.tn.Do(t, "PUT", "/v1/requests", map[string]any{"requestId": pending, "shouldCancelRequest": true})
	require.Equal(t, http.StatusConflict, res.Status)
	require.Contains(t, res.Map(t)["message"], "is CANCELED: only PENDING requests can be canceled")

	completed := tr.purchase(t, body)
	require.Equal(t, "COMPLETED", tr.execute(t, completed)["status"])
	res = tr.tn.Do(t, "PUT", "/v1/requests", map[string]any{"requestId": completed, "shouldCancelRequest": true})
	require.Equal(t, http.StatusConflict, res.Status)
	require.Contains(t, res.Map(t)["message"], "is COMPLETED: only PENDING requests can be canceled")

	res = tr.tn.Do(t, "PUT", "/v1/requests", map[string]any{"requestId": completed, "shouldCancelRequest": false})
	require.Equal(t, http.StatusUnprocessableEntity, res.Status)
	res = tr.tn.Do(t, "PUT", "/v1/requests", map[string]any{"requestId": 999999999, "shouldCancelRequest": true})
	require.Equal(t, http.StatusNotFound, res.Status)

	// Lists filter by status and type.
	list := exactItems(t, tr.tn.Do(t, "GET", path("/v1/requests?customerId=%d&status=CANCELED&requestType=PURCHASE", tr.customerID), nil))
	require.Len(t, list, 1)
	require.Equal(t, json.Number(path("%d", pending)), list[0]["requestId"])
	require.Len(t, exactItems(t, tr.tn.Do(t, "GET", path("/v1/requests?customerId=%d&requestType=SELL", tr.customerID), nil)), 0)
}

func TestRecurringWeeklyRunsWhenTheSandboxClockMoves(t *testing.T) {
	t.Parallel()
	start := time.Date(2031, 3, 3, 10, 0, 0, 0, time.UTC)
	tr := newTrader(t, apitest.Options{Jobs: true, Now: func() time.Time { return start }})
	tr.setPrice(t, "SPY", "500")
	res := tr.tn.Do(t, "POST", "/v1/requests/purchase", json.RawMessage(path(
		`{"customerId": %d, "currency": "USD", "instrumentId": 28, "purchaseAmount": 50, "isRecurring": true, "schedule": "WEEKLY"}`, tr.customerID)))
	require.Equal(t, http.StatusCreated, res.Status, "%s", res.Body)
	r := exact(t, res)
	id, _ := r["requestId"].(json.Number).Int64()
	require.Equal(t, "WEEKLY", r["schedule"])
	require.Equal(t, true, r["isRecurring"])
	require.Equal(t, json.Number(path("%d", start.AddDate(0, 0, 7).Unix())), r["nextExecutionAt"])

	// Nothing runs before the first week is over.
	res = tr.tn.Do(t, "POST", "/v1/sandbox/clock/advance", map[string]any{"days": 6})
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	require.Equal(t, num("0"), exact(t, res)["scheduledExecutions"])

	res = tr.tn.Do(t, "POST", "/v1/sandbox/clock/advance", map[string]any{"days": 15})
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	clock := exact(t, res)
	require.Equal(t, num("1"), clock["scheduledExecutions"])
	require.Equal(t, json.Number(path("%d", start.AddDate(0, 0, 21).Unix())), clock["now"])
	require.Equal(t, num("1814400"), clock["offsetSeconds"])

	r = tr.executions(t, id, 3)
	require.Equal(t, "PENDING", r["status"], "a recurring request stays PENDING")
	require.Equal(t, json.Number(path("%d", start.AddDate(0, 0, 28).Unix())), r["nextExecutionAt"])
	txs := tr.transactions(t)
	require.Len(t, txs, 3)
	for i, tx := range txs {
		require.Equal(t, "COMPLETED", tx["status"])
		require.Equal(t, json.Number(path("%d", i+1)), tx["cycle"])
		require.Equal(t, num("0.1"), tx["quantity"])
	}
	require.Equal(t, num("0.3"), tr.assets(t)[0]["quantity"])
	require.Equal(t, num("150"), tr.portfolio(t)["investmentAmount"])

	res = tr.tn.Do(t, "PUT", "/v1/requests", map[string]any{"requestId": id, "shouldCancelRequest": true})
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	require.NotContains(t, exact(t, res), "nextExecutionAt")
	res = tr.tn.Do(t, "POST", "/v1/sandbox/clock/advance", map[string]any{"days": 28})
	require.Equal(t, num("0"), exact(t, res)["scheduledExecutions"], "canceled: nothing is due")
	tr.tn.WaitJobs(t) // the jobs the first cycles left behind ran and did nothing
	require.Len(t, tr.transactions(t), 3, "no execution after the cancel")
	require.Equal(t, "CANCELED", exact(t, tr.tn.Do(t, "GET", path("/v1/requests/%d", id), nil))["status"])
}

func TestRequestRules(t *testing.T) {
	t.Parallel()
	tr := newTrader(t, apitest.Options{})
	purchase := func(body string) apitest.Response {
		return tr.tn.Do(t, "POST", "/v1/requests/purchase", json.RawMessage(body))
	}
	for _, tc := range []struct {
		name, body, message string
		status              int
	}{
		{"unknown instrument", `{"customerId": %d, "currency": "USD", "instrumentId": 999, "purchaseAmount": 10}`, "instrument 999 not found", 404},
		{"unavailable instrument", `{"customerId": %d, "currency": "USD", "instrumentId": 35, "purchaseAmount": 10}`, "TWTR is not available", 422},
		{"below the minimum", `{"customerId": %d, "currency": "USD", "instrumentId": 28, "purchaseAmount": 4.99}`, "below the SPY minimum of 5.00 USD", 422},
		{"below the minimum in kwacha", `{"customerId": %d, "currency": "ZMW", "instrumentId": 1, "purchaseAmount": 10}`, "below the AAPL minimum of 1.00 USD", 422},
		{"schedule without isRecurring", `{"customerId": %d, "currency": "USD", "instrumentId": 1, "purchaseAmount": 10, "schedule": "DAILY"}`, "only for recurring requests", 422},
		{"isRecurring without schedule", `{"customerId": %d, "currency": "USD", "instrumentId": 1, "purchaseAmount": 10, "isRecurring": true}`, "needs a schedule", 422},
		{"zero amount", `{"customerId": %d, "currency": "USD", "instrumentId": 1, "purchaseAmount": 0}`, "purchaseAmount", 400},
		{"a tenth of a cent", `{"customerId": %d, "currency": "USD", "instrumentId": 1, "purchaseAmount": 10.001}`, "more than 2 decimal places", 400},
		{"unsupported currency", `{"customerId": %d, "currency": "GBP", "instrumentId": 1, "purchaseAmount": 10}`, "currency", 400},
		{"unknown customer", `{"customerId": 999999999, "currency": "USD", "instrumentId": 1, "purchaseAmount": 10}`, "customer 999999999 not found", 404},
	} {
		body := tc.body
		if json.Valid([]byte(path(body, tr.customerID))) && tc.name != "unknown customer" {
			body = path(body, tr.customerID)
		}
		res := purchase(body)
		require.Equal(t, tc.status, res.Status, "%s: %s", tc.name, res.Body)
		require.Contains(t, string(res.Body), tc.message, tc.name)
	}

	// A suspended account is refused, then a suspended customer.
	accounts := items(t, tr.tn.Do(t, "GET", path("/v1/accounts?customerId=%d", tr.customerID), nil))
	res := tr.tn.Do(t, "PUT", "/v1/accounts", map[string]any{"accountId": accounts[0]["accountId"], "status": "SUSPENDED"})
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	ok := path(`{"customerId": %d, "currency": "USD", "instrumentId": 1, "purchaseAmount": 10}`, tr.customerID)
	res = purchase(ok)
	require.Equal(t, http.StatusConflict, res.Status, "%s", res.Body)
	require.Contains(t, res.Map(t)["message"], "is SUSPENDED: only ACTIVE accounts can trade")
	require.Equal(t, http.StatusOK, tr.tn.Do(t, "PUT", "/v1/customers", map[string]any{"customerId": tr.customerID, "status": "SUSPENDED"}).Status)
	res = purchase(ok)
	require.Equal(t, http.StatusConflict, res.Status, "%s", res.Body)
	require.Contains(t, res.Map(t)["message"], "only ACTIVE customers can trade")
	require.Empty(t, exactItems(t, tr.tn.Do(t, "GET", path("/v1/requests?customerId=%d", tr.customerID), nil)), "nothing was created")

	// A customer without an account of the instrument's type.
	other := apitest.Start(t, apitest.Options{}).NewTenant(t, apitest.TenantOptions{InvestmentTypes: []string{"INTERNATIONAL_STOCKS", "BONDS"}, DefaultInvestmentTypes: []string{"BONDS"}})
	c := createCustomer(t, other, customerOpts{})
	res = other.Do(t, "POST", "/v1/requests/purchase", json.RawMessage(path(`{"customerId": %d, "currency": "USD", "instrumentId": 1, "purchaseAmount": 10}`, c)))
	require.Equal(t, http.StatusUnprocessableEntity, res.Status, "%s", res.Body)
	require.Contains(t, res.Map(t)["message"], "has no INTERNATIONAL_STOCKS account")
	// Another organization's customer and request are not found.
	res = other.Do(t, "POST", "/v1/requests/purchase", json.RawMessage(ok))
	require.Equal(t, http.StatusNotFound, res.Status, "%s", res.Body)
}
