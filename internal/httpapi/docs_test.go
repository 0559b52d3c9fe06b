package httpapi_test

import (
	"net/http"
	"testing"

	"github.com/openvest/openvest/internal/apitest"
	"github.com/stretchr/testify/require"
)

// TestDocsPageLoadsOpenvestScript: /docs/ loads openvest.js (from the
// binary) and hands Swagger UI its interceptors and plugin, with the
// authorization persisted. make test-ui drives the page itself.
func TestDocsPageLoadsOpenvestScript(t *testing.T) {
	t.Parallel()
	env := apitest.Start(t, apitest.Options{})
	page := env.Do(t, http.MethodGet, "/docs/", nil, nil)
	require.Equal(t, http.StatusOK, page.Status)
	body := string(page.Body)
	for _, want := range []string{
		`<script src="/docs/openvest.js"></script>`,
		"persistAuthorization: true",
		"requestInterceptor: openvest.requestInterceptor",
		"responseInterceptor: openvest.responseInterceptor",
		"openvest.plugin]",
		`"swaggerJsonUrl":"/openapi.json"`,
	} {
		require.Contains(t, body, want)
	}
	js := env.Do(t, http.MethodGet, "/docs/openvest.js", nil, nil)
	require.Equal(t, http.StatusOK, js.Status)
	require.Contains(t, js.Header.Get("Content-Type"), "javascript")
	require.Contains(t, string(js.Body), "window.openvest = ov")
	// Swagger UI's own assets still come from the binary.
	css := env.Do(t, http.MethodGet, "/docs/swagger-ui-bundle.js", nil, nil)
	require.Equal(t, http.StatusOK, css.Status)
}
