package httpapi_test

import (
	"bytes"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/openvest/openvest/httpsig"
	"github.com/openvest/openvest/internal/apitest"
	"github.com/openvest/openvest/internal/auth"
)

// BenchmarkPipeline is the server's work on the requests `make bench`
// sends, without the network: the whole Echo stack (middleware, pipeline,
// handler, PostgreSQL) serving a signed GET /v1/customers/{id}, an unsigned
// one, a signed, idempotent POST /v1/customers and a one-time purchase
// (POST /v1/requests/purchase, accepted; the job queue is not started), requests signed before
// the timer starts. The log is at warn, as in `make bench`.
//
//	go test -run '^$' -bench BenchmarkPipeline -benchmem -benchtime 3000x ./internal/httpapi
func BenchmarkPipeline(b *testing.B) {
	env := apitest.Start(b, apitest.Options{Logger: slog.New(slog.NewJSONHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelWarn}))})
	h := env.Server.Config.Handler
	signed := env.NewTenant(b, apitest.TenantOptions{})
	unsigned := env.NewTenant(b, apitest.TenantOptions{SignaturePolicy: auth.PolicyOptional})
	serve := func(b *testing.B, reqs []*http.Request, want int) {
		b.Helper()
		b.ReportAllocs()
		b.ResetTimer()
		start := cpuTime()
		for _, req := range reqs {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != want {
				b.Fatalf("status %d: %s", rec.Code, rec.Body)
			}
		}
		// CPU of this process (the server) per request, robust to a loaded machine
		b.ReportMetric(float64((cpuTime()-start).Microseconds())/float64(len(reqs)), "cpu-µs/op")
	}
	get := func(tn *apitest.Tenant, sign bool) func(b *testing.B) {
		return func(b *testing.B) {
			id := createCustomer(b, tn, customerOpts{})
			url := env.Server.URL + "/v1/customers/" + strconv.FormatInt(id, 10)
			reqs := make([]*http.Request, b.N)
			for i := range reqs {
				req := httptest.NewRequest(http.MethodGet, url, nil)
				req.Header.Set("Authorization", "Bearer "+tn.Token)
				req.Header.Set("X-Client-Id", tn.Org.ClientID)
				if sign {
					if err := tn.Signer().Sign(req, nil); err != nil {
						b.Fatal(err)
					}
				}
				reqs[i] = req
			}
			serve(b, reqs, http.StatusOK)
		}
	}
	b.Run("GET", get(signed, true))
	b.Run("GET-unsigned", get(unsigned, false))
	// posts is b.N signed, idempotent POSTs of tn's of body to path, each with its own key.
	posts := func(b *testing.B, tn *apitest.Tenant, path string, body []byte) []*http.Request {
		b.Helper()
		reqs := make([]*http.Request, b.N)
		for i := range reqs {
			req := httptest.NewRequest(http.MethodPost, env.Server.URL+path, bytes.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+tn.Token)
			req.Header.Set("X-Client-Id", tn.Org.ClientID)
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("X-Idempotency-Key", httpsig.NewIdempotencyKey())
			if err := tn.Signer().Sign(req, body); err != nil {
				b.Fatal(err)
			}
			reqs[i] = req
		}
		return reqs
	}
	b.Run("POST", func(b *testing.B) {
		serve(b, posts(b, signed, "/v1/customers", []byte(`{"firstName":"Jane","lastName":"Banda"}`)), http.StatusCreated)
	})
	// The same POST for an organization with one webhook on ALL: its five
	// events recorded with their deliveries and the delivery job queued
	// (the queue is not started: no delivery is sent).
	b.Run("POST-webhook", func(b *testing.B) {
		hooked := env.NewTenant(b, apitest.TenantOptions{})
		if res := hooked.Do(b, http.MethodPost, "/v1/webhooks", map[string]any{"url": "https://hooks.example.com/all", "subscriptions": []string{"ALL"}}); res.Status != http.StatusCreated {
			b.Fatalf("create the webhook: %d %s", res.Status, res.Body)
		}
		serve(b, posts(b, hooked, "/v1/customers", []byte(`{"firstName":"Jane","lastName":"Banda"}`)), http.StatusCreated)
	})
	// A one-time purchase accepted (PENDING, its execution queued; the
	// queue is not started, so nothing executes meanwhile).
	b.Run("POST-purchase", func(b *testing.B) {
		customer := createCustomer(b, signed, customerOpts{})
		body := []byte(`{"customerId": ` + strconv.FormatInt(customer, 10) + `, "currency": "USD", "instrumentId": 1, "purchaseAmount": 10}`)
		serve(b, posts(b, signed, "/v1/requests/purchase", body), http.StatusCreated)
	})
}

// cpuTime is the user and system CPU time of the process so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
