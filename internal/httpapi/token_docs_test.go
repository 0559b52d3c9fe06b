package httpapi_test

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/openvest/openvest/internal/apitest"
	"github.com/openvest/openvest/internal/webhook"
	"github.com/stretchr/testify/require"
)

var formHeader = http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}

// TestTokenOAuth2ClientCredentials: the RFC 6749 §4.4 grant, with the
// credentials in the body or in HTTP Basic authentication, answers a
// token that works, with access_token, token_type and expires_in.
func TestTokenOAuth2ClientCredentials(t *testing.T) {
	t.Parallel()
	b := setup(t)
	tn := b.tenant
	check := func(res apitest.Response) {
		t.Helper()
		require.Equal(t, http.StatusCreated, res.Status, "%s", res.Body)
		m := res.Map(t)
		require.Equal(t, "Bearer", m["token_type"])
		require.EqualValues(t, 3600, m["expires_in"])
		require.Equal(t, m["token"], m["access_token"])
		got := tn.DoWith(t, "GET", "/v1/customers", nil, apitest.Call{Header: http.Header{"Authorization": {"Bearer " + m["access_token"].(string)}}})
		require.Equal(t, http.StatusOK, got.Status, "%s", got.Body)
	}
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {tn.Org.ClientID}, "client_secret": {tn.ClientSecret}}.Encode()
	check(tn.DoWith(t, "POST", "/v1/oauth/token", form, apitest.Call{Header: formHeader}))

	basic := "Basic " + base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(tn.Org.ClientID)+":"+url.QueryEscape(tn.ClientSecret)))
	check(tn.DoWith(t, "POST", "/v1/oauth/token", "grant_type=client_credentials", apitest.Call{Header: http.Header{
		"Content-Type": {"application/x-www-form-urlencoded"}, "Authorization": {basic}}}))

	// Wrong Basic credentials: 401; another grant type: 400 naming it; none: 400 naming both fields.
	wrong := "Basic " + base64.StdEncoding.EncodeToString([]byte(tn.Org.ClientID+":nope"))
	res := tn.DoWith(t, "POST", "/v1/oauth/token", "grant_type=client_credentials", apitest.Call{Header: http.Header{
		"Content-Type": {"application/x-www-form-urlencoded"}, "Authorization": {wrong}}})
	require.Equal(t, http.StatusUnauthorized, res.Status, "%s", res.Body)
	res = tn.DoWith(t, "POST", "/v1/oauth/token", "grant_type=password&client_id=a&client_secret=b", apitest.Call{Header: formHeader})
	require.Equal(t, http.StatusBadRequest, res.Status, "%s", res.Body)
	require.Contains(t, res.Map(t)["message"], "grant_type")
	res = tn.DoWith(t, "POST", "/v1/oauth/token", "grant_type=client_credentials", apitest.Call{Header: formHeader})
	require.Equal(t, http.StatusBadRequest, res.Status, "%s", res.Body)
	var e errorBody
	res.JSON(t, &e)
	require.Equal(t, []string{"clientId", "clientSecret"}, []string{e.Errors[0].Field, e.Errors[1].Field})
}

// TestLegacyAuthPaths: the old POST /v1/auth answers the old wrapped shape,
// and DELETE /v1/auth?accessTokenId= revokes.
func TestLegacyAuthPaths(t *testing.T) {
	t.Parallel()
	b := setup(t)
	tn := b.tenant
	form := url.Values{"clientId": {tn.Org.ClientID}, "clientSecret": {tn.ClientSecret}}.Encode()
	res := tn.DoWith(t, "POST", "/v1/auth", form, apitest.Call{Header: formHeader})
	require.Equal(t, http.StatusCreated, res.Status, "%s", res.Body)
	var old struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
		Data    struct {
			AccessTokenID int64    `json:"accessTokenId"`
			AccessToken   string   `json:"accessToken"`
			ExpiresIn     int64    `json:"expiresIn"`
			MaxTTL        int64    `json:"maxTTL"`
			Type          string   `json:"type"`
			Scope         []string `json:"scope"`
			TrustedIps    []string `json:"trustedIps"`
			CreatedAt     int64    `json:"createdAt"`
			UpdatedAt     int64    `json:"updatedAt"`
		} `json:"data"`
	}
	res.JSON(t, &old)
	require.Equal(t, 201, old.Code)
	require.Equal(t, "Created", old.Message)
	require.Equal(t, "Bearer", old.Data.Type)
	require.Equal(t, []string{"read", "write"}, old.Data.Scope)
	require.Equal(t, int64(3600), old.Data.ExpiresIn)
	require.NotEmpty(t, old.Data.AccessToken)
	require.NotZero(t, old.Data.CreatedAt)
	bearer := apitest.Call{Header: http.Header{"Authorization": {"Bearer " + old.Data.AccessToken}}}
	require.Equal(t, http.StatusOK, tn.DoWith(t, "GET", "/v1/customers", nil, bearer).Status)

	res = tn.Do(t, "DELETE", path("/v1/auth?accessTokenId=%d", old.Data.AccessTokenID), nil)
	require.Equal(t, http.StatusNoContent, res.Status, "%s", res.Body)
	res = tn.DoWith(t, "GET", "/v1/customers", nil, bearer)
	require.Equal(t, http.StatusUnauthorized, res.Status)
	require.Contains(t, res.Map(t)["message"], "revoked")
}

// TestAuthEvents: a token's creation and its revocation are recorded as
// AUTH.CREATED and AUTH.DELETED (once, without the secret) for a webhook
// that takes them (only the events some webhook takes are recorded).
func TestAuthEvents(t *testing.T) {
	t.Parallel()
	b := setup(t)
	tn := b.tenant
	hook := webhook.Webhook{OrganizationID: tn.Org.ID, URL: "https://hooks.example.com/auth", Subscriptions: []string{"AUTH"},
		Status: webhook.Active, CreatedAt: time.Now(), UpdatedAt: time.Now()}
	require.NoError(t, b.env.App.Store.Webhooks().CreateWebhook(t.Context(), &hook)) // its deliveries are never run: no job queue here
	res := tn.Do(t, "POST", "/v1/oauth/token", map[string]string{"clientId": tn.Org.ClientID, "clientSecret": tn.ClientSecret})
	require.Equal(t, http.StatusCreated, res.Status, "%s", res.Body)
	tok := res.Map(t)
	id := tok["tokenId"]
	for range 2 { // the second revocation changes nothing and emits nothing
		require.Equal(t, http.StatusNoContent, tn.Do(t, "POST", path("/v1/oauth/revoke?accessTokenId=%v", id), nil).Status)
	}
	type event struct {
		Name string
		Data string
	}
	var events []event
	require.NoError(t, b.env.App.Store.DB.Table("webhook_events").Select("name, CAST(data AS text) AS data").
		Where("organization_id = ? AND name LIKE 'AUTH.%'", tn.Org.ID).Order("created_at, name").Scan(&events).Error)
	var created, deleted []map[string]any
	for _, e := range events {
		var d map[string]any
		require.NoError(t, json.Unmarshal([]byte(e.Data), &d))
		require.NotContains(t, e.Data, tok["token"], "never the secret")
		switch e.Name {
		case "AUTH.CREATED":
			created = append(created, d)
		case "AUTH.DELETED":
			deleted = append(deleted, d)
		}
	}
	require.Len(t, created, 1, "this token (NewTenant's was issued before the webhook)")
	require.EqualValues(t, id, created[0]["tokenId"])
	require.Len(t, deleted, 1)
	require.EqualValues(t, id, deleted[0]["tokenId"])
	require.NotNil(t, deleted[0]["revokedAt"])
	require.Equal(t, tn.Org.ClientID, deleted[0]["organization"].(map[string]any)["clientId"])
}
