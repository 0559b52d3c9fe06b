package httpapi

import (
	"context"

	"github.com/labstack/echo/v4"
	"github.com/openvest/openvest/internal/auth"
)

// The keys of what the pipeline stores in the request's context.Context.
type ctxKey int

const (
	principalKey   ctxKey = iota // the authenticated auth.Principal
	loggerKey                    // the request's *lazyLogger (withRequestLogger)
	credentialsKey               // a token call's credentials (tokenCredentials)
)

// The keys of what the pipeline stores in the echo.Context.
const (
	// routeKey is the matched route template of the spec
	// (/v1/customers/{customerId}), for metrics and traces.
	routeKey = "openvest.route"
	// callerKey is the calling organization once it is known:
	// authenticated by its token, or named by the client id of a token
	// call.
	callerKey = "openvest.caller"
)

func principalFrom(ctx context.Context) (auth.Principal, bool) {
	p, ok := ctx.Value(principalKey).(auth.Principal)
	return p, ok
}

// requestID returns the request id (X-Request-Id, ours or the caller's).
func requestID(c echo.Context) string {
	return c.Response().Header().Get(echo.HeaderXRequestID)
}
