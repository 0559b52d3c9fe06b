package httpapi_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/openvest/openvest/internal/apitest"
	"github.com/openvest/openvest/internal/testdb"
	"github.com/stretchr/testify/require"
)

func TestMain(m *testing.M) { testdb.Main(m, "httpapi") }

// bundle is what most tests need: a running server and one tenant.
type bundle struct {
	env    *apitest.Env
	tenant *apitest.Tenant
}

func setup(t *testing.T) bundle {
	t.Helper()
	env := apitest.Start(t, apitest.Options{})
	return bundle{env: env, tenant: env.NewTenant(t, apitest.TenantOptions{})}
}

type customerOpts struct {
	FirstName, LastName, ReferenceID string
}

// createCustomer creates a customer through the API and returns its id.
func createCustomer(t testing.TB, tn *apitest.Tenant, o customerOpts) int64 {
	t.Helper()
	if o.FirstName == "" {
		o.FirstName = "Jane"
	}
	if o.LastName == "" {
		o.LastName = "Banda"
	}
	body := map[string]any{"firstName": o.FirstName, "lastName": o.LastName}
	if o.ReferenceID != "" {
		body["referenceId"] = o.ReferenceID
	}
	res := tn.Do(t, http.MethodPost, "/v1/customers", body)
	require.Equal(t, http.StatusCreated, res.Status, "%s", res.Body)
	var out struct {
		Data struct {
			CustomerID int64 `json:"customerId"`
		} `json:"data"`
	}
	res.JSON(t, &out)
	return out.Data.CustomerID
}

// items returns the data array of a list response.
func items(t *testing.T, res apitest.Response) []map[string]any {
	t.Helper()
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	var out struct {
		Data []map[string]any `json:"data"`
	}
	res.JSON(t, &out)
	return out.Data
}

func path(format string, args ...any) string { return fmt.Sprintf(format, args...) }
