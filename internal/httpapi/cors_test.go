package httpapi_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/openvest/openvest/internal/apitest"
	"github.com/openvest/openvest/internal/httpapi"
	"github.com/stretchr/testify/require"
)

var corsRequestHeaders = []string{
	"authorization", "x-client-id", "signature", "signature-input", "content-digest",
	"x-idempotency-key", "x-idempotency-id", "idempotency-key", "content-type",
}

// preflight sends a browser's CORS preflight. It goes around the
// validating transport: OPTIONS is the browser's protocol, not an
// operation of the spec.
func preflight(t *testing.T, env *apitest.Env, path, origin, method string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodOptions, env.Server.URL+path, nil)
	require.NoError(t, err)
	req.Header.Set("Origin", origin)
	req.Header.Set("Access-Control-Request-Method", method)
	req.Header.Set("Access-Control-Request-Headers", strings.Join(corsRequestHeaders, ","))
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	require.NoError(t, res.Body.Close())
	return res
}

func lowerList(h string) []string {
	var out []string
	for _, p := range strings.Split(h, ",") {
		out = append(out, strings.ToLower(strings.TrimSpace(p)))
	}
	return out
}

// TestCORSAllowedOrigin: a preflight from an allowed origin is answered
// for every documented method and the signing, digest and idempotency
// headers; the real call exposes the idempotency, request id and rate
// limit headers.
func TestCORSAllowedOrigin(t *testing.T) {
	t.Parallel()
	env := apitest.Start(t, apitest.Options{CORSOrigins: []string{"http://localhost:*", "https://explorer.example.com"}})
	tn := env.NewTenant(t, apitest.TenantOptions{})
	doc, err := httpapi.Spec()
	require.NoError(t, err)
	methods := map[string]bool{}
	for _, item := range doc.Paths.Map() {
		for m := range item.Operations() {
			methods[m] = true
		}
	}
	require.Greater(t, len(methods), 2)

	for _, origin := range []string{"http://localhost:5173", "https://explorer.example.com"} {
		for m := range methods {
			res := preflight(t, env, "/v1/customers", origin, m)
			require.Equal(t, http.StatusNoContent, res.StatusCode, "%s %s", origin, m)
			require.Equal(t, origin, res.Header.Get("Access-Control-Allow-Origin"))
			require.Contains(t, strings.Split(res.Header.Get("Access-Control-Allow-Methods"), ","), m)
			allowed := lowerList(res.Header.Get("Access-Control-Allow-Headers"))
			for _, h := range corsRequestHeaders {
				require.Contains(t, allowed, h)
			}
		}
	}
	// Banking and wallet paths too.
	for _, p := range []string{"/applications/app_x/submit", "/counterparty"} {
		res := preflight(t, env, p, "http://localhost:5173", http.MethodPost)
		require.Equal(t, "http://localhost:5173", res.Header.Get("Access-Control-Allow-Origin"), p)
	}

	res := tn.DoWith(t, http.MethodPost, "/v1/customers", map[string]any{"firstName": "Cora", "lastName": "Banda"},
		apitest.Call{Header: http.Header{"Origin": {"http://localhost:5173"}}})
	require.Equal(t, http.StatusCreated, res.Status, "%s", res.Body)
	require.Equal(t, "http://localhost:5173", res.Header.Get("Access-Control-Allow-Origin"))
	exposed := lowerList(res.Header.Get("Access-Control-Expose-Headers"))
	for _, h := range []string{"idempotent-replayed", "x-request-id", "retry-after", "ratelimit-limit", "ratelimit-remaining", "ratelimit-reset"} {
		require.Contains(t, exposed, h)
	}
}

// TestCORSDisallowedOrigin: another origin, or any origin when CORS is not
// configured (the default), gets no CORS headers, so the browser blocks it.
func TestCORSDisallowedOrigin(t *testing.T) {
	t.Parallel()
	env := apitest.Start(t, apitest.Options{CORSOrigins: []string{"http://localhost:*"}})
	res := preflight(t, env, "/v1/customers", "https://evil.example.com", http.MethodPost)
	require.Empty(t, res.Header.Get("Access-Control-Allow-Origin"))
	require.Empty(t, res.Header.Get("Access-Control-Allow-Headers"))
	got := env.Do(t, http.MethodGet, "/healthz", nil, http.Header{"Origin": {"https://evil.example.com"}})
	require.Equal(t, http.StatusOK, got.Status)
	require.Empty(t, got.Header.Get("Access-Control-Allow-Origin"))

	closed := apitest.Start(t, apitest.Options{CORSOrigins: []string{}})
	res = preflight(t, closed, "/v1/customers", "http://localhost:5173", http.MethodPost)
	require.Equal(t, http.StatusMethodNotAllowed, res.StatusCode)
	require.Empty(t, res.Header.Get("Access-Control-Allow-Origin"))
}
