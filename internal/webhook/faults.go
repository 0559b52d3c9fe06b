package webhook

import (
	"context"
	"log/slog"
	"time"

	"github.com/openvest/openvest/internal/sandbox"
)

// HeldQueue is a Queue that can also queue an attempt that was held back
// by a delivery fault (delay, outOfOrder): that attempt runs without
// applying the fault rules again (jobs.Queue is one).
type HeldQueue interface {
	EnqueueHeldAttempt(ctx context.Context, orgID, deliveryID int64, attempt int, delay time.Duration) error
}

type heldKey struct{}

// Held marks ctx as the run of an attempt that a delivery fault held back:
// the fault rules do not apply to it again.
func Held(ctx context.Context) context.Context { return context.WithValue(ctx, heldKey{}, true) }

func held(ctx context.Context) bool { b, _ := ctx.Value(heldKey{}).(bool); return b }

// WithFaults makes s apply the delivery fault rules of sandbox
// organizations (target webhook: delay, duplicate, outOfOrder). It
// returns s.
func (s *Service) WithFaults(f *sandbox.Service) *Service {
	s.faults = f
	return s
}

// deliveryFault is the fault rule that applies to attempt n of a delivery
// of e to w, if any. delayed is true when the attempt was queued again,
// held back: it makes no call now. An error of the rules only logs: a
// fault never stops a delivery.
func (s *Service) deliveryFault(ctx context.Context, w Webhook, e Event, deliveryID int64, n int) (duplicate, delayed bool) {
	if s.faults == nil || held(ctx) {
		return false, false
	}
	r, ok, err := s.faults.Apply(ctx, w.OrganizationID, func(r sandbox.Rule) bool { return r.MatchesDelivery(e.Name, w.ID) })
	if err != nil {
		slog.Default().Warn("webhook delivery faults", "error", err.Error(), "delivery_id", deliveryID)
		return false, false
	}
	if !ok {
		return false, false
	}
	switch r.Action {
	case sandbox.Duplicate:
		return true, false
	case sandbox.Delay, sandbox.OutOfOrder:
		q, ok := s.queue.(HeldQueue)
		if !ok {
			return false, false
		}
		if err := s.repo.WithTx(ctx, func(ctx context.Context) error {
			return q.EnqueueHeldAttempt(ctx, w.OrganizationID, deliveryID, n, r.Latency)
		}); err != nil {
			slog.Default().Warn("hold a webhook delivery", "error", err.Error(), "delivery_id", deliveryID)
			return false, false
		}
		return false, true
	}
	return false, false
}
