package store

import (
	"context"

	"github.com/openvest/openvest/internal/telemetry"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"
)

// startTx starts the span of a database transaction, a child of the
// request's or job's span that ctx carries.
func startTx(ctx context.Context, d Dialect) (context.Context, trace.Span) {
	if !telemetry.Active() {
		return ctx, telemetry.NoSpan
	}
	system := "postgresql"
	if d == SQLite {
		system = "sqlite"
	}
	return telemetry.Tracer("github.com/openvest/openvest/internal/store").Start(ctx, "db.transaction",
		trace.WithSpanKind(trace.SpanKindClient), trace.WithAttributes(attribute.String("db.system.name", system)))
}
