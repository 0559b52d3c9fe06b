package httpapi

import (
	"net/http"
	"sort"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
)

// corsAllowHeaders are the request headers a cross-origin caller may send:
// authentication, signatures, digests and idempotency keys.
var corsAllowHeaders = []string{
	"Authorization", "X-Client-Id", "Signature", "Signature-Input", "Content-Digest",
	"X-Idempotency-Key", "X-Idempotency-Id", "Idempotency-Key", "Content-Type",
}

// corsExposeHeaders are the response headers a cross-origin page may read.
var corsExposeHeaders = []string{
	"Idempotent-Replayed", "X-Request-Id", "Retry-After",
	"RateLimit", "RateLimit-Policy", "RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset",
}

// corsMiddleware answers CORS preflights and marks responses for the
// allowed origins (OPENVEST_CORS_ORIGINS); it allows every method the spec
// documents. Requests without an Origin header are not CORS requests and go
// through untouched (a plain OPTIONS still gets the API's 405).
func corsMiddleware(origins []string, doc *openapi3.T) echo.MiddlewareFunc {
	return middleware.CORSWithConfig(middleware.CORSConfig{
		Skipper:       func(c echo.Context) bool { return c.Request().Header.Get(echo.HeaderOrigin) == "" },
		AllowOrigins:  origins,
		AllowMethods:  documentedMethods(doc),
		AllowHeaders:  corsAllowHeaders,
		ExposeHeaders: corsExposeHeaders,
		MaxAge:        600,
	})
}

// documentedMethods lists the methods of every operation in the spec.
func documentedMethods(doc *openapi3.T) []string {
	seen := map[string]bool{}
	for _, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			seen[strings.ToUpper(method)] = true
		}
	}
	seen[http.MethodGet] = true // the spec, docs and health endpoints
	out := make([]string, 0, len(seen))
	for m := range seen {
		out = append(out, m)
	}
	sort.Strings(out)
	return out
}
