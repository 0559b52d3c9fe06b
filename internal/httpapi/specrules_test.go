package httpapi_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/openvest/openvest/gen/spec"
	"github.com/openvest/openvest/internal/apitest"
	"github.com/openvest/openvest/internal/httpapi"
	"github.com/stretchr/testify/require"
)

// Rules the code enforces that the spec states (issue 10, item 4).
func TestSpecAndCodeAgreeOnBounds(t *testing.T) {
	t.Parallel()
	env := apitest.Start(t, apitest.Options{})
	tn := env.NewTenant(t, apitest.TenantOptions{Sandbox: true})

	t.Run("advancing the clock by 0 days runs what is due", func(t *testing.T) {
		res := tn.Do(t, "POST", "/v1/sandbox/clock/advance", map[string]any{"days": 0})
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		require.Equal(t, float64(0), res.Map(t)["data"].(map[string]any)["offsetSeconds"])
		requireFieldError(t, tn.Do(t, "POST", "/v1/sandbox/clock/advance", map[string]any{"days": 1830, "seconds": 86400}), "days", "at most 5 years")
	})
	t.Run("dates of birth from 1900", func(t *testing.T) {
		res := tn.Do(t, "POST", "/applications", map[string]any{"type": "INDIVIDUAL", "individual": map[string]any{"date_of_birth": "1899-12-31"}})
		requireFieldError(t, res, "individual.date_of_birth", "between 1900-01-01 and today")
		res = tn.Do(t, "POST", "/applications", map[string]any{"type": "INDIVIDUAL", "individual": map[string]any{"date_of_birth": "1900-01-01"}})
		require.Equal(t, http.StatusCreated, res.Status, "%s", res.Body)
	})
	t.Run("wallet amounts up to the largest Stellar amount, exactly", func(t *testing.T) {
		cp := newCounterparty(t, tn, "Bounds")
		body := func(v string) map[string]any {
			return map[string]any{"asset_code": "ZMWT", "asset_issuer": usdcIssuer, "balance_allowed": json.Number(v)}
		}
		res := tn.Do(t, "POST", "/counterparty/"+cp+"/customers", body("922337203685.4775807"))
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		requireFieldError(t, tn.Do(t, "POST", "/counterparty/"+cp+"/customers", body("922337203685.4775808")), "balance_allowed", "at most 922337203685.4775807")
		requireFieldError(t, tn.Do(t, "GET", "/counterparty/"+cp+"/customers?max_balance_allowed=1e40", nil), "max_balance_allowed", "at most 922337203685.4775807")
		res = tn.Do(t, "GET", "/counterparty/"+cp+"/customers?min_balance_allowed=922337203685.4775807", nil)
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		require.Equal(t, float64(1), res.Map(t)["total"])
	})
}

// TestSpecFromJSONIsTheYAML: the document the server parses (its JSON form)
// is the bundled YAML, operation for operation and schema for schema.
func TestSpecFromJSONIsTheYAML(t *testing.T) {
	t.Parallel()
	fromYAML, err := openapi3.NewLoader().LoadFromData(spec.YAML)
	require.NoError(t, err)
	fromJSON, err := httpapi.Spec()
	require.NoError(t, err)
	want, err := fromYAML.MarshalJSON()
	require.NoError(t, err)
	got, err := fromJSON.MarshalJSON()
	require.NoError(t, err)
	require.JSONEq(t, string(want), string(got))
}
