package httpapi_test

import (
	"net/http"
	"testing"

	"github.com/openvest/openvest/internal/apitest"
	"github.com/openvest/openvest/internal/telemetry"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
)

// Not parallel: it installs the global tracer provider, and the package's
// parallel tests run only after it has put the no-op one back.
func TestTracingRecordsRequestsOnlyWhenInstalled(t *testing.T) {
	b := setup(t)
	id := createCustomer(t, b.tenant, customerOpts{})

	rec := tracetest.NewSpanRecorder()
	uninstall := telemetry.Install(sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec)))
	t.Cleanup(uninstall) // also when a check below fails: later tests get the no-op provider back
	const traceID = "4bf92f3577b34da6a3ce929d0e0e4736"
	res := b.tenant.DoWith(t, http.MethodGet, path("/v1/customers/%d", id), nil, apitest.Call{
		Header: http.Header{"Traceparent": {"00-" + traceID + "-00f067aa0ba902b7-01"}},
	})
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	res = b.tenant.Do(t, http.MethodPost, "/v1/customers", map[string]any{"firstName": "Ada", "lastName": "Phiri"})
	require.Equal(t, http.StatusCreated, res.Status, "%s", res.Body)
	uninstall()

	var get, post, tx sdktrace.ReadOnlySpan
	for _, s := range rec.Ended() {
		switch s.Name() {
		case "GET /v1/customers/{customerId}":
			get = s
		case "POST /v1/customers":
			post = s
		case "db.transaction":
			tx = s
		}
	}
	require.NotNil(t, get, "the GET's server span")
	require.Equal(t, trace.SpanKindServer, get.SpanKind())
	require.Equal(t, traceID, get.SpanContext().TraceID().String(), "the span continues the caller's trace")
	attrs := map[attribute.Key]attribute.Value{}
	for _, a := range get.Attributes() {
		attrs[a.Key] = a.Value
	}
	require.Equal(t, int64(http.StatusOK), attrs["http.response.status_code"].AsInt64())
	require.Equal(t, b.tenant.Org.ClientID, attrs["openvest.client_id"].AsString())
	require.NotNil(t, post, "the POST's server span")
	require.NotNil(t, tx, "the POST's transaction span")
	require.Equal(t, post.SpanContext().SpanID(), tx.Parent().SpanID(), "the transaction is a child of the request's span")

	// Uninstalled: requests start no span at all.
	before := len(rec.Ended())
	res = b.tenant.Do(t, http.MethodGet, path("/v1/customers/%d", id), nil)
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	require.False(t, telemetry.Active())
	require.Len(t, rec.Ended(), before, "no span once tracing is off")
}
