package httpapi_test

import (
	"net/http"
	"testing"

	"github.com/openvest/openvest/internal/apitest"
	"github.com/stretchr/testify/require"
)

// TestIdempotencyIdHeader: the vendor's endpoint pages send the key as
// X-Idempotency-Id; it replays, conflicts and is required exactly like
// X-Idempotency-Key.
func TestIdempotencyIdHeader(t *testing.T) {
	t.Parallel()
	b := setup(t)
	withID := func(key string) apitest.Call {
		return apitest.Call{NoIdempotencyKey: true, Header: http.Header{"X-Idempotency-Id": {key}}}
	}
	body := map[string]any{"firstName": "Jane", "lastName": "Banda"}
	first := b.tenant.DoWith(t, "POST", "/v1/customers", body, withID("id-1"))
	require.Equal(t, http.StatusCreated, first.Status, "%s", first.Body)
	require.Empty(t, first.Header.Get("Idempotent-Replayed"))

	again := b.tenant.DoWith(t, "POST", "/v1/customers", body, withID("id-1"))
	require.Equal(t, http.StatusCreated, again.Status)
	require.Equal(t, "true", again.Header.Get("Idempotent-Replayed"))
	require.JSONEq(t, string(first.Body), string(again.Body))

	// The same key under the current name is the same key.
	res := b.tenant.DoWith(t, "POST", "/v1/customers", body, withKey("id-1"))
	require.Equal(t, "true", res.Header.Get("Idempotent-Replayed"))

	// Another body with the key: 422, nothing created.
	res = b.tenant.DoWith(t, "POST", "/v1/customers", map[string]any{"firstName": "Other", "lastName": "Body"}, withID("id-1"))
	require.Equal(t, http.StatusUnprocessableEntity, res.Status, "%s", res.Body)
	require.Len(t, items(t, b.tenant.Do(t, "GET", "/v1/customers", nil)), 1)
}

// TestIdempotencyHeaderCoveredUnderItsName: a signature covers the key
// under the name the client sent; one that leaves it out, or a changed
// value, is refused.
func TestIdempotencyHeaderCoveredUnderItsName(t *testing.T) {
	t.Parallel()
	b := setup(t)
	body := map[string]any{"firstName": "Jane", "lastName": "Banda"}
	res := b.tenant.DoWith(t, "POST", "/v1/customers", body, apitest.Call{NoIdempotencyKey: true,
		Header: http.Header{"X-Idempotency-Id": {"signed-id"}},
		Tamper: func(r *http.Request) { r.Header.Set("X-Idempotency-Id", "changed") }})
	require.Equal(t, http.StatusUnauthorized, res.Status, "%s", res.Body)

	signer := b.tenant.Signer()
	signer.Components = []string{"@method", "@target-uri", "@path", "content-type", "content-digest", "content-length", "authorization", "x-client-id"}
	res = b.tenant.DoWith(t, "POST", "/v1/customers", body, apitest.Call{NoIdempotencyKey: true, Signer: signer,
		Header: http.Header{"X-Idempotency-Id": {"uncovered-id"}}})
	require.Equal(t, http.StatusUnauthorized, res.Status, "%s", res.Body)
	require.Contains(t, res.Map(t)["message"], "x-idempotency-id")
	require.Empty(t, items(t, b.tenant.Do(t, "GET", "/v1/customers", nil)))
}

// TestBankingIdempotencyHeader: the banking vendor's x-l2f-idempotency-id
// replays like the others.
func TestBankingIdempotencyHeader(t *testing.T) {
	t.Parallel()
	_, tn := sandboxTenant(t)
	call := apitest.Call{NoIdempotencyKey: true, Header: http.Header{"X-L2f-Idempotency-Id": {"rail-1"}}}
	first := tn.DoWith(t, "POST", "/applications", individualApplication("Doe"), call)
	require.Equal(t, http.StatusCreated, first.Status, "%s", first.Body)
	again := tn.DoWith(t, "POST", "/applications", individualApplication("Doe"), call)
	require.Equal(t, http.StatusCreated, again.Status, "%s", again.Body)
	require.Equal(t, "true", again.Header.Get("Idempotent-Replayed"))
	require.JSONEq(t, string(first.Body), string(again.Body))
	res := tn.DoWith(t, "POST", "/applications", individualApplication("Other"), call)
	require.Equal(t, http.StatusUnprocessableEntity, res.Status, "%s", res.Body)
}
