package jobs

import (
	"context"
	"time"

	"github.com/openvest/openvest/internal/metrics"
	"github.com/openvest/openvest/internal/store"
	"github.com/openvest/openvest/internal/telemetry"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
	"go.opentelemetry.io/otel/attribute"
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

// observe is River worker middleware: each job run gets a span (a child
// of nothing: jobs run outside requests) and its wait and duration are
// recorded per kind.
type observe struct{ river.MiddlewareDefaults }

func (*observe) Work(ctx context.Context, job *rivertype.JobRow, doInner func(context.Context) error) error {
	start := time.Now()
	jobWait.WithLabelValues(job.Kind).Observe(start.Sub(job.ScheduledAt).Seconds())
	ctx, span := telemetry.Tracer("github.com/openvest/openvest/internal/jobs").Start(ctx, "job "+job.Kind,
		trace.WithSpanKind(trace.SpanKindConsumer),
		trace.WithAttributes(attribute.String("job.kind", job.Kind), attribute.Int64("job.id", job.ID), attribute.Int("job.attempt", job.Attempt)))
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
	for _, kind := range []string{ExecuteArgs{}.Kind(), DeliverArgs{}.Kind()} {
		for _, state := range queuedStates {
			if !seen[[2]string{kind, state}] {
				ch <- prometheus.MustNewConstMetric(depthDesc, prometheus.GaugeValue, 0, kind, state)
			}
		}
	}
}
