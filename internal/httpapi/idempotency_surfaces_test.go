package httpapi_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/openvest/openvest/internal/apitest"
	"github.com/stretchr/testify/require"
)

// The idempotency key has the same limits, errors and replay on every
// surface (issue 10, item 5).
func TestIdempotencyKeyOnEverySurface(t *testing.T) {
	t.Parallel()
	env := apitest.Start(t, apitest.Options{})
	tn := env.NewTenant(t, apitest.TenantOptions{Sandbox: true})
	long := strings.Repeat("k", 300)

	for _, c := range []struct {
		path, header string
		body, other  map[string]any
	}{
		{"/v1/customers", "X-Idempotency-Key", map[string]any{"firstName": "J", "lastName": "B"}, map[string]any{"firstName": "J", "lastName": "C"}},
		{"/counterparty", "Idempotency-Key", map[string]any{"name": "Keys"}, map[string]any{"name": "Other"}},
		{"/applications", "Idempotency-Key", map[string]any{"type": "INDIVIDUAL"}, map[string]any{"type": "CORPORATION"}},
	} {
		t.Run(c.path, func(t *testing.T) {
			t.Parallel()
			for _, h := range []string{"X-Idempotency-Key", "Idempotency-Key"} {
				res := tn.DoWith(t, "POST", c.path, c.body, apitest.Call{Header: http.Header{h: {long}}, NoIdempotencyKey: true})
				requireFieldError(t, res, h, "at most 255 characters")
				res = tn.DoWith(t, "POST", c.path, c.body, apitest.Call{Header: http.Header{h: {"has space"}}, NoIdempotencyKey: true})
				requireFieldError(t, res, h, "visible ASCII")
			}
			key := http.Header{c.header: {"same-key" + strings.ReplaceAll(c.path, "/", "-")}}
			first := tn.DoWith(t, "POST", c.path, c.body, apitest.Call{Header: key, NoIdempotencyKey: true})
			require.Less(t, first.Status, 300, "%s", first.Body)
			again := tn.DoWith(t, "POST", c.path, c.body, apitest.Call{Header: key, NoIdempotencyKey: true})
			require.Equal(t, first.Status, again.Status)
			require.Equal(t, "true", again.Header.Get("Idempotent-Replayed"))
			require.JSONEq(t, string(first.Body), string(again.Body))
			res := tn.DoWith(t, "POST", c.path, c.other, apitest.Call{Header: key, NoIdempotencyKey: true})
			require.Equal(t, http.StatusUnprocessableEntity, res.Status, "%s", res.Body)
			require.Contains(t, string(res.Body), "different request")
		})
	}
}

// A caller's X-Request-Id is echoed when it is short visible ASCII and
// replaced otherwise (issue 10, item 6).
func TestCallersRequestIDIsKeptOnlyWhenSafe(t *testing.T) {
	t.Parallel()
	env := apitest.Start(t, apitest.Options{})
	tn := env.NewTenant(t, apitest.TenantOptions{Sandbox: true})
	get := func(id string) string {
		res := tn.DoWith(t, "GET", "/v1/customers", nil, apitest.Call{Header: http.Header{"X-Request-Id": {id}}})
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		return res.Header.Get("X-Request-Id")
	}
	require.Equal(t, "trace-123", get("trace-123"))
	require.Equal(t, strings.Repeat("a", 128), get(strings.Repeat("a", 128)))
	for _, bad := range []string{strings.Repeat("a", 129), "has space", "caf\xc3\xa9", "\xff"} {
		got := get(bad)
		require.NotEqual(t, bad, got)
		require.Len(t, got, 24, "one of ours")
	}
}
