package httpapi_test

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/openvest/openvest/internal/apitest"
	"github.com/stretchr/testify/require"
)

// TestSeed002LiteralURLs: the guide's POST /v1/requests/purchase/purchase
// and /v1/requests/purchase/sell work as purchase and sell, and its cancel
// body (no requestId) answers a 400 that names requestId and shows the body.
func TestSeed002LiteralURLs(t *testing.T) {
	t.Parallel()
	tr := newTrader(t, apitest.Options{})
	tr.setPrice(t, "AAPL", "100")
	res := tr.tn.Do(t, "POST", "/v1/requests/purchase/purchase", json.RawMessage(path(`{"customerId": %d, "currency": "ZMW", "instrumentId": 1, "purchaseAmount": 5000}`, tr.customerID)))
	require.Equal(t, http.StatusCreated, res.Status, "%s", res.Body)
	buy := exact(t, res)
	require.Equal(t, "PURCHASE", buy["requestType"])
	id, _ := buy["requestId"].(json.Number).Int64()
	require.Equal(t, "COMPLETED", tr.execute(t, id)["status"])

	res = tr.tn.Do(t, "POST", "/v1/requests/purchase/sell", json.RawMessage(path(`{"customerId": %d, "currency": "ZMW", "assetId": %d, "sellAmount": 100}`, tr.customerID, tr.assetID(t))))
	require.Equal(t, http.StatusCreated, res.Status, "%s", res.Body)
	sell := exact(t, res)
	require.Equal(t, "SELL", sell["requestType"])
	require.Equal(t, num("100"), sell["sellAmount"])

	// The guide's cancel body.
	res = tr.tn.Do(t, "PUT", "/v1/requests", map[string]any{"shouldCancelRequest": true})
	require.Equal(t, http.StatusBadRequest, res.Status, "%s", res.Body)
	var e errorBody
	res.JSON(t, &e)
	require.Equal(t, "requestId", e.Errors[0].Field)
	require.Contains(t, e.Message, `{"requestId": 654321, "shouldCancelRequest": true}`)
	// With it, the sell is canceled.
	res = tr.tn.Do(t, "PUT", "/v1/requests", map[string]any{"requestId": sell["requestId"], "shouldCancelRequest": true})
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	require.Equal(t, "CANCELED", exact(t, res)["status"])
}

// TestRecurringSell: a sell takes isRecurring and schedule as a purchase
// does, and repeats on the sandbox clock.
func TestRecurringSell(t *testing.T) {
	t.Parallel()
	start := time.Date(2031, 3, 3, 10, 0, 0, 0, time.UTC)
	tr := newTrader(t, apitest.Options{Now: func() time.Time { return start }})
	tr.setPrice(t, "AAPL", "100")
	tr.execute(t, tr.purchase(t, path(`{"customerId": %d, "currency": "USD", "instrumentId": 1, "purchaseAmount": 1000}`, tr.customerID)))
	asset := tr.assetID(t)

	res := tr.tn.Do(t, "POST", "/v1/requests/sell", json.RawMessage(path(`{"customerId": %d, "currency": "USD", "assetId": %d, "sellAmount": 100, "isRecurring": true, "schedule": "DAILY"}`, tr.customerID, asset)))
	require.Equal(t, http.StatusCreated, res.Status, "%s", res.Body)
	r := exact(t, res)
	require.Equal(t, true, r["isRecurring"])
	require.Equal(t, "DAILY", r["schedule"])
	require.Equal(t, json.Number(path("%d", start.AddDate(0, 0, 1).Unix())), r["nextExecutionAt"])
	id, _ := r["requestId"].(json.Number).Int64()

	// The first cycle, run as its job does at its due time.
	require.NoError(t, tr.env.App.Trading.ExecuteRequest(t.Context(), tr.tn.Org.ID, id, start.AddDate(0, 0, 1)))
	got := exact(t, tr.tn.Do(t, "GET", path("/v1/requests/%d", id), nil))
	require.Equal(t, "PENDING", got["status"], "a recurring sell stays PENDING")
	require.Equal(t, num("1"), got["executionCount"])
	require.Equal(t, num("9"), tr.assets(t)[0]["quantity"])

	// The defaults the docs send are a one-time sell; a schedule alone is refused.
	res = tr.tn.Do(t, "POST", "/v1/requests/sell", json.RawMessage(path(`{"customerId": %d, "currency": "USD", "assetId": %d, "sellPercentage": 10, "isRecurring": false, "schedule": "ONCE"}`, tr.customerID, asset)))
	require.Equal(t, http.StatusCreated, res.Status, "%s", res.Body)
	require.Equal(t, false, exact(t, res)["isRecurring"])
	res = tr.tn.Do(t, "POST", "/v1/requests/sell", json.RawMessage(path(`{"customerId": %d, "currency": "USD", "assetId": %d, "sellPercentage": 10, "schedule": "WEEKLY"}`, tr.customerID, asset)))
	require.Equal(t, http.StatusUnprocessableEntity, res.Status, "%s", res.Body)
}
