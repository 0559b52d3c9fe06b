package jobs

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/openvest/openvest/internal/metrics"
	"github.com/openvest/openvest/internal/store"
	"github.com/openvest/openvest/internal/telemetry"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
)

// jobWait is how long a job waited between when it was due and when a
// worker took it, per kind.
var jobWait = prometheus.NewHistogramVec(prometheus.HistogramOpts{
	Namespace: "openvest", Subsystem: "jobs", Name: "wait_seconds",
	Help:    "Time from when a job was due to when a worker started it, by kind.",
	Buckets: prometheus.ExponentialBuckets(0.01, 2, 16),
}, []string{"kind"})

func init() { metrics.Registry.MustRegister(jobWait) }

// observe is River middleware. On insert it stores the trace context of
// the inserting request (or job) in the job's metadata; on work, each run
// gets a span, a child of that context, and its wait and duration are
// recorded per kind.
type observe struct{ river.MiddlewareDefaults }

// traceMetadataKey is the metadata key holding the W3C trace context.
const traceMetadataKey = "openvest_trace"

func (*observe) InsertMany(ctx context.Context, params []*rivertype.JobInsertParams, doInner func(context.Context) ([]*rivertype.JobInsertResult, error)) ([]*rivertype.JobInsertResult, error) {
	carrier := propagation.MapCarrier{}
	propagation.TraceContext{}.Inject(ctx, carrier)
	if len(carrier) > 0 {
		for _, p := range params {
			meta := map[string]json.RawMessage{}
			if len(p.Metadata) > 0 {
				if err := json.Unmarshal(p.Metadata, &meta); err != nil {
					return nil, fmt.Errorf("jobs: read the metadata of a %s job: %w", p.Kind, err)
				}
			}
			tc, err := json.Marshal(carrier)
			if err != nil {
				return nil, err
			}
			meta[traceMetadataKey] = tc
			if p.Metadata, err = json.Marshal(meta); err != nil {
				return nil, err
			}
		}
	}
	return doInner(ctx)
}

func (*observe) Work(ctx context.Context, job *rivertype.JobRow, doInner func(context.Context) error) error {
	start := time.Now()
	jobWait.WithLabelValues(job.Kind).Observe(start.Sub(job.ScheduledAt).Seconds())
	var meta struct {
		Trace propagation.MapCarrier `json:"openvest_trace"`
	}
	if len(job.Metadata) > 0 && json.Unmarshal(job.Metadata, &meta) == nil && meta.Trace != nil {
		ctx = propagation.TraceContext{}.Extract(ctx, meta.Trace)
	}
	span := telemetry.NoSpan
	if telemetry.Active() {
		ctx, span = telemetry.Tracer("github.com/openvest/openvest/internal/jobs").Start(ctx, "job "+job.Kind,
			trace.WithSpanKind(trace.SpanKindConsumer),
			trace.WithAttributes(attribute.String("job.kind", job.Kind), attribute.Int64("job.id", job.ID), attribute.Int("job.attempt", job.Attempt)))
	}
	err := doInner(ctx)
	metrics.JobRun(job.Kind, time.Since(start), err)
	telemetry.End(span, err)
	return err
}

// queuedStates are the states of jobs that have not run to the end.
var queuedStates = []string{"available", "scheduled", "retryable", "running"}

// DepthCollector reports the jobs of st's queue that are waiting or
// running, per kind and state (openvest_jobs_queued), read from the
// database at each scrape.
func DepthCollector(st *store.Store) prometheus.Collector { return &depth{st: st} }

type depth struct{ st *store.Store }

var depthDesc = prometheus.NewDesc("openvest_jobs_queued", "Jobs waiting or running, by kind and state (available, scheduled, retryable, running).", []string{"kind", "state"}, nil)

func (d *depth) Describe(ch chan<- *prometheus.Desc) { ch <- depthDesc }

func (d *depth) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	var rows []struct {
		Kind  string
		State string
		N     int64
	}
	err := d.st.DB.WithContext(ctx).Raw(`SELECT kind, state, count(*) AS n FROM river_job WHERE state IN ? GROUP BY kind, state`, queuedStates).Scan(&rows).Error
	if err != nil {
		ch <- prometheus.NewInvalidMetric(depthDesc, err)
		return
	}
	seen := map[[2]string]bool{}
	for _, r := range rows {
		seen[[2]string{r.Kind, r.State}] = true
		ch <- prometheus.MustNewConstMetric(depthDesc, prometheus.GaugeValue, float64(r.N), r.Kind, r.State)
	}
	// Known kinds read 0 rather than disappear when their queue is empty.
	for _, kind := range []string{ExecuteArgs{}.Kind(), DeliverArgs{}.Kind(), ReportArgs{}.Kind()} {
		for _, state := range queuedStates {
			if !seen[[2]string{kind, state}] {
				ch <- prometheus.MustNewConstMetric(depthDesc, prometheus.GaugeValue, 0, kind, state)
			}
		}
	}
}
