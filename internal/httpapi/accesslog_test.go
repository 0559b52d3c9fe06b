package httpapi_test

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/openvest/openvest/internal/apitest"
	"github.com/stretchr/testify/require"
)

// TestAccessLogNamesTheCaller: the access line of an authenticated request
// (and of a token call, by its client id) carries organization_id and
// client_id, and latency_ms in (fractional) milliseconds; an anonymous one
// has neither id.
func TestAccessLogNamesTheCaller(t *testing.T) {
	t.Parallel()
	logs := &apitest.SyncBuffer{}
	env := apitest.Start(t, apitest.Options{Logger: slog.New(slog.NewJSONHandler(logs, nil))})
	tn := env.NewTenant(t, apitest.TenantOptions{})
	res := tn.Do(t, http.MethodGet, "/v1/customers", nil)
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	res = env.Do(t, http.MethodGet, "/v1/customers", nil, nil)
	require.Equal(t, http.StatusUnauthorized, res.Status)

	var lines, tokenCalls []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		var m map[string]any
		require.NoError(t, json.Unmarshal([]byte(l), &m), l)
		switch {
		case m["msg"] == "request" && m["path"] == "/v1/customers":
			lines = append(lines, m)
		case m["msg"] == "request" && m["path"] == "/v1/oauth/token":
			tokenCalls = append(tokenCalls, m)
		}
	}
	require.Len(t, lines, 2, logs.String())
	require.NotEmpty(t, tokenCalls)
	require.Equal(t, tn.Org.ClientID, tokenCalls[0]["client_id"])
	ok, anon := lines[0], lines[1]
	require.Equal(t, float64(200), ok["status"])
	require.Equal(t, float64(tn.Org.ID), ok["organization_id"])
	require.Equal(t, tn.Org.ClientID, ok["client_id"])
	latency, isNumber := ok["latency_ms"].(float64)
	require.True(t, isNumber, "latency_ms is a number: %v", ok["latency_ms"])
	require.Greater(t, latency, 0.0)
	require.NotContains(t, ok, "latency")
	require.Equal(t, float64(401), anon["status"])
	require.NotContains(t, anon, "organization_id")
	require.NotContains(t, anon, "client_id")
}
