package webhook

import "github.com/openvest/openvest/internal/metrics"

// observeAttempt records an attempt's outcome and duration.
func observeAttempt(a Attempt) {
	outcome := "error" // no answer
	switch {
	case a.Succeeded:
		outcome = "succeeded"
	case a.Gone:
		outcome = "gone"
	case a.StatusCode != 0:
		outcome = "failed"
	}
	metrics.WebhookAttempts.WithLabelValues(outcome).Inc()
	metrics.WebhookAttemptDuration.Observe(a.Latency.Seconds())
}
