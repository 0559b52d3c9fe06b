package webhook

import "github.com/openvest/openvest/internal/event"

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
// renders them as the API returns webhooks, and returns s. Without it
// they are dropped, as every service's events are until it is wired.
func (s *Service) WithEvents(e event.Emitter) *Service {
	s.events = e
	return s
}
