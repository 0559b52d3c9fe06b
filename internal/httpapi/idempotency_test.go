package httpapi_test

import (
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/openvest/openvest/internal/apitest"
	"github.com/stretchr/testify/require"
)

func withKey(key string) apitest.Call {
	return apitest.Call{Header: http.Header{"X-Idempotency-Key": {key}}}
}

func TestIdempotentReplay(t *testing.T) {
	t.Parallel()
	b := setup(t)
	body := map[string]any{"firstName": "Jane", "lastName": "Banda"}

	first := b.tenant.DoWith(t, "POST", "/v1/customers", body, withKey("key-1"))
	require.Equal(t, http.StatusCreated, first.Status, "%s", first.Body)
	require.Empty(t, first.Header.Get("Idempotent-Replayed"))

	again := b.tenant.DoWith(t, "POST", "/v1/customers", body, withKey("key-1"))
	require.Equal(t, http.StatusCreated, again.Status)
	require.Equal(t, "true", again.Header.Get("Idempotent-Replayed"))
	require.JSONEq(t, string(first.Body), string(again.Body))
	require.Len(t, items(t, b.tenant.Do(t, "GET", "/v1/customers", nil)), 1, "the retry created nothing")

	// Errors are replayed too.
	missing := map[string]any{"customerId": 999999999, "currency": "USD", "investmentTypes": "INTERNATIONAL_STOCKS"}
	res := b.tenant.DoWith(t, "POST", "/v1/accounts", missing, withKey("key-2"))
	require.Equal(t, http.StatusNotFound, res.Status)
	res = b.tenant.DoWith(t, "POST", "/v1/accounts", missing, withKey("key-2"))
	require.Equal(t, http.StatusNotFound, res.Status)
	require.Equal(t, "true", res.Header.Get("Idempotent-Replayed"))

	// The same key with another body, method or path: 422, and nothing runs.
	res = b.tenant.DoWith(t, "POST", "/v1/customers", map[string]any{"firstName": "Other", "lastName": "Body"}, withKey("key-1"))
	require.Equal(t, http.StatusUnprocessableEntity, res.Status)
	require.Contains(t, res.Map(t)["message"], "was first used for POST /v1/customers")
	res = b.tenant.DoWith(t, "POST", "/v1/portfolio", map[string]any{"customerId": 1, "currency": "USD"}, withKey("key-1"))
	require.Equal(t, http.StatusUnprocessableEntity, res.Status)
	require.Len(t, items(t, b.tenant.Do(t, "GET", "/v1/customers", nil)), 1)

	// Keys are per organization: another one may use the same key.
	other := b.env.NewTenant(t, apitest.TenantOptions{})
	res = other.DoWith(t, "POST", "/v1/customers", body, withKey("key-1"))
	require.Equal(t, http.StatusCreated, res.Status)
	require.Empty(t, res.Header.Get("Idempotent-Replayed"))

	// IETF draft's header name works as well.
	res = b.tenant.DoWith(t, "POST", "/v1/customers", body, apitest.Call{NoIdempotencyKey: true, Header: http.Header{"Idempotency-Key": {"draft-key"}, "X-Idempotency-Key": {"x-key"}}})
	require.Equal(t, http.StatusCreated, res.Status, "%s", res.Body)
}

func TestIdempotencyKeyRequiredOnInvestingMutations(t *testing.T) {
	t.Parallel()
	b := setup(t)
	res := b.tenant.DoWith(t, "POST", "/v1/customers", map[string]any{"firstName": "A", "lastName": "B"}, apitest.Call{NoIdempotencyKey: true})
	require.Equal(t, http.StatusBadRequest, res.Status, "%s", res.Body)
	var e errorBody
	res.JSON(t, &e)
	require.Equal(t, []fieldError{{Field: "X-Idempotency-Key", In: "header", Message: "value is required but missing (send X-Idempotency-Key or X-Idempotency-Id: a UUID per mutation)"}}, e.Errors)
	require.Empty(t, items(t, b.tenant.Do(t, "GET", "/v1/customers", nil)))
	// Token and revoke calls take none.
	require.Equal(t, http.StatusNoContent, b.tenant.Do(t, "POST", "/v1/oauth/revoke", nil).Status)
}

func TestIdempotencyKeysExpire(t *testing.T) {
	t.Parallel()
	var offset atomic.Int64
	now := func() time.Time { return time.Now().Add(time.Duration(offset.Load())) }
	env := apitest.Start(t, apitest.Options{Now: now})
	tn := env.NewTenant(t, apitest.TenantOptions{})
	body := map[string]any{"firstName": "Jane", "lastName": "Banda"}

	require.Equal(t, http.StatusCreated, tn.DoWith(t, "POST", "/v1/customers", body, withKey("k")).Status)
	offset.Store(int64(23 * time.Hour))
	tn.Token = tn.NewToken(t) // tokens last an hour
	res := tn.DoWith(t, "POST", "/v1/customers", body, withKey("k"))
	require.Equal(t, "true", res.Header.Get("Idempotent-Replayed"), "replayed within 24 hours")

	offset.Store(int64(25 * time.Hour))
	tn.Token = tn.NewToken(t)
	res = tn.DoWith(t, "POST", "/v1/customers", body, withKey("k"))
	require.Equal(t, http.StatusCreated, res.Status)
	require.Empty(t, res.Header.Get("Idempotent-Replayed"), "an expired key runs again")
	require.Len(t, items(t, tn.Do(t, "GET", "/v1/customers", nil)), 2)

}

// TestConcurrentRequestsWithOneKey: 50 requests with the same key at once
// create exactly one customer, and all 50 answers agree.
func TestConcurrentRequestsWithOneKey(t *testing.T) {
	t.Parallel()
	b := setup(t)
	body := map[string]any{"firstName": "Jane", "lastName": "Banda"}
	const n = 50
	var (
		wg      sync.WaitGroup
		start   = make(chan struct{})
		answers = make([]apitest.Response, n)
	)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			answers[i] = b.tenant.DoWith(t, "POST", "/v1/customers", body, withKey("one-key"))
		}()
	}
	close(start)
	wg.Wait()
	replays := 0
	for _, a := range answers {
		require.Equal(t, http.StatusCreated, a.Status, "%s", a.Body)
		require.JSONEq(t, string(answers[0].Body), string(a.Body))
		if a.Header.Get("Idempotent-Replayed") == "true" {
			replays++
		}
	}
	require.Equal(t, n-1, replays)
	require.Len(t, items(t, b.tenant.Do(t, "GET", "/v1/customers", nil)), 1)
}
