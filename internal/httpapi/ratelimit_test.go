package httpapi_test

import (
	"context"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/openvest/openvest/internal/apitest"
	"github.com/openvest/openvest/internal/config"
	"github.com/stretchr/testify/require"
)

// from is a client whose connections come from a loopback address of its
// own (127.0.0.0/8 is all loopback), so that tests can act as several
// source addresses; every response is checked against the spec.
func from(t *testing.T, ip string) *http.Client {
	t.Helper()
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}}
	base := &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		return d.DialContext(ctx, network, addr)
	}}
	t.Cleanup(base.CloseIdleConnections)
	return &http.Client{Transport: apitest.NewValidatingTransport(t, base)}
}

func tokenCall(t *testing.T, c *http.Client, env *apitest.Env, clientID, secret string) *http.Response {
	t.Helper()
	form := url.Values{"clientId": {clientID}, "clientSecret": {secret}}
	req, err := http.NewRequest("POST", env.Server.URL+"/v1/oauth/token", strings.NewReader(form.Encode()))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	res, err := c.Do(req)
	require.NoError(t, err)
	require.NoError(t, res.Body.Close())
	return res
}

func bearerCall(t *testing.T, c *http.Client, env *apitest.Env, clientID, token string) *http.Response {
	t.Helper()
	req, err := http.NewRequest("GET", env.Server.URL+"/v1/customers", nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("X-Client-Id", clientID)
	res, err := c.Do(req)
	require.NoError(t, err)
	require.NoError(t, res.Body.Close())
	return res
}

// untilLimited sends calls until one answers 429 and returns how many did
// not (bounded: it fails after max calls).
func untilLimited(t *testing.T, max int, call func() *http.Response) int {
	t.Helper()
	for i := 0; i < max; i++ {
		res := call()
		if res.StatusCode == http.StatusTooManyRequests {
			require.NotEmpty(t, res.Header.Get("Retry-After"))
			return i
		}
		require.Equal(t, http.StatusUnauthorized, res.StatusCode)
	}
	require.FailNow(t, "no 429", "after %d calls", max)
	return 0
}

func TestWrongSecretsAreRateLimited(t *testing.T) {
	t.Parallel()
	env := apitest.Start(t, apitest.Options{RateLimits: &config.RateLimits{TokenPerMinute: 1000, AuthFailuresPerMinute: 5}})
	a := env.NewTenant(t, apitest.TenantOptions{Sandbox: true})
	b := env.NewTenant(t, apitest.TenantOptions{Sandbox: true})

	// Brute force from one address: 5 wrong secrets are checked, then 429.
	attacker := from(t, "127.0.0.2")
	require.Equal(t, 5, untilLimited(t, 50, func() *http.Response { return tokenCall(t, attacker, env, a.Org.ClientID, "wrong") }))
	// The address is refused even with the right secret.
	require.Equal(t, http.StatusTooManyRequests, tokenCall(t, attacker, env, a.Org.ClientID, a.ClientSecret).StatusCode)
	// So is the client id from another address; another client id is not.
	other := from(t, "127.0.0.3")
	require.Equal(t, http.StatusTooManyRequests, tokenCall(t, other, env, a.Org.ClientID, a.ClientSecret).StatusCode)
	require.Equal(t, http.StatusCreated, tokenCall(t, other, env, b.Org.ClientID, b.ClientSecret).StatusCode)

	// Unknown client ids count against the address the same way.
	guesser := from(t, "127.0.0.4")
	require.Equal(t, 5, untilLimited(t, 50, func() *http.Response { return tokenCall(t, guesser, env, "ov_client_unknown", "wrong") }))

	// Invalid bearer tokens count against the address, not the client id
	// (which the caller sets): b's own calls still pass from elsewhere.
	prober := from(t, "127.0.0.5")
	require.Equal(t, 5, untilLimited(t, 50, func() *http.Response { return bearerCall(t, prober, env, b.Org.ClientID, "ov_at_guess") }))
	require.Equal(t, http.StatusTooManyRequests, bearerCall(t, prober, env, b.Org.ClientID, b.Token).StatusCode)
	require.Equal(t, http.StatusOK, bearerCall(t, from(t, "127.0.0.6"), env, b.Org.ClientID, b.Token).StatusCode)
}

func TestTokenCallsAndOrganizationRequestsAreRateLimited(t *testing.T) {
	t.Parallel()
	env := apitest.Start(t, apitest.Options{RateLimits: &config.RateLimits{TokenPerMinute: 3, AuthFailuresPerMinute: 100, OrgPerSecond: 0.001, OrgBurst: 3}})
	tn := env.NewTenant(t, apitest.TenantOptions{Sandbox: true}) // one token call and
	c := from(t, "127.0.0.7")
	require.Equal(t, http.StatusCreated, tokenCall(t, c, env, tn.Org.ClientID, tn.ClientSecret).StatusCode)
	require.Equal(t, http.StatusCreated, tokenCall(t, c, env, tn.Org.ClientID, tn.ClientSecret).StatusCode)
	res := tokenCall(t, c, env, tn.Org.ClientID, tn.ClientSecret)
	require.Equal(t, http.StatusTooManyRequests, res.StatusCode, "the client id's three token calls are spent")
	require.NotEmpty(t, res.Header.Get("Retry-After"))

	// The organization's requests: a burst of 3, then 429 in the surface's shape.
	for range 3 {
		require.Equal(t, http.StatusOK, tn.Do(t, "GET", "/v1/customers", nil).Status)
	}
	res2 := tn.Do(t, "GET", "/counterparty", nil)
	e := requireWalletError(t, res2, http.StatusTooManyRequests, "TOO_MANY_REQUESTS")
	require.Contains(t, e.Message, "requests for this organization")
	require.NotEmpty(t, res2.Header.Get("Retry-After"))
}
