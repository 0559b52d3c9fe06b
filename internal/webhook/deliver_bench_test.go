package webhook_test

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/openvest/openvest/internal/webhook"
)

type stubTransport struct{}

func (stubTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	return &http.Response{StatusCode: http.StatusOK, Body: http.NoBody, Request: r}, nil
}

// BenchmarkDeliver is one delivery's own work (payload, three signatures,
// headers) against a receiver that answers at once, in process:
//
//	go test -run '^$' -bench Deliver -benchmem ./internal/webhook
func BenchmarkDeliver(b *testing.B) {
	key, err := webhook.NewWebhookKey(time.Now())
	if err != nil {
		b.Fatal(err)
	}
	client := &http.Client{Transport: stubTransport{}}
	e := webhook.Event{ID: "0b7c9c1e-0000-4000-8000-000000000002", Name: "CUSTOMER.CREATED", CreatedAt: time.Unix(1_800_000_000, 0),
		Data: json.RawMessage(`{"customerId":12345,"firstName":"Ada","lastName":"Lovelace","email":"ada@example.com"}`)}
	now := time.Unix(1_800_000_000, 0)
	b.ReportAllocs()
	for b.Loop() {
		if a := webhook.Deliver(context.Background(), client, "https://receiver.example.com/hooks/openvest", key, e, now); !a.Succeeded {
			b.Fatal(a.Error)
		}
	}
}
