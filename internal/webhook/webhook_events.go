package webhook

import (
	"context"

	"github.com/openvest/openvest/internal/event"
)

// TestEvent is what POST /v1/webhooks/test sends (TestSent): it goes to
// every webhook whatever its subscriptions.
const TestEvent = "WEBHOOK.TEST"

// The events of webhooks themselves, emitted in the transaction of each
// change through the Emitter of WithEvents (the HTTP layer renders them,
// then hands them back to EmitAll).
type (
	// WebhookCreated: a webhook was created (every new webhook is
	// subscribed to it).
	WebhookCreated struct{ Webhook Webhook }
	// WebhookUpdated: a webhook was changed, or deactivated by a 410.
	WebhookUpdated struct{ Webhook Webhook }
	// TestSent: POST /v1/webhooks/test asked for a test delivery.
	TestSent struct{}
)

// EventName implements event.Event: the name on the wire (DOMAIN.ACTION).
func (WebhookCreated) EventName() string { return "WEBHOOK.CREATED" }
func (WebhookUpdated) EventName() string { return "WEBHOOK.UPDATED" }
func (TestSent) EventName() string       { return TestEvent }

// WithEvents sends the service's own events (WEBHOOK.*) to e, which
// renders them as the API returns webhooks, and returns s. Without it the
// service records them itself (ownEvents).
func (s *Service) WithEvents(e event.Emitter) *Service {
	s.events = e
	return s
}

// ownEvents is the Emitter of a service built alone (tests, tools): it
// records each event with the event value itself, JSON-encoded, as its
// data (not the API's shape, which the HTTP layer's Emitter gives).
type ownEvents struct{ s *Service }

func (o ownEvents) Emit(ctx context.Context, orgID int64, events ...event.Event) error {
	ems := make([]Emission, len(events))
	for i, e := range events {
		ems[i] = Emission{Event: e.EventName(), Resource: e}
	}
	return o.s.EmitAll(ctx, orgID, ems...)
}
