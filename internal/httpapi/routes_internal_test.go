package httpapi

import (
	"net/http"
	"net/http/httptest"
	"regexp"
	"testing"

	"github.com/getkin/kin-openapi/routers/gorillamux"
	"github.com/labstack/echo/v4"
	"github.com/openvest/openvest/gen/api"
	"github.com/stretchr/testify/require"
)

// TestRouteIndexAgreesWithTheSpecRouter: for every operation of the spec,
// the route Echo matches gives the operation and path parameters the spec
// router finds; where they could differ (an empty parameter, an escaped
// path, no Echo route, a method the path lacks) the index defers to the
// spec router.
func TestRouteIndexAgreesWithTheSpecRouter(t *testing.T) {
	doc, err := Spec()
	require.NoError(t, err)
	doc.Servers = nil
	router, err := gorillamux.NewRouter(doc)
	require.NoError(t, err)
	idx := newRouteIndex(doc)
	e := echo.New()
	api.RegisterHandlers(e, api.NewStrictHandler(&Server{}, nil))
	match := func(method, target string) (echo.Context, *http.Request) {
		req := httptest.NewRequest(method, target, nil)
		c := e.NewContext(req, httptest.NewRecorder())
		e.Router().Find(method, echo.GetPath(req), c)
		return c, req
	}
	param := regexp.MustCompile(`\{[^}]+\}`)
	n := 0
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			for _, value := range []string{"12345", "0b7e2c1a-3f4d-4e5f-8a9b-0c1d2e3f4a5b", "x.y-z_~"} {
				target := param.ReplaceAllString(path, value)
				c, req := match(method, target)
				route, params, ok := idx.find(c)
				require.True(t, ok, "%s %s: the index does not answer", method, target)
				want, wantParams, err := router.FindRoute(req)
				require.NoError(t, err, "%s %s", method, target)
				require.Equal(t, want.Path, route.Path, "%s %s", method, target)
				require.Same(t, want.Operation, route.Operation, "%s %s", method, target)
				require.Equal(t, want.Method, route.Method)
				require.Equal(t, wantParams, params, "%s %s", method, target)
				n++
			}
		}
	}
	require.Greater(t, n, 100)
	for _, c := range []struct{ method, target string }{
		{http.MethodGet, "/v1/customers/"},           // empty parameter
		{http.MethodGet, "/v1/customers/a%2Fb"},      // escaped path
		{http.MethodGet, "/v1/nowhere"},              // no route
		{http.MethodPut, "/v1/customers/12"},         // method not allowed
		{http.MethodGet, "/v1/customers/12/"},        // trailing slash
		{http.MethodGet, "/v1/customers/12/nothing"}, // deeper than any route
	} {
		ctx, _ := match(c.method, c.target)
		_, _, ok := idx.find(ctx)
		require.False(t, ok, "%s %s: the index answers where the spec router decides", c.method, c.target)
	}
}
