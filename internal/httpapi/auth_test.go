package httpapi_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/openvest/openvest/internal/apitest"
	"github.com/stretchr/testify/require"
)

func TestTokenIssuedFromFormAndJSON(t *testing.T) {
	t.Parallel()
	b := setup(t)
	tn := b.tenant

	form := url.Values{"clientId": {tn.Org.ClientID}, "clientSecret": {tn.ClientSecret}}.Encode()
	res := tn.DoWith(t, "POST", "/v1/oauth/token", form, apitest.Call{Header: http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}})
	require.Equal(t, http.StatusCreated, res.Status, "%s", res.Body)
	// The documented flat shape, plus the OAuth 2.0 names.
	var tok struct {
		Message      string   `json:"message"`
		TokenID      int64    `json:"tokenId"`
		Token        string   `json:"token"`
		ExpiresIn    int64    `json:"expiresIn"`
		MaxTTL       int64    `json:"maxTTL"`
		TokenType    string   `json:"tokenType"`
		Scope        []string `json:"scope"`
		Organization struct {
			ID       int64  `json:"id"`
			ClientID string `json:"clientId"`
		} `json:"organization"`
		AccessToken string `json:"access_token"`
		OAuthType   string `json:"token_type"`
		OAuthExpiry int64  `json:"expires_in"`
	}
	res.JSON(t, &tok)
	require.NotContains(t, res.Map(t), "data", "not wrapped")
	require.Equal(t, "Created", tok.Message)
	require.Equal(t, int64(3600), tok.ExpiresIn)
	require.Equal(t, int64(86400), tok.MaxTTL)
	require.Equal(t, "Bearer", tok.TokenType)
	require.Equal(t, []string{"read", "write"}, tok.Scope)
	require.Equal(t, tn.Org.ID, tok.Organization.ID)
	require.Equal(t, tn.Org.ClientID, tok.Organization.ClientID)
	require.NotEqual(t, tn.Token, tok.Token)
	require.Equal(t, tok.Token, tok.AccessToken)
	require.Equal(t, "Bearer", tok.OAuthType)
	require.Equal(t, int64(3600), tok.OAuthExpiry)

	res = tn.Do(t, "POST", "/v1/oauth/token", map[string]string{"clientId": tn.Org.ClientID, "clientSecret": tn.ClientSecret})
	require.Equal(t, http.StatusCreated, res.Status, "%s", res.Body)

	// Either token works.
	res = tn.DoWith(t, "GET", "/v1/customers", nil, apitest.Call{Header: http.Header{"Authorization": {"Bearer " + tok.Token}}})
	require.Equal(t, http.StatusOK, res.Status)
}

func TestTokenRefusedForWrongCredentials(t *testing.T) {
	t.Parallel()
	b := setup(t)
	for _, creds := range []map[string]string{
		{"clientId": b.tenant.Org.ClientID, "clientSecret": "wrong"},
		{"clientId": "ov_client_unknown", "clientSecret": b.tenant.ClientSecret},
	} {
		res := b.tenant.Do(t, "POST", "/v1/oauth/token", creds)
		require.Equal(t, http.StatusUnauthorized, res.Status)
		require.Contains(t, res.Map(t)["message"], "invalid client credentials")
	}
}

func TestAuthenticationFailuresSayWhy(t *testing.T) {
	t.Parallel()
	b := setup(t)
	other := b.env.NewTenant(t, apitest.TenantOptions{})
	cases := []struct {
		name   string
		header http.Header
		want   string
	}{
		{"no token", http.Header{"X-Client-Id": {b.tenant.Org.ClientID}}, "missing bearer token"},
		{"unknown token", http.Header{"Authorization": {"Bearer nope"}, "X-Client-Id": {b.tenant.Org.ClientID}}, "not valid"},
		{"no client id", http.Header{"Authorization": {"Bearer " + b.tenant.Token}}, "missing X-Client-Id"},
		{"another client's id", http.Header{"Authorization": {"Bearer " + b.tenant.Token}, "X-Client-Id": {other.Org.ClientID}}, "does not match"},
	}
	for _, tc := range cases {
		res := b.env.Do(t, "GET", "/v1/customers", nil, tc.header)
		require.Equal(t, http.StatusUnauthorized, res.Status, tc.name)
		require.Contains(t, res.Map(t)["message"], tc.want, tc.name)
	}
	// Authentication comes before validation: an invalid body without a
	// token is a 401, not a 400.
	res := b.env.Do(t, "POST", "/v1/customers", map[string]any{"nope": true}, nil)
	require.Equal(t, http.StatusUnauthorized, res.Status)
}

func TestRevokeToken(t *testing.T) {
	t.Parallel()
	b := setup(t)
	tn := b.tenant
	second := b.env.NewTenant(t, apitest.TenantOptions{})

	// Another organization's token id is not found.
	res := tn.Do(t, "POST", "/v1/oauth/revoke?accessTokenId="+tokenID(t, second), nil)
	require.Equal(t, http.StatusNotFound, res.Status, "%s", res.Body)

	// Revoke a second token of our own by id; ours still works.
	res = tn.Do(t, "POST", "/v1/oauth/token", map[string]string{"clientId": tn.Org.ClientID, "clientSecret": tn.ClientSecret})
	var tok struct {
		TokenID int64  `json:"tokenId"`
		Token   string `json:"token"`
	}
	res.JSON(t, &tok)
	res = tn.Do(t, "POST", path("/v1/oauth/revoke?accessTokenId=%d", tok.TokenID), nil)
	require.Equal(t, http.StatusNoContent, res.Status, "%s", res.Body)
	res = tn.DoWith(t, "GET", "/v1/customers", nil, apitest.Call{Header: http.Header{"Authorization": {"Bearer " + tok.Token}}})
	require.Equal(t, http.StatusUnauthorized, res.Status)
	require.Contains(t, res.Map(t)["message"], "revoked")
	require.Equal(t, http.StatusOK, tn.Do(t, "GET", "/v1/customers", nil).Status)

	// Revoke our own token (no id): it stops working.
	require.Equal(t, http.StatusNoContent, tn.Do(t, "POST", "/v1/oauth/revoke", nil).Status)
	res = tn.Do(t, "GET", "/v1/customers", nil)
	require.Equal(t, http.StatusUnauthorized, res.Status)
	// The other organization's token was not touched.
	require.Equal(t, http.StatusOK, second.Do(t, "GET", "/v1/customers", nil).Status)
}

// tokenID returns the id of the tenant's token, by issuing and reading a
// fresh one (the id is only visible at issue time).
func tokenID(t *testing.T, tn *apitest.Tenant) string {
	t.Helper()
	res := tn.Do(t, "POST", "/v1/oauth/token", map[string]string{"clientId": tn.Org.ClientID, "clientSecret": tn.ClientSecret})
	require.Equal(t, http.StatusCreated, res.Status)
	var tok struct {
		TokenID int64 `json:"tokenId"`
	}
	res.JSON(t, &tok)
	return path("%d", tok.TokenID)
}
