package httpapi_test

import (
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/openvest/openvest/internal/apitest"
	"github.com/openvest/openvest/internal/httpapi"
	"github.com/stretchr/testify/require"
)

// infraRoutes are served outside the spec on purpose.
var infraRoutes = map[string]bool{
	"GET /openapi.json": true, "GET /openapi.yaml": true, "GET /docs": true, "GET /docs/*": true,
	"GET /healthz": true, "GET /readyz": true, "GET /metrics": true, "GET /inspector": true,
}

// TestRoutesMatchSpec fails when the router has a route the spec lacks, or
// the spec an operation the router lacks.
func TestRoutesMatchSpec(t *testing.T) {
	t.Parallel()
	env := apitest.Start(t, apitest.Options{})
	e, err := env.App.Handler()
	require.NoError(t, err)

	var routes []string
	for _, r := range e.Routes() {
		key := r.Method + " " + r.Path
		if infraRoutes[key] || strings.HasPrefix(r.Method, "echo_") || r.Path == "" {
			continue
		}
		routes = append(routes, key)
	}

	doc, err := httpapi.Spec()
	require.NoError(t, err)
	param := regexp.MustCompile(`\{([^}]+)\}`)
	var ops []string
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			ops = append(ops, method+" "+param.ReplaceAllString(path, ":$1"))
		}
	}
	sort.Strings(routes)
	sort.Strings(ops)
	require.NotEmpty(t, ops)
	require.Equal(t, ops, routes, "the Echo routes and the spec's operations differ")
}

func TestInfrastructureEndpoints(t *testing.T) {
	t.Parallel()
	env := apitest.Start(t, apitest.Options{})
	for _, tc := range []struct {
		path, contains string
	}{
		{"/healthz", `"ok"`},
		{"/readyz", `"ready"`},
		{"/openapi.json", `"openapi":"3.0.3"`},
		{"/openapi.yaml", "openapi: 3.0.3"},
		{"/docs/", "swagger-ui"},
		{"/metrics", "go_goroutines"},
	} {
		res := env.Do(t, "GET", tc.path, nil, nil)
		require.Equal(t, 200, res.Status, tc.path)
		require.Contains(t, string(res.Body), tc.contains, tc.path)
	}
	// Swagger UI's assets come from the binary, not a CDN.
	res := env.Do(t, "GET", "/docs/", nil, nil)
	require.NotContains(t, string(res.Body), "unpkg.com")
	require.NotContains(t, string(res.Body), "cdn.jsdelivr")
}
