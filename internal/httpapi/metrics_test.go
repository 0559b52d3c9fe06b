package httpapi_test

import (
	"fmt"
	"net/http"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/openvest/openvest/internal/apitest"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"github.com/stretchr/testify/require"
)

// scrape reads the server's /metrics.
func scrape(t *testing.T, env *apitest.Env) map[string]*dto.MetricFamily {
	t.Helper()
	res := env.Do(t, http.MethodGet, "/metrics", nil, nil)
	require.Equal(t, http.StatusOK, res.Status)
	p := expfmt.NewTextParser(model.UTF8Validation)
	families, err := p.TextToMetricFamilies(strings.NewReader(string(res.Body)))
	require.NoError(t, err)
	return families
}

// counter is the value of the series of family with exactly these labels (0 if none).
func counter(families map[string]*dto.MetricFamily, family string, labels map[string]string) float64 {
	f, ok := families[family]
	if !ok {
		return 0
	}
	for _, m := range f.GetMetric() {
		got := map[string]string{}
		for _, l := range m.GetLabel() {
			got[l.GetName()] = l.GetValue()
		}
		if len(got) != len(labels) {
			continue
		}
		match := true
		for k, v := range labels {
			if got[k] != v {
				match = false
			}
		}
		if match {
			switch {
			case m.GetCounter() != nil:
				return m.GetCounter().GetValue()
			case m.GetHistogram() != nil:
				return float64(m.GetHistogram().GetSampleCount())
			}
			return m.GetGauge().GetValue()
		}
	}
	return 0
}

// TestMetricsCountStatusesAsAnswered: a 401 counts as 401 and a 404 as
// 404 (not 500), per route template of the spec; an unknown path is the
// one "unmatched" route, and no label takes the Host header.
func TestMetricsCountStatusesAsAnswered(t *testing.T) {
	t.Parallel()
	b := setup(t)
	env, tn := b.env, b.tenant
	const requests = "openvest_http_requests_total"

	res := env.Do(t, http.MethodGet, "/v1/customers", nil, nil) // no token
	require.Equal(t, http.StatusUnauthorized, res.Status)
	for _, p := range []string{"/no/such/path/a1", "/no/such/path/b2"} {
		res = env.Do(t, http.MethodGet, p, nil, http.Header{"Host": {"attacker.example"}})
		require.Equal(t, http.StatusNotFound, res.Status)
	}
	id := createCustomer(t, tn, customerOpts{})
	res = tn.Do(t, http.MethodGet, path("/v1/customers/%d", id), nil)
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)

	m := scrape(t, env)
	require.Equal(t, 1.0, counter(m, requests, map[string]string{"method": "GET", "route": "/v1/customers", "code": "401"}))
	require.Equal(t, 2.0, counter(m, requests, map[string]string{"method": "GET", "route": "unmatched", "code": "404"}))
	require.Equal(t, 1.0, counter(m, requests, map[string]string{"method": "POST", "route": "/v1/customers", "code": "201"}))
	require.Equal(t, 1.0, counter(m, requests, map[string]string{"method": "GET", "route": "/v1/customers/{customerId}", "code": "200"}))
	require.Zero(t, counter(m, requests, map[string]string{"method": "GET", "route": "/v1/customers", "code": "500"}))
	for _, s := range m[requests].GetMetric() {
		for _, l := range s.GetLabel() {
			require.Contains(t, []string{"method", "route", "code"}, l.GetName())
			require.NotContains(t, l.GetValue(), "/no/such/path", "an unknown path became a series")
		}
	}
	require.Contains(t, m, "openvest_http_request_duration_seconds")
}

// TestMetricsOfTheDomain: replays, refused signatures and the job queue
// are visible.
func TestMetricsOfTheDomain(t *testing.T) {
	t.Parallel()
	b := setup(t)
	env, tn := b.env, b.tenant
	before := scrape(t, env)

	call := withKey("metrics-replay-" + tn.Org.ClientID)
	body := map[string]any{"firstName": "Replay", "lastName": "Banda"}
	for range 2 {
		res := tn.DoWith(t, http.MethodPost, "/v1/customers", body, call)
		require.Equal(t, http.StatusCreated, res.Status, "%s", res.Body)
	}
	// The tenant's policy demands signatures.
	res := tn.DoWith(t, http.MethodGet, "/v1/customers", nil, apitest.Call{Unsigned: true})
	require.Equal(t, http.StatusUnauthorized, res.Status)

	after := scrape(t, env)
	require.GreaterOrEqual(t, counter(after, "openvest_idempotency_replays_total", map[string]string{})-counter(before, "openvest_idempotency_replays_total", map[string]string{}), 1.0)
	missing := map[string]string{"reason": "missing"}
	require.GreaterOrEqual(t, counter(after, "openvest_auth_signature_failures_total", missing)-counter(before, "openvest_auth_signature_failures_total", missing), 1.0)
	require.Contains(t, after, "openvest_jobs_queued")
	// Every kind the API enqueues reads in each queued state (0 when
	// empty); other kinds (the periodic ones) may read too.
	series := map[string]int{}
	for _, m := range after["openvest_jobs_queued"].GetMetric() {
		for _, l := range m.GetLabel() {
			if l.GetName() == "kind" {
				series[l.GetValue()]++
			}
		}
	}
	for _, kind := range []string{"execute_request", "deliver_webhook", "produce_report"} {
		require.Equal(t, 4, series[kind], "kind %s in the 4 queued states; got %v", kind, series)
	}
	require.Equal(t, []string{"error", "failed", "gone", "succeeded"}, labelValues(after, "openvest_webhook_attempts_total", "outcome"), "known outcomes read 0 before the first attempt")
}

func labelValues(families map[string]*dto.MetricFamily, family, label string) []string {
	var out []string
	for _, m := range families[family].GetMetric() {
		for _, l := range m.GetLabel() {
			if l.GetName() == label {
				out = append(out, l.GetValue())
			}
		}
	}
	sort.Strings(out)
	return out
}

// TestMetricsOfJobsDeliveriesAndExecutions: a delivery's first attempt,
// failed, shows as a failed attempt and an attempted dispatch (made by the
// server after the commit), its retry as a succeeded attempt and a
// deliver_webhook job run; a purchase's execution as a completed request
// execution.
func TestMetricsOfJobsDeliveriesAndExecutions(t *testing.T) {
	t.Parallel()
	env, tn := webhookEnv(t)
	before := scrape(t, env)
	rc := newReceiver(t, tn, func(n int) int {
		if n == 1 {
			return http.StatusInternalServerError
		}
		return http.StatusOK
	})
	createWebhook(t, tn, rc.url(), "CUSTOMER")
	rc.waitFor(2, event("WEBHOOK.CREATED"))

	tr := newTrader(t, apitest.Options{})
	id := tr.purchase(t, fmt.Sprintf(`{"customerId": %d, "currency": "ZMW", "instrumentId": 1, "purchaseAmount": 500}`, tr.customerID))
	require.Equal(t, "COMPLETED", tr.execute(t, id)["status"])

	delta := func(family string, labels map[string]string) float64 {
		var after map[string]*dto.MetricFamily
		require.Eventually(t, func() bool { // the job's run is recorded when its work returns
			after = scrape(t, env)
			return counter(after, family, labels) > counter(before, family, labels)
		}, 10*time.Second, 20*time.Millisecond, "%s%v did not grow", family, labels)
		return counter(after, family, labels) - counter(before, family, labels)
	}
	require.GreaterOrEqual(t, delta("openvest_webhook_attempts_total", map[string]string{"outcome": "failed"}), 1.0)
	require.GreaterOrEqual(t, delta("openvest_webhook_attempts_total", map[string]string{"outcome": "succeeded"}), 1.0)
	require.GreaterOrEqual(t, delta("openvest_webhook_dispatches_total", map[string]string{"outcome": "attempted"}), 1.0)
	require.GreaterOrEqual(t, delta("openvest_webhook_attempt_duration_seconds", map[string]string{}), 1.0)
	require.GreaterOrEqual(t, delta("openvest_jobs_run_duration_seconds", map[string]string{"kind": "deliver_webhook", "outcome": "ok"}), 1.0)
	require.GreaterOrEqual(t, delta("openvest_jobs_wait_seconds", map[string]string{"kind": "deliver_webhook"}), 1.0)
	require.GreaterOrEqual(t, delta("openvest_trading_request_executions_total", map[string]string{"outcome": "completed"}), 1.0)
}
