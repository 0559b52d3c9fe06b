package webhook_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/openvest/openvest/internal/auth"
	"github.com/openvest/openvest/internal/testdb"
	"github.com/openvest/openvest/internal/webhook"
)

// benchChange is what POST /v1/customers with two accounts emits: five
// events, each with its resource (about the size the API renders).
var benchChange = []webhook.Emission{
	{Event: "CUSTOMER.CREATED", Resource: json.RawMessage(`{"id":1,"firstName":"Jane","lastName":"Banda","email":null,"phone":null,"status":"ACTIVE","createdAt":"2026-12-03T10:00:00Z","updatedAt":"2026-12-03T10:00:00Z","accounts":[{"id":1},{"id":2}]}`)},
	{Event: "ACCOUNT.CREATED", Resource: json.RawMessage(`{"id":1,"customerId":1,"type":"INVESTMENT","status":"ACTIVE","currency":"USD","createdAt":"2026-12-03T10:00:00Z","updatedAt":"2026-12-03T10:00:00Z"}`)},
	{Event: "ACCOUNT.CREATED", Resource: json.RawMessage(`{"id":2,"customerId":1,"type":"INVESTMENT","status":"ACTIVE","currency":"USD","createdAt":"2026-12-03T10:00:00Z","updatedAt":"2026-12-03T10:00:00Z"}`)},
	{Event: "PORTFOLIO.CREATED", Resource: json.RawMessage(`{"id":1,"accountId":1,"investmentTypeId":1,"name":"Growth","createdAt":"2026-12-03T10:00:00Z","updatedAt":"2026-12-03T10:00:00Z"}`)},
	{Event: "PORTFOLIO.CREATED", Resource: json.RawMessage(`{"id":2,"accountId":2,"investmentTypeId":2,"name":"Income","createdAt":"2026-12-03T10:00:00Z","updatedAt":"2026-12-03T10:00:00Z"}`)},
}

// BenchmarkDeliveryJob is one delivery job of a POST /v1/customers to an
// organization with one webhook on ALL (PostgreSQL, a local receiver that
// answers 200 at once, in this process): the joined read of the five
// deliveries, five signed POSTs and the one record of their ended
// attempts. The changes are emitted before the timer starts. The
// receiver's own work (net/http's server side) is in the figures.
//
//	go test -run '^$' -bench BenchmarkDeliveryJob -benchmem -benchtime 2000x ./internal/webhook
func BenchmarkDeliveryJob(b *testing.B) {
	s := testdb.Postgres(b)
	ctx := b.Context()
	org, _, err := auth.NewService(s.Auth(), time.Now, time.Hour).CreateOrganization(ctx, auth.NewOrganization{Name: b.Name()})
	if err != nil {
		b.Fatal(err)
	}
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.WriteHeader(http.StatusOK)
	}))
	b.Cleanup(receiver.Close)
	q := &batched{}
	svc := newService(s, q)
	if _, err := svc.Create(ctx, org.ID, receiver.URL+"/hooks", []string{"ALL"}); err != nil {
		b.Fatal(err)
	}
	q.groups = nil // the webhook's own WEBHOOK.CREATED
	for range b.N {
		if err := svc.EmitAll(ctx, org.ID, benchChange...); err != nil {
			b.Fatal(err)
		}
	}
	if len(q.groups) != b.N {
		b.Fatalf("%d jobs queued for %d changes", len(q.groups), b.N)
	}
	b.ReportAllocs()
	b.ResetTimer()
	start := benchCPU()
	for _, ids := range q.groups {
		if err := svc.AttemptAll(ctx, org.ID, ids, 1); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64((benchCPU()-start).Microseconds())/float64(b.N), "cpu-µs/op")
	b.StopTimer()
	if len(q.attempts) != 0 {
		b.Fatalf("%d retries queued: an attempt failed", len(q.attempts))
	}
}

// BenchmarkDeliver is one signed POST of an event to a local receiver
// (Deliver alone: body, three signatures, the HTTP exchange), the
// receiver in this process.
//
//	go test -run '^$' -bench 'BenchmarkDeliver$' -benchmem -benchtime 20000x ./internal/webhook
func BenchmarkDeliver(b *testing.B) {
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.WriteHeader(http.StatusOK)
	}))
	b.Cleanup(receiver.Close)
	key, err := webhook.NewWebhookKey(time.Now())
	if err != nil {
		b.Fatal(err)
	}
	client := webhook.Client(true, 5*time.Second)
	e := webhook.Event{ID: "0b8f5c1e-6a43-4d0e-9c55-2f1d7d5f3a10", OrganizationID: 1, Name: benchChange[0].Event,
		CreatedAt: time.Now(), Data: benchChange[0].Resource.(json.RawMessage)}
	url := receiver.URL + "/hooks"
	b.ReportAllocs()
	b.ResetTimer()
	start := benchCPU()
	for range b.N {
		if a := webhook.Deliver(b.Context(), client, url, key, e, time.Now()); !a.Succeeded {
			b.Fatal(strings.TrimSpace(a.Error))
		}
	}
	b.ReportMetric(float64((benchCPU()-start).Microseconds())/float64(b.N), "cpu-µs/op")
}

// benchCPU is the user and system CPU time of the process so far.
func benchCPU() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
