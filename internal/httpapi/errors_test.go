package httpapi_test

import (
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/openvest/openvest/internal/apitest"
	"github.com/stretchr/testify/require"
)

type fieldError struct {
	Field   string `json:"field"`
	In      string `json:"in"`
	Message string `json:"message"`
}

type errorBody struct {
	Code          int          `json:"code"`
	Message       string       `json:"message"`
	Errors        []fieldError `json:"errors"`
	SignatureBase string       `json:"signatureBase"`
}

// TestValidationNamesEachField: a 400 lists every failing field, where it
// is and the rule it breaks, before any handler runs.
func TestValidationNamesEachField(t *testing.T) {
	t.Parallel()
	b := setup(t)
	type want struct{ field, in, rule string }
	cases := []struct {
		name         string
		method, path string
		body         any
		want         []want
	}{
		{"missing required", "POST", "/v1/customers", map[string]any{"firstName": "A"},
			[]want{{"lastName", "body", "missing"}}},
		{"empty and unknown", "POST", "/v1/customers", map[string]any{"firstName": "", "lastName": "B", "middleName": "C"},
			[]want{{"firstName", "body", "minimum string length is 1"}, {"middleName", "body", "unsupported"}}},
		{"too long", "POST", "/v1/customers", map[string]any{"firstName": strings.Repeat("x", 101), "lastName": "B"},
			[]want{{"firstName", "body", "maximum string length is 100"}}},
		{"wrong type", "POST", "/v1/accounts", map[string]any{"customerId": "12", "currency": "USD", "investmentTypes": "BONDS"},
			[]want{{"customerId", "body", "must be an integer"}}},
		{"enum", "POST", "/v1/accounts", map[string]any{"customerId": 1, "currency": "GBP", "investmentTypes": "GOLD"},
			[]want{{"currency", "body", "allowed values"}, {"investmentTypes", "body", "allowed values"}}},
		{"nothing to update", "PUT", "/v1/customers", map[string]any{"customerId": 1},
			[]want{{"body", "body", "properties"}}},
		{"status enum", "PUT", "/v1/accounts", map[string]any{"accountId": 1, "status": "FROZEN"},
			[]want{{"status", "body", "allowed values"}}},
		{"query range", "GET", "/v1/customers?limit=1001&page=-1", nil,
			[]want{{"page", "query", "at least 0"}, {"limit", "query", "at most 1000"}}},
		{"required query", "GET", "/v1/portfolio", nil,
			[]want{{"customerId", "query", "required"}}},
		{"path type", "GET", "/v1/accounts/abc", nil,
			[]want{{"accountId", "path", "invalid"}}},
		{"path minimum", "GET", "/v1/customers/0", nil,
			[]want{{"customerId", "path", "at least 1"}}},
		{"malformed JSON", "POST", "/v1/customers", `{"firstName":`, []want{{"body", "body", "not valid"}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := b.tenant.Do(t, tc.method, tc.path, tc.body)
			require.Equal(t, http.StatusBadRequest, res.Status, "%s", res.Body)
			var e errorBody
			res.JSON(t, &e)
			require.Equal(t, 400, e.Code)
			require.Len(t, e.Errors, len(tc.want), "%s", res.Body)
			for _, w := range tc.want {
				found := false
				for _, got := range e.Errors {
					if got.Field == w.field && got.In == w.in && strings.Contains(got.Message, w.rule) {
						found = true
					}
				}
				require.True(t, found, "no error for %s in %s containing %q: %s", w.field, w.in, w.rule, res.Body)
				require.Contains(t, e.Message, w.field)
			}
		})
	}
}

func TestProtocolErrorsUseTheSurfaceShape(t *testing.T) {
	t.Parallel()
	env := apitest.Start(t, apitest.Options{MaxBodyBytes: 256})
	tn := env.NewTenant(t, apitest.TenantOptions{})

	res := tn.Do(t, "GET", "/v1/nothing-here", nil)
	require.Equal(t, http.StatusNotFound, res.Status)
	var e errorBody
	res.JSON(t, &e)
	require.Equal(t, 404, e.Code)
	require.Contains(t, e.Message, "no route GET /v1/nothing-here")

	res = tn.Do(t, "DELETE", "/v1/customers", nil)
	require.Equal(t, http.StatusMethodNotAllowed, res.Status)
	require.Equal(t, "GET, POST, PUT", res.Header.Get("Allow"))
	res.JSON(t, &e)
	require.Equal(t, 405, e.Code)

	res = tn.Do(t, "POST", "/v1/customers", map[string]any{"firstName": strings.Repeat("x", 300), "lastName": "B"})
	require.Equal(t, http.StatusRequestEntityTooLarge, res.Status)
	res.JSON(t, &e)
	require.Equal(t, 413, e.Code)
	require.Contains(t, e.Message, "256 bytes")

	res = tn.Env.Do(t, "POST", "/v1/customers", "firstName=A", http.Header{
		"Authorization": {"Bearer " + tn.Token}, "X-Client-Id": {tn.Org.ClientID}, "Content-Type": {"text/plain"},
	})
	require.Equal(t, http.StatusUnsupportedMediaType, res.Status)
	res.JSON(t, &e)
	require.Contains(t, e.Message, "application/json")

	// Nothing was written by any of those.
	require.Empty(t, items(t, tn.Do(t, "GET", "/v1/customers", nil)))

	// Outside /v1, errors are RFC 9457 problem documents.
	res = env.Do(t, "GET", "/nowhere", nil, nil)
	require.Equal(t, http.StatusNotFound, res.Status)
	require.Equal(t, "application/problem+json", res.Header.Get("Content-Type"))
	require.Equal(t, float64(404), res.Map(t)["status"])
}

// TestDatabaseOutageAnswers503: with the database gone, the caller gets a
// 503 with Retry-After that quotes the request id and nothing else, on
// every surface, under an idempotency key too; the log has the cause under
// the same request id.
func TestDatabaseOutageAnswers503(t *testing.T) {
	t.Parallel()
	logs := &apitest.SyncBuffer{}
	env := apitest.Start(t, apitest.Options{Logger: slog.New(slog.NewJSONHandler(logs, nil))})
	tn := env.NewTenant(t, apitest.TenantOptions{Sandbox: true})
	require.NoError(t, env.App.Store.Close())

	res := tn.Do(t, "GET", "/v1/customers", nil)
	require.Equal(t, http.StatusServiceUnavailable, res.Status, "%s %s", res.Body, logs.String())
	require.Equal(t, "2", res.Header.Get("Retry-After"))
	id := res.Header.Get("X-Request-Id")
	require.NotEmpty(t, id)
	var e errorBody
	res.JSON(t, &e)
	require.Equal(t, "the service is temporarily unavailable: its database cannot be reached; retry after 2 seconds; request id "+id, e.Message)
	require.NotContains(t, string(res.Body), "sql")

	for _, c := range []struct{ method, path string }{
		{"POST", "/v1/customers"}, {"GET", "/counterparty"}, {"POST", "/counterparty"}, {"GET", "/applications"}, {"POST", "/applications"},
	} {
		var body any
		if c.method == "POST" {
			body = map[string]any{"/v1/customers": map[string]any{"firstName": "J", "lastName": "B"}, "/counterparty": map[string]any{"name": "N"}, "/applications": map[string]any{"type": "INDIVIDUAL"}}[c.path]
		}
		call := apitest.Call{Header: http.Header{"Idempotency-Key": {"outage-" + c.path}}}
		res := tn.DoWith(t, c.method, c.path, body, call)
		require.Equal(t, http.StatusServiceUnavailable, res.Status, "%s %s: %s", c.method, c.path, res.Body)
		require.Equal(t, "2", res.Header.Get("Retry-After"))
		require.Contains(t, string(res.Body), "request id "+res.Header.Get("X-Request-Id"))
	}
	form := apitest.Call{Header: http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}}
	res = tn.DoWith(t, "POST", "/v1/oauth/token", "clientId="+tn.Org.ClientID+"&clientSecret="+tn.ClientSecret, form)
	require.Equal(t, http.StatusServiceUnavailable, res.Status, "%s", res.Body)
	require.Contains(t, logs.String(), `"request_id":"`+id+`"`)
	require.Contains(t, logs.String(), "database is closed")

	res = env.Do(t, "GET", "/readyz", nil, nil)
	require.Equal(t, http.StatusServiceUnavailable, res.Status)
}
