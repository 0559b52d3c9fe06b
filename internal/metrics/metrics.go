// Package metrics holds the process-wide Prometheus metrics of the domain:
// job runs, webhook attempts, request executions, idempotency replays and
// conflicts, signature and digest failures, rate-limit refusals. Every
// label takes its values from a fixed set written in the code, never from
// the request, so no client can grow the number of series.
//
// The HTTP metrics (per route template and status) belong to each server
// (internal/httpapi); /metrics serves both, with the Go and process
// collectors.
package metrics

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// Registry holds the metrics of this package and the Go and process collectors.
var Registry = prometheus.NewRegistry()

var (
	// JobDuration is how long a job run took, per kind (execute_request,
	// deliver_webhook) and outcome (ok, error).
	JobDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Namespace: "openvest", Subsystem: "jobs", Name: "run_duration_seconds",
		Help:    "Duration of job runs, by kind and outcome (ok, error).",
		Buckets: prometheus.ExponentialBuckets(0.005, 2, 14),
	}, []string{"kind", "outcome"})

	// WebhookAttempts counts webhook delivery attempts by outcome:
	// succeeded (2xx), failed (another status), gone (410: the webhook is
	// deactivated), error (no answer: refused, timeout, blocked address).
	WebhookAttempts = prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: "openvest", Subsystem: "webhook", Name: "attempts_total",
		Help: "Webhook delivery attempts, by outcome (succeeded, failed, gone, error).",
	}, []string{"outcome"})

	// WebhookAttemptDuration is how long the receiver took to answer.
	WebhookAttemptDuration = prometheus.NewHistogram(prometheus.HistogramOpts{
		Namespace: "openvest", Subsystem: "webhook", Name: "attempt_duration_seconds",
		Help:    "Duration of webhook delivery attempts (the HTTP call).",
		Buckets: prometheus.ExponentialBuckets(0.01, 2, 12),
	})

	// WebhookDispatches counts the dispatches (one change's deliveries to
	// one webhook) handed to the process's own delivery workers after the
	// commit, by outcome: attempted (their first attempts recorded),
	// full (queued as a delivery job at once: no room in the workers'
	// queue), late (taken after its due time: left to the sweep), error
	// (an attempt could not be recorded: left to the sweep), swept
	// (queued as a job by the sweep: its process did not record it by
	// its due time).
	WebhookDispatches = prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: "openvest", Subsystem: "webhook", Name: "dispatches_total",
		Help: "Webhook dispatches after the commit, by outcome (attempted, full, late, error, swept).",
	}, []string{"outcome"})

	// WebhookDispatchQueue is how many dispatches wait for a delivery
	// worker of this process.
	WebhookDispatchQueue = prometheus.NewGauge(prometheus.GaugeOpts{
		Namespace: "openvest", Subsystem: "webhook", Name: "dispatch_queue",
		Help: "Webhook dispatches waiting for a delivery worker of this process.",
	})

	// RequestExecutions counts the runs of execute_request jobs by
	// outcome: completed, failed (the transaction recorded failed),
	// skipped (nothing was due: not pending, or a stale cycle), error (the
	// run failed and River retries it).
	RequestExecutions = prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: "openvest", Subsystem: "trading", Name: "request_executions_total",
		Help: "Request executions, by outcome (completed, failed, skipped, error).",
	}, []string{"outcome"})

	// IdempotencyReplays counts responses replayed for a known idempotency key.
	IdempotencyReplays = prometheus.NewCounter(prometheus.CounterOpts{
		Namespace: "openvest", Subsystem: "idempotency", Name: "replays_total",
		Help: "Responses replayed for a known idempotency key.",
	})

	// IdempotencyConflicts counts refused reuses of an idempotency key, by
	// reason: in_flight (the first request has not finished, 409) or
	// mismatch (the key was used for another request, 422).
	IdempotencyConflicts = prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: "openvest", Subsystem: "idempotency", Name: "conflicts_total",
		Help: "Refused reuses of an idempotency key, by reason (in_flight, mismatch).",
	}, []string{"reason"})

	// SignatureFailures counts refused request signatures by reason:
	// missing (required but absent), malformed (headers or parameters),
	// stale (created too long ago, in the future, or expired),
	// unknown_key, invalid (does not verify).
	SignatureFailures = prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: "openvest", Subsystem: "auth", Name: "signature_failures_total",
		Help: "Refused request signatures, by reason (missing, malformed, stale, unknown_key, invalid).",
	}, []string{"reason"})

	// DigestFailures counts refused Content-Digest headers by reason:
	// missing (required but absent), malformed, mismatch (not the body's).
	DigestFailures = prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: "openvest", Subsystem: "auth", Name: "digest_failures_total",
		Help: "Refused Content-Digest headers, by reason (missing, malformed, mismatch).",
	}, []string{"reason"})

	// RateLimitRefusals counts requests refused with 429, by limit (a
	// fixed name per limit, such as "organization" or "token").
	RateLimitRefusals = prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: "openvest", Subsystem: "http", Name: "rate_limit_refusals_total",
		Help: "Requests refused by a rate limit (429), by limit.",
	}, []string{"limit"})
)

func init() {
	Registry.MustRegister(
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		JobDuration, WebhookAttempts, WebhookAttemptDuration, WebhookDispatches, WebhookDispatchQueue, RequestExecutions,
		IdempotencyReplays, IdempotencyConflicts, SignatureFailures, DigestFailures, RateLimitRefusals,
	)
	// The known label values read 0 before their first event, so that
	// rates and alerts see them from the start.
	for vec, values := range map[*prometheus.CounterVec][]string{
		WebhookAttempts:      {"succeeded", "failed", "gone", "error"},
		WebhookDispatches:    {"attempted", "full", "late", "error", "swept"},
		RequestExecutions:    {"completed", "failed", "skipped", "error"},
		IdempotencyConflicts: {"in_flight", "mismatch"},
		SignatureFailures:    {"missing", "malformed", "stale", "unknown_key", "invalid"},
		DigestFailures:       {"missing", "malformed", "mismatch"},
	} {
		for _, v := range values {
			vec.WithLabelValues(v)
		}
	}
}

// RateLimited records a request refused by the rate limit named limit
// (a constant of the caller, never a value from the request).
func RateLimited(limit string) { RateLimitRefusals.WithLabelValues(limit).Inc() }

// JobRun records a job run of kind that took d.
func JobRun(kind string, d time.Duration, err error) {
	outcome := "ok"
	if err != nil {
		outcome = "error"
	}
	JobDuration.WithLabelValues(kind, outcome).Observe(d.Seconds())
}
