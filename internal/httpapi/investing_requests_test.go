package httpapi_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/openvest/openvest/internal/apitest"
	"github.com/stretchr/testify/require"
)

// trader is a sandbox tenant with a running job queue and one customer.
type trader struct {
	env        *apitest.Env
	tn         *apitest.Tenant
	customerID int64
}

func newTrader(t *testing.T, opts apitest.Options) trader {
	t.Helper()
	env := apitest.Start(t, opts)
	tn := env.NewTenant(t, apitest.TenantOptions{Sandbox: true})
	return trader{env: env, tn: tn, customerID: createCustomer(t, tn, customerOpts{})}
}

// exact decodes a response's data keeping numbers as written (json.Number).
func exact(t *testing.T, res apitest.Response) map[string]any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(res.Body))
	dec.UseNumber()
	var out struct {
		Data map[string]any `json:"data"`
	}
	require.NoError(t, dec.Decode(&out), "%s", res.Body)
	return out.Data
}

func exactItems(t *testing.T, res apitest.Response) []map[string]any {
	t.Helper()
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	dec := json.NewDecoder(bytes.NewReader(res.Body))
	dec.UseNumber()
	var out struct {
		Data []map[string]any `json:"data"`
	}
	require.NoError(t, dec.Decode(&out), "%s", res.Body)
	return out.Data
}

func num(s string) json.Number { return json.Number(s) }

func (tr trader) setPrice(t *testing.T, symbol, price string) {
	t.Helper()
	res := tr.tn.Do(t, "PUT", path("/v1/sandbox/instruments/%s/price", symbol), json.RawMessage(`{"price": `+price+`}`))
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
}

// purchase creates a purchase request and returns its id.
func (tr trader) purchase(t *testing.T, body string) int64 {
	t.Helper()
	res := tr.tn.Do(t, "POST", "/v1/requests/purchase", json.RawMessage(body))
	require.Equal(t, http.StatusCreated, res.Status, "%s", res.Body)
	d := exact(t, res)
	require.Equal(t, "PENDING", d["status"])
	id, err := d["requestId"].(json.Number).Int64()
	require.NoError(t, err)
	return id
}

func (tr trader) sell(t *testing.T, body string) int64 {
	t.Helper()
	res := tr.tn.Do(t, "POST", "/v1/requests/sell", json.RawMessage(body))
	require.Equal(t, http.StatusCreated, res.Status, "%s", res.Body)
	id, err := exact(t, res)["requestId"].(json.Number).Int64()
	require.NoError(t, err)
	return id
}

// settled waits until the request is no longer PENDING and returns it.
func (tr trader) settled(t *testing.T, id int64) map[string]any {
	t.Helper()
	var r map[string]any
	require.Eventually(t, func() bool {
		res := tr.tn.Do(t, "GET", path("/v1/requests/%d", id), nil)
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		r = exact(t, res)
		return r["status"] != "PENDING"
	}, 15*time.Second, 10*time.Millisecond, "request %d stayed PENDING", id)
	return r
}

// executions waits until the request has executed n times and returns it.
func (tr trader) executions(t *testing.T, id int64, n int) map[string]any {
	t.Helper()
	var r map[string]any
	require.Eventually(t, func() bool {
		r = exact(t, tr.tn.Do(t, "GET", path("/v1/requests/%d", id), nil))
		return r["executionCount"] == num(itoa(n))
	}, 15*time.Second, 10*time.Millisecond, "request %d did not execute %d times", id, n)
	return r
}

func itoa(n int) string { return json.Number(path("%d", n)).String() }

func (tr trader) assets(t *testing.T) []map[string]any {
	t.Helper()
	return exactItems(t, tr.tn.Do(t, "GET", path("/v1/assets?customerId=%d", tr.customerID), nil))
}

func (tr trader) portfolio(t *testing.T) map[string]any {
	t.Helper()
	ps := exactItems(t, tr.tn.Do(t, "GET", path("/v1/portfolio?customerId=%d", tr.customerID), nil))
	require.Len(t, ps, 1)
	return ps[0]
}

func (tr trader) transactions(t *testing.T) []map[string]any {
	t.Helper()
	return exactItems(t, tr.tn.Do(t, "GET", path("/v1/transactions?customerId=%d", tr.customerID), nil))
}

func TestPurchaseCompletesWithExactQuantityAndHolding(t *testing.T) {
	t.Parallel()
	tr := newTrader(t, apitest.Options{Jobs: true})
	tr.setPrice(t, "AAPL", "230")
	id := tr.purchase(t, path(`{"customerId": %d, "currency": "USD", "instrumentId": 1, "purchaseAmount": 100}`, tr.customerID))

	r := tr.settled(t, id)
	require.Equal(t, "COMPLETED", r["status"], "%v", r)
	require.Equal(t, num("1"), r["executionCount"])
	require.NotContains(t, r, "errorReason")

	assets := tr.assets(t)
	require.Len(t, assets, 1)
	a := assets[0]
	require.Equal(t, "AAPL", a["symbol"])
	require.Equal(t, num("0.4347826"), a["quantity"], "100/230 = 0.434782608…, truncated to 8 places")
	require.Equal(t, num("100"), a["investmentAmount"], "0.4347826 × 230 = 99.999998, to the cent 100.00")
	require.Equal(t, num("100"), a["marketValue"])
	require.Equal(t, num("230"), a["price"])
	require.Equal(t, num("230.0000046"), a["averageCost"], "100.00 paid for 0.4347826 shares")
	require.Equal(t, num("0"), a["performance"])

	p := tr.portfolio(t)
	require.Equal(t, num("100"), p["investmentAmount"])
	require.Equal(t, num("100"), p["marketValue"])

	txs := tr.transactions(t)
	require.Len(t, txs, 1)
	require.Equal(t, "COMPLETED", txs[0]["status"])
	require.Equal(t, num("0.4347826"), txs[0]["quantity"])
	require.Equal(t, num("100"), txs[0]["value"])
	require.Equal(t, num("1"), txs[0]["fxRate"])
	require.Equal(t, a["assetId"], txs[0]["assetId"])

	// The price moves: the holding and the portfolio are valued at it.
	tr.setPrice(t, "AAPL", "253")
	a = tr.assets(t)[0]
	require.Equal(t, num("110"), a["marketValue"], "0.4347826 × 253 = 109.9999978")
	require.Equal(t, num("10"), a["performance"])
	p = tr.portfolio(t)
	require.Equal(t, num("110"), p["marketValue"])
	require.Equal(t, num("10"), p["performance"])
}

func TestWholeSharePurchaseLeavesTheRestUninvested(t *testing.T) {
	t.Parallel()
	tr := newTrader(t, apitest.Options{Jobs: true})
	tr.setPrice(t, "F", "10.25") // Ford trades in whole shares
	id := tr.purchase(t, path(`{"customerId": %d, "currency": "USD", "instrumentId": 25, "purchaseAmount": 50}`, tr.customerID))
	require.Equal(t, "COMPLETED", tr.settled(t, id)["status"])
	tx := tr.transactions(t)[0]
	require.Equal(t, num("4"), tx["quantity"])
	require.Equal(t, num("41"), tx["value"])
	require.Equal(t, num("9"), tx["uninvestedAmount"])
	require.Equal(t, num("41"), tr.assets(t)[0]["investmentAmount"])

	// Less than one share: ERROR, with the reason.
	id = tr.purchase(t, path(`{"customerId": %d, "currency": "USD", "instrumentId": 25, "purchaseAmount": 10}`, tr.customerID))
	r := tr.settled(t, id)
	require.Equal(t, "ERROR", r["status"])
	require.Contains(t, r["errorReason"], "whole shares only")
}
