package httpapi

import (
	"fmt"
	"log/slog"
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/openvest/openvest/internal/auth"
	"github.com/openvest/openvest/internal/telemetry"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	semconv "go.opentelemetry.io/otel/semconv/v1.40.0"
	"go.opentelemetry.io/otel/trace"
)

const tracerScope = "github.com/openvest/openvest/internal/httpapi"

// tracing starts one server span per request (continuing the caller's
// trace from a traceparent header), named by the route template, with the
// organization and the status answered. Database transactions and the
// handler's work are its children through the request context. Without
// telemetry.Setup there is no span. Infrastructure paths (health,
// metrics, docs) get no span.
func tracing(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		req := c.Request()
		// Without telemetry.Setup nothing records a span: none is started
		// (and no trace context is read: the propagator is a no-op then).
		// Health checks and scrapes would drown the traces.
		if !telemetry.Active() || IsInfra(req.URL.Path) {
			return next(c)
		}
		ctx := otel.GetTextMapPropagator().Extract(req.Context(), propagation.HeaderCarrier(req.Header))
		ctx, span := telemetry.Tracer(tracerScope).Start(ctx, req.Method, trace.WithSpanKind(trace.SpanKindServer))
		defer span.End()
		recording := span.IsRecording() // not when the provider's sampler drops it
		if recording {
			span.SetAttributes(semconv.HTTPRequestMethodKey.String(methodLabel(req.Method)), semconv.URLPath(req.URL.Path))
		}
		c.SetRequest(req.WithContext(ctx))
		err := next(c)
		if err != nil {
			c.Error(err) // render it now, so that the span has the status answered
		}
		if !recording {
			return err
		}
		route := routeLabel(c)
		status := c.Response().Status
		span.SetName(req.Method + " " + route)
		span.SetAttributes(semconv.HTTPRoute(route), semconv.HTTPResponseStatusCode(status), attribute.String("openvest.request_id", requestID(c)))
		if o, ok := caller(c); ok {
			span.SetAttributes(attribute.Int64("openvest.organization_id", o.ID), attribute.String("openvest.client_id", o.ClientID))
		}
		if status >= http.StatusInternalServerError {
			span.SetStatus(codes.Error, fmt.Sprintf("status %d", status))
			if err != nil {
				span.RecordError(err)
			}
		}
		return err
	}
}

// caller is the calling organization, when known.
func caller(c echo.Context) (auth.Organization, bool) {
	o, ok := c.Get(callerKey).(auth.Organization)
	return o, ok
}

// callerAttrs are the organization and client of the request, when known,
// and its trace, when traced: for the access log.
func callerAttrs(c echo.Context) []slog.Attr {
	var out []slog.Attr
	if o, ok := caller(c); ok {
		out = append(out, slog.Int64("organization_id", o.ID), slog.String("client_id", o.ClientID))
	}
	if sc := trace.SpanContextFromContext(c.Request().Context()); sc.IsValid() {
		out = append(out, slog.String("trace_id", sc.TraceID().String()))
	}
	return out
}
