package httpapi_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/openvest/openvest/internal/apitest"
	"github.com/stretchr/testify/require"
)

// anyFieldError is a field error of any surface (banking says detail, the
// others message).
type anyFieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
	Detail  string `json:"detail"`
}

// requireFieldError requires a 400 in the surface's shape that names field
// with a rule containing rule.
func requireFieldError(t *testing.T, res apitest.Response, field, rule string) {
	t.Helper()
	require.Equal(t, http.StatusBadRequest, res.Status, "%s", res.Body)
	var body struct {
		Errors []anyFieldError `json:"errors"`
	}
	res.JSON(t, &body)
	for _, f := range body.Errors {
		if f.Field == field && strings.Contains(f.Message+f.Detail, rule) {
			return
		}
	}
	require.Failf(t, "the error does not name the field and rule", "want %s: %s in %s", field, rule, res.Body)
}

const (
	nulRule       = "must not contain NUL"
	utf8Rule      = "must be valid UTF-8"
	surrogateRule = "lone UTF-16 surrogate"
)

func TestTextTheDatabaseCannotStoreIsRefused(t *testing.T) {
	t.Parallel()
	env := apitest.Start(t, apitest.Options{})
	tn := env.NewTenant(t, apitest.TenantOptions{Sandbox: true})
	cp := newCounterparty(t, tn, "Text")
	unsigned := apitest.Call{Unsigned: true}
	form := apitest.Call{Unsigned: true, Header: http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}}

	cases := []struct {
		name, method, path string
		body               string
		call               apitest.Call
		field, rule        string
	}{
		{"NUL in a JSON string", "POST", "/v1/customers", `{"firstName":"Ja\u0000ne","lastName":"Banda"}`, unsigned, "firstName", nulRule},
		{"invalid UTF-8 in a JSON string", "POST", "/v1/customers", "{\"firstName\":\"Jane\",\"lastName\":\"B\xffnda\"}", unsigned, "lastName", utf8Rule},
		{"lone surrogate", "POST", "/v1/customers", `{"firstName":"Jane","lastName":"\ud800x"}`, unsigned, "lastName", surrogateRule},
		{"lone low surrogate", "POST", "/v1/customers", `{"firstName":"\udc00","lastName":"x"}`, unsigned, "firstName", surrogateRule},
		{"NUL in a property name", "POST", "/v1/customers", `{"firstName":"J","lastName":"B","a\u0000":1}`, unsigned, `"a\x00"`, nulRule},
		{"NUL in a query value", "GET", "/v1/customers?referenceId=%00", "", unsigned, "referenceId", nulRule},
		{"invalid UTF-8 in a query value", "GET", "/v1/customers?referenceId=%FF", "", unsigned, "referenceId", utf8Rule},
		{"truncated UTF-8 in a query value", "GET", "/v1/customers?referenceId=%C3%28", "", unsigned, "referenceId", utf8Rule},
		{"NUL in a path parameter", "GET", "/v1/instruments/A%00B", "", unsigned, "symbol", nulRule},
		{"invalid UTF-8 in a path parameter", "GET", "/applications/app_%FF", "", unsigned, "id", utf8Rule},
		{"NUL in a form field", "POST", "/v1/oauth/token", "clientId=a%00b&clientSecret=x", form, "clientId", nulRule},
		{"invalid UTF-8 in a form field", "POST", "/v1/oauth/token", "clientId=%FF&clientSecret=x", form, "clientId", utf8Rule},
		{"0xFF in an idempotency key", "POST", "/v1/customers", `{"firstName":"J","lastName":"B"}`,
			apitest.Call{Unsigned: true, Header: http.Header{"X-Idempotency-Key": {"key-\xff"}}}, "X-Idempotency-Key", "visible ASCII"},
		{"wallet: NUL in a name", "POST", "/counterparty", `{"name":"a\u0000"}`, unsigned, "name", nulRule},
		{"wallet: invalid UTF-8 in search_string", "GET", "/counterparty/" + cp + "/customers?search_string=%FF", "", unsigned, "search_string", utf8Rule},
		{"wallet: NUL in logins", "GET", "/counterparty/" + cp + "/customers?logins=a%00", "", unsigned, "logins", nulRule},
		{"banking: NUL in first_name", "POST", "/applications", `{"type":"INDIVIDUAL","individual":{"first_name":"a\u0000"}}`, unsigned, "individual.first_name", nulRule},
		{"banking: surrogate in an array item", "POST", "/applications", `{"type":"CORPORATION","individuals":[{"role":"CONTROLLING_PERSON","first_name":"x"},{"role":"CONTROLLING_PERSON","last_name":"\udfff"}]}`, unsigned, "individuals[1].last_name", surrogateRule},
		{"banking: 0xFF in Idempotency-Key", "POST", "/applications", `{"type":"INDIVIDUAL"}`,
			apitest.Call{Unsigned: true, Header: http.Header{"Idempotency-Key": {"\xff"}}}, "Idempotency-Key", "visible ASCII"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			var body any
			if c.body != "" {
				body = c.body
			}
			requireFieldError(t, tn.DoWith(t, c.method, c.path, body, c.call), c.field, c.rule)
		})
	}
	// Nothing was stored on the way.
	res := tn.Do(t, "GET", "/v1/customers", nil)
	require.Empty(t, items(t, res))
}

func TestMalformedRequestsAreRefused(t *testing.T) {
	t.Parallel()
	env := apitest.Start(t, apitest.Options{})
	tn := env.NewTenant(t, apitest.TenantOptions{Sandbox: true})
	id := createCustomer(t, tn, customerOpts{})
	unsigned := apitest.Call{Unsigned: true}
	form := apitest.Call{Unsigned: true, Header: http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}}
	secret := "clientId=" + tn.Org.ClientID + "&clientSecret=" + tn.ClientSecret

	cases := []struct {
		name, method, path string
		body               string
		call               apitest.Call
		field, rule        string
	}{
		{"bad escape in the query of a form request", "POST", "/v1/oauth/token?zz=%", secret, form, "zz", "malformed percent-escape"},
		{"trailing data after the JSON value", "POST", "/v1/customers", `{"firstName":"J","lastName":"B"}}`, unsigned, "body", "nothing after it"},
		{"a second JSON value", "POST", "/v1/customers", `{"firstName":"J","lastName":"B"} {}`, unsigned, "body", "nothing after it"},
		{"a signed integer path id", "GET", "/v1/customers/+" + path("%d", id), "", unsigned, "customerId", "digits only"},
		{"an unknown form field", "POST", "/v1/oauth/token", secret + "&zzUnknown=1", form, "zzUnknown", "unsupported"},
		{"an empty query value", "GET", "/v1/customers?limit=", "", unsigned, "limit", "must not be empty"},
		{"a malformed escape in a query value", "GET", "/v1/customers?referenceId=a%zz", "", unsigned, "referenceId", "malformed percent-escape"},
		{"an impossible date", "POST", "/applications", `{"type":"INDIVIDUAL","individual":{"date_of_birth":"1990-02-30"}}`, unsigned, "individual.date_of_birth", "calendar date"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			var body any
			if c.body != "" {
				body = c.body
			}
			requireFieldError(t, tn.DoWith(t, c.method, c.path, body, c.call), c.field, c.rule)
		})
	}
	// The well-formed forms of the same requests pass.
	require.Equal(t, http.StatusOK, tn.Do(t, "GET", path("/v1/customers/%d", id), nil).Status)
	require.Equal(t, http.StatusCreated, tn.DoWith(t, "POST", "/v1/oauth/token", secret, form).Status)
	require.Len(t, items(t, tn.Do(t, "GET", "/v1/customers?limit=5", nil)), 1, "only the setup's customer exists")
}
