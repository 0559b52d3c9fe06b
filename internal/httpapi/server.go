// Package httpapi is the HTTP layer: Echo setup and the middleware order
// (server.go), the API pipeline every spec operation goes through —
// route, body, authentication, digest and signature, validation against
// the embedded spec, idempotency (pipeline.go) — the context keys it sets
// (context.go), the request logger and access log (logging.go), error
// rendering per surface, and one file per resource translating generated
// types to domain types and back. It also serves /docs (Swagger UI, offline), /openapi.json,
// /openapi.yaml, /healthz, /readyz and /metrics.
package httpapi

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/routers/gorillamux"
	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"github.com/openvest/openvest/gen/api"
	"github.com/openvest/openvest/gen/spec"
	"github.com/openvest/openvest/internal/auth"
	"github.com/openvest/openvest/internal/banking"
	"github.com/openvest/openvest/internal/idempotency"
	"github.com/openvest/openvest/internal/inspector"
	"github.com/openvest/openvest/internal/investing"
	"github.com/openvest/openvest/internal/reports"
	"github.com/openvest/openvest/internal/sandbox"
	"github.com/openvest/openvest/internal/trading"
	"github.com/openvest/openvest/internal/ussd"
	"github.com/openvest/openvest/internal/wallet"
	"github.com/openvest/openvest/internal/webhook"
	"github.com/shopspring/decimal"
)

func init() {
	// Money is a JSON number carrying the exact decimal (the investing API
	// documents numbers); decimal.Decimal writes a string unless told.
	decimal.MarshalJSONWithoutQuotes = true
	// kin-openapi checks `format: uuid` only when told how; RFC 9562
	// admits the version 7 guids the wallet surface issues.
	openapi3.DefineStringFormatValidator("uuid", openapi3.NewRegexpFormatValidator(openapi3.FormatOfStringForUUIDOfRFC9562))
}

// Server implements the generated strict server interface by delegating to
// the domain services.
type Server struct {
	Auth        *auth.Service
	Investing   *investing.Service
	Wallet      *wallet.Service
	Banking     *banking.Service
	Trading     *trading.Service
	Idempotency *idempotency.Service
	Webhooks    *webhook.Service
	USSD        *ussd.Service
	Reports     *reports.Service
	// Inspector records the requests of sandbox organizations (nil: off).
	Inspector *inspector.Recorder
	// Sandbox holds the fault rules and resets of sandbox organizations;
	// without it no fault is injected.
	Sandbox *sandbox.Service

	opsOnce sync.Once
	ops     *operationIndex
}

// operations indexes the spec's operations (for the fault rules).
func (s *Server) operations() *operationIndex {
	s.opsOnce.Do(func() {
		doc, err := servedSpec()
		if err != nil {
			panic(err) // New loaded the same document already
		}
		s.ops = newOperationIndex(doc)
	})
	return s.ops
}

var _ api.StrictServerInterface = (*Server)(nil)

// Options configure New.
type Options struct {
	Logger       *slog.Logger
	MaxBodyBytes int64
	// Ready reports whether the service can serve (the database answers).
	Ready func(ctx context.Context) error
	// PublicURL is the external base URL (OPENVEST_PUBLIC_URL), for @target-uri.
	PublicURL string
	// SignatureSkew is the clock skew allowed on signature times (default 60s).
	SignatureSkew time.Duration
	// Now is the clock (time.Now by default).
	Now func() time.Time
	// RateLimits bound token calls, failed authentications and (when set)
	// each organization's requests.
	RateLimits RateLimits
	// Metrics are the server's metrics (NewMetrics() by default).
	Metrics *Metrics
	// MetricsElsewhere leaves /metrics off the API: it is served on its
	// own address (OPENVEST_METRICS_ADDR) with Metrics.Handler.
	MetricsElsewhere bool
	// CORSOrigins are the origins allowed cross-origin (OPENVEST_CORS_ORIGINS); none when empty.
	CORSOrigins []string
}

// infraPaths are served outside the spec (and outside request validation).
var infraPaths = map[string]bool{
	"/docs": true, "/openapi.json": true, "/openapi.yaml": true,
	"/healthz": true, "/readyz": true, "/metrics": true, inspectorPagePath: true,
}

// IsInfra reports whether path is served outside the spec (docs, spec,
// health, metrics), so that neither validation nor spec checks apply to it.
func IsInfra(path string) bool {
	return infraPaths[path] || strings.HasPrefix(path, "/docs/")
}

// New builds the Echo server with every route and middleware.
func New(s *Server, opts Options) (*echo.Echo, error) {
	log := opts.Logger
	if log == nil {
		log = slog.Default()
	}
	if opts.MaxBodyBytes <= 0 {
		opts.MaxBodyBytes = 1 << 20
	}
	doc, err := servedSpec()
	if err != nil {
		return nil, err
	}
	specJSON, err := SpecJSON()
	if err != nil {
		return nil, err
	}
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		return nil, fmt.Errorf("build router from spec: %w", err)
	}

	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	if opts.Now == nil {
		opts.Now = time.Now
	}
	e.HTTPErrorHandler = errorHandler(log, opts.Now)

	if opts.Metrics == nil {
		opts.Metrics = NewMetrics()
	}

	e.Use(
		sanitizeRequestID,
		middleware.RequestIDWithConfig(middleware.RequestIDConfig{Generator: newRequestID}),
		tracing,
		withRequestLogger(log),
		accessLog(log),
		opts.Metrics.middleware, // outside Recover: a panic counts as the 500 it answers
		middleware.RecoverWithConfig(middleware.RecoverConfig{DisableStackAll: true, LogErrorFunc: func(c echo.Context, err error, stack []byte) error {
			requestLogger(c, log).Error("panic", "error", err.Error(), "stack", string(stack))
			return err
		}}),
	)
	if len(opts.CORSOrigins) > 0 {
		e.Use(corsMiddleware(opts.CORSOrigins, doc))
	}
	pipeline := &apiPipeline{
		router: router, routes: newRouteIndex(doc), doc: doc, auth: s.Auth, idempotency: s.Idempotency, maxBodyBytes: opts.MaxBodyBytes, skip: IsInfra,
		limits:    newRateLimiter(opts.RateLimits, time.Now),
		integrity: &integrity{auth: s.Auth, now: opts.Now, skew: opts.SignatureSkew, publicURL: opts.PublicURL},
		faults:    &faultInjector{faults: s.Sandbox, now: opts.Now}, // after authentication, before idempotency and the handler
	}
	if s.Inspector != nil {
		e.Use(inspectRequests(s.Inspector, opts.Now)) // around the pipeline: its refusals are recorded as answered
	}
	e.Use(pipeline.middleware)

	api.RegisterHandlers(e, api.NewStrictHandler(s, nil))

	// Infrastructure routes.
	e.GET("/openapi.json", func(c echo.Context) error { return c.JSONBlob(http.StatusOK, specJSON) })
	e.GET("/openapi.yaml", func(c echo.Context) error { return c.Blob(http.StatusOK, "application/yaml", spec.YAML) })
	registerDocs(e)
	registerInspectorPage(e)
	e.GET("/healthz", func(c echo.Context) error { return c.JSON(http.StatusOK, map[string]string{"status": "ok"}) })
	e.GET("/readyz", func(c echo.Context) error {
		if opts.Ready != nil {
			ctx, cancel := context.WithTimeout(c.Request().Context(), 2*time.Second)
			defer cancel()
			if err := opts.Ready(ctx); err != nil {
				requestLogger(c, log).Warn("not ready", "error", err.Error())
				return c.JSON(http.StatusServiceUnavailable, map[string]string{"status": "unavailable", "reason": "database unreachable"})
			}
		}
		return c.JSON(http.StatusOK, map[string]string{"status": "ready"})
	})
	if !opts.MetricsElsewhere {
		e.GET("/metrics", echo.WrapHandler(opts.Metrics.Handler()))
	}
	return e, nil
}
