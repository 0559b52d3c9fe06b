package httpapi_test

import (
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/openvest/openvest/internal/apitest"
	"github.com/stretchr/testify/require"
)

// Published Stellar account ids: the USDC issuers of the public and test networks.
const (
	usdcIssuer    = "GA5ZSEJYB37JRC5AVCIA5MOP4RHTM335X2KGX3IHOJAPP5RE34K4KZVN"
	testnetIssuer = "GBBD47IF6LWK7P7MDEVSCWR7DPUWV3NY3DTQEVFL4NAT4AQH3ZLLFLA5"
)

// walletError is the wallet surface's error shape.
type walletError struct {
	Error      string       `json:"error"`
	Message    string       `json:"message"`
	StatusCode int          `json:"statusCode"`
	Timestamp  time.Time    `json:"timestamp"`
	Errors     []fieldError `json:"errors"`
}

// requireWalletError requires status, the wallet shape and its error code.
func requireWalletError(t *testing.T, res apitest.Response, status int, code string) walletError {
	t.Helper()
	require.Equal(t, status, res.Status, "%s", res.Body)
	var e walletError
	res.JSON(t, &e)
	require.Equal(t, status, e.StatusCode)
	require.Equal(t, code, e.Error, "%s", res.Body)
	require.NotEmpty(t, e.Message)
	require.WithinDuration(t, time.Now(), e.Timestamp, time.Minute, "timestamp: when the error was answered")
	require.Equal(t, time.UTC, e.Timestamp.Location())
	return e
}

// newCounterparty creates a counterparty through the API and returns its guid.
func newCounterparty(t *testing.T, tn *apitest.Tenant, name string) string {
	t.Helper()
	res := tn.Do(t, http.MethodPost, "/counterparty", map[string]any{"name": name})
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	return res.Map(t)["counterparty_guid"].(string)
}

// newWalletCustomer creates a customer (asset fields added when absent) and
// returns the creation answer.
func newWalletCustomer(t *testing.T, tn *apitest.Tenant, cp string, body map[string]any) map[string]any {
	t.Helper()
	if body == nil {
		body = map[string]any{}
	}
	if _, ok := body["asset_code"]; !ok {
		body["asset_code"] = "ZMWT"
	}
	if _, ok := body["asset_issuer"]; !ok {
		body["asset_issuer"] = usdcIssuer
	}
	res := tn.Do(t, http.MethodPost, "/counterparty/"+cp+"/customers", body)
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	return res.Map(t)
}

// walletCustomers lists a counterparty's customers with the query.
func walletCustomers(t *testing.T, tn *apitest.Tenant, cp string, q url.Values) (customers []map[string]any, total int64) {
	t.Helper()
	res := tn.Do(t, http.MethodGet, "/counterparty/"+cp+"/customers?"+q.Encode(), nil)
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	var out struct {
		Total     int64            `json:"total"`
		Customers []map[string]any `json:"customers"`
	}
	res.JSON(t, &out)
	return out.Customers, out.Total
}

func guidsOf(items []map[string]any, key string) []string {
	out := []string{}
	for _, it := range items {
		out = append(out, it[key].(string))
	}
	return out
}
