package httpapi

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/openvest/openvest/httpsig"
	"github.com/openvest/openvest/internal/errcode"
	"github.com/openvest/openvest/internal/metrics"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// unmatchedRoute is the one route label of every request that matches no
// route (404, 405), so that unknown paths cannot grow the series.
const unmatchedRoute = "unmatched"

// Metrics are the HTTP metrics of one server, and what its /metrics serves:
// them, the process-wide metrics of internal/metrics, and any extra
// collectors (the job queue depth).
type Metrics struct {
	registry *prometheus.Registry
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	handler  http.Handler
}

// NewMetrics returns the metrics of a server; extra collectors are served with them.
func NewMetrics(extra ...prometheus.Collector) *Metrics {
	m := &Metrics{
		registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "openvest", Subsystem: "http", Name: "requests_total",
			Help: "HTTP requests, by method, route template (\"unmatched\" when none) and the status code answered.",
		}, []string{"method", "route", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: "openvest", Subsystem: "http", Name: "request_duration_seconds",
			Help:    "HTTP request duration, by method and route template.",
			Buckets: prometheus.DefBuckets,
		}, []string{"method", "route"}),
	}
	m.registry.MustRegister(m.requests, m.duration)
	m.registry.MustRegister(extra...)
	m.handler = promhttp.HandlerFor(prometheus.Gatherers{m.registry, metrics.Registry}, promhttp.HandlerOpts{})
	return m
}

// Handler serves the metrics in the Prometheus text format.
func (m *Metrics) Handler() http.Handler { return m.handler }

// middleware counts each request with the status the client is answered:
// an error is rendered here (the error handler does nothing for a
// response already written), so a 401 counts as 401, not as the 500 of an
// unknown error value.
func (m *Metrics) middleware(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if c.Request().URL.Path == "/metrics" {
			return next(c)
		}
		start := time.Now()
		err := next(c)
		if err != nil {
			c.Error(err)
		}
		method, route := methodLabel(c.Request().Method), routeLabel(c)
		m.requests.WithLabelValues(method, route, strconv.Itoa(c.Response().Status)).Inc()
		m.duration.WithLabelValues(method, route).Observe(time.Since(start).Seconds())
		return err
	}
}

// routeLabel is the spec's route template, the registered path of an
// infrastructure route, or unmatchedRoute.
func routeLabel(c echo.Context) string {
	if r, ok := c.Get(routeKey).(string); ok {
		return r
	}
	if IsInfra(c.Request().URL.Path) && c.Response().Status != http.StatusNotFound {
		return c.Path()
	}
	return unmatchedRoute
}

func methodLabel(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodOptions:
		return m
	}
	return "OTHER"
}

// countDigestFailure records a refused Content-Digest by its kind.
func countDigestFailure(err error) {
	var se *httpsig.Error
	if errors.As(err, &se) {
		metrics.DigestFailures.WithLabelValues(se.Kind).Inc()
	}
}

// countSignatureFailure records a refused signature by its kind.
func countSignatureFailure(err error) {
	var se *httpsig.Error
	if errors.As(err, &se) {
		metrics.SignatureFailures.WithLabelValues(se.Kind).Inc()
	}
}

// countIdempotency records a replayed response or a refused key reuse.
func countIdempotency(replayed bool, err error) {
	switch {
	case replayed && err == nil:
		metrics.IdempotencyReplays.Inc()
	case errcode.Is(err, errcode.Conflict):
		metrics.IdempotencyConflicts.WithLabelValues("in_flight").Inc()
	case errcode.Is(err, errcode.Unprocessable):
		metrics.IdempotencyConflicts.WithLabelValues("mismatch").Inc()
	}
}
