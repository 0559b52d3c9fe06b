package httpapi

import (
	"context"

	"github.com/openvest/openvest/internal/event"
	"github.com/openvest/openvest/internal/webhook"
)

// Events is the event.Emitter of every domain service: it renders each
// event's data as the API returns it (eventData, events_convert.go) and
// records the events with the webhook engine, in the transaction of the
// change that ctx carries.
type Events struct{ Webhooks *webhook.Service }

var _ event.Emitter = Events{}

// Emit implements event.Emitter: one call records all the events.
func (e Events) Emit(ctx context.Context, orgID int64, events ...event.Event) error {
	if len(events) == 0 || webhook.TakeNoneActive(ctx, orgID) {
		return nil // (not rendered: no active webhook to deliver them to)
	}
	out := make([]webhook.Emission, len(events))
	for i, ev := range events {
		data, err := renderEvent(ev)
		if err != nil {
			return err
		}
		out[i] = webhook.Emission{Event: ev.EventName(), Resource: data}
	}
	return e.Webhooks.EmitAll(ctx, orgID, out...)
}
