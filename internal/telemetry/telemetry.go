// Package telemetry sets up tracing with OpenTelemetry: off unless
// OTEL_EXPORTER_OTLP_ENDPOINT (or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) is
// set, then spans go to that collector over OTLP/HTTP. The exporter reads
// the other standard variables itself (OTEL_EXPORTER_OTLP_HEADERS,
// OTEL_EXPORTER_OTLP_INSECURE, …; OTEL_SERVICE_NAME and
// OTEL_RESOURCE_ATTRIBUTES for the resource, OTEL_BSP_* for batching).
//
// Code starts spans with Tracer; without Setup they are no-ops.
package telemetry

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"sync/atomic"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"
)

// Enabled reports whether an OTLP endpoint is configured.
func Enabled() bool {
	return os.Getenv("OTEL_EXPORTER_OTLP_ENDPOINT") != "" || os.Getenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") != ""
}

// Setup installs the global tracer provider exporting to the configured
// OTLP endpoint, and the W3C trace-context propagator, when Enabled. The
// returned function flushes the spans and uninstalls the provider; it is
// a no-op when tracing is off.
func Setup(ctx context.Context, version string, log *slog.Logger) (shutdown func(context.Context) error, err error) {
	if !Enabled() {
		return func(context.Context) error { return nil }, nil
	}
	exp, err := otlptracehttp.New(ctx)
	if err != nil {
		return nil, fmt.Errorf("tracing: create the OTLP/HTTP exporter: %w", err)
	}
	res, err := resource.New(ctx,
		resource.WithAttributes(attribute.String("service.name", "openvest"), attribute.String("service.version", version)),
		resource.WithFromEnv(), // OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES win
	)
	if err != nil {
		return nil, fmt.Errorf("tracing: resource: %w", err)
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(exp), sdktrace.WithResource(res))
	otel.SetErrorHandler(otel.ErrorHandlerFunc(func(err error) { log.Warn("tracing", "error", err.Error()) }))
	uninstall := Install(tp)
	log.Info("tracing to OTLP/HTTP collector")
	return func(ctx context.Context) error {
		err := tp.Shutdown(ctx)
		uninstall()
		if err != nil {
			return fmt.Errorf("tracing: flush spans: %w", err)
		}
		return nil
	}, nil
}

// active is whether a tracer provider is installed (Install).
var active atomic.Bool

// Install makes tp the global tracer provider, with the W3C trace-context
// and baggage propagator, and turns Start on; the returned function turns
// it off again and installs a no-op provider. Setup calls it; so can a
// test, with an in-memory recorder.
func Install(tp trace.TracerProvider) (uninstall func()) {
	otel.SetTracerProvider(tp)
	otel.SetTextMapPropagator(propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{}))
	active.Store(true)
	return func() {
		active.Store(false)
		otel.SetTracerProvider(noop.NewTracerProvider())
		otel.SetTextMapPropagator(propagation.NewCompositeTextMapPropagator())
	}
}

// Active reports whether spans are recorded (a provider is installed).
func Active() bool { return active.Load() }

// Tracer is the tracer of the named instrumentation scope (a package path).
func Tracer(scope string) trace.Tracer { return otel.Tracer(scope) }

// NoSpan is the span to use instead of starting one when tracing is not
// Active: callers check Active first and build nothing (a request's span,
// its transactions' and its jobs' were a few allocations each, for spans
// nobody recorded).
var NoSpan trace.Span = noop.Span{}

// End ends span, recording err (if any) as its error status.
func End(span trace.Span, err error) {
	if err != nil {
		span.RecordError(err)
		span.SetStatus(codes.Error, err.Error())
	}
	span.End()
}

// LogAttrs are the trace_id and span_id of ctx's span, for a log line;
// none when ctx has no sampled span (tracing is off).
func LogAttrs(ctx context.Context) []any {
	sc := trace.SpanContextFromContext(ctx)
	if !sc.IsValid() {
		return nil
	}
	return []any{slog.String("trace_id", sc.TraceID().String()), slog.String("span_id", sc.SpanID().String())}
}
