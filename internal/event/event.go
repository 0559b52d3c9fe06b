// Package event is the shape every domain's events share. Each event is a
// type of the domain package that owns it (investing.CustomerCreated,
// banking.ApplicationApproved, …) whose EventName is its name on the wire
// and in webhook subscriptions (DOMAIN.ACTION); the set of those types is
// closed: each has a payload schema in the spec (WebhookEvent) and a
// renderer in the HTTP layer, which a test checks.
//
// A service emits its events through an Emitter inside the transaction of
// the change, so that an event commits with its change or not at all.
package event

import "context"

// Event is one domain event.
type Event interface {
	// EventName is the event's name, DOMAIN.ACTION (CUSTOMER.CREATED).
	EventName() string
}

// Emitter records events in the transaction ctx carries: an event commits
// with its change or not at all. An error fails the change.
type Emitter interface {
	Emit(ctx context.Context, orgID int64, events ...Event) error
}

// Discard is the Emitter of a service wired to no webhook engine: it
// drops every event.
type Discard struct{}

// Emit implements Emitter.
func (Discard) Emit(context.Context, int64, ...Event) error { return nil }
