package webhook

import (
	"context"
	"fmt"

	"github.com/openvest/openvest/internal/errcode"
)

// Attempt makes attempt number n of a delivery: it sends the event, records
// the outcome, and queues the next attempt (in the same transaction) when
// the attempt failed and attempts remain. A stale attempt (the delivery is
// no longer pending, or attempt n already happened: a job run twice) does
// nothing. A receiver's 410 deactivates the webhook.
//
// The HTTP call happens outside any transaction; if the process dies
// between the call and the record, the job runs again and the receiver
// gets the event once more, with the same eventId (at-least-once).
func (s *Service) Attempt(ctx context.Context, orgID, deliveryID int64, n int) error {
	d, err := s.repo.Delivery(ctx, orgID, deliveryID, false)
	if errcode.Is(err, errcode.NotFound) {
		return nil // the webhook was deleted with its deliveries
	}
	if err != nil {
		return err
	}
	if d.State != Pending || d.Attempts >= n {
		return nil
	}
	w, err := s.repo.Webhook(ctx, orgID, d.WebhookID, false)
	if err != nil {
		return err
	}
	if w.Status != Active {
		return errcode.Wrapf(s.finish(ctx, orgID, deliveryID, n, false, func(d *Delivery) { d.State = Canceled }), "cancel delivery %d", deliveryID)
	}
	e, err := s.repo.Event(ctx, orgID, d.EventID)
	if err != nil {
		return err
	}
	key, err := s.signingKey(ctx, w)
	if err != nil {
		return errcode.Wrapf(err, "the signing key of webhook %d", w.ID)
	}
	duplicate, delayed := s.deliveryFault(ctx, w, e, deliveryID, n)
	if delayed {
		return nil // held back: the held attempt n runs later
	}
	a := Deliver(ctx, s.client, w.URL, key, e, s.now())
	observeAttempt(a)
	if duplicate && a.Succeeded {
		// The same event again (same eventId, a fresh signature): what
		// an at-least-once receiver must recognise.
		observeAttempt(Deliver(ctx, s.client, w.URL, key, e, s.now()))
	}
	err = s.finish(ctx, orgID, deliveryID, n, a.Gone, func(d *Delivery) {
		latency := a.Latency
		d.LastLatency = &latency
		d.LastStatusCode = nil
		if a.StatusCode != 0 {
			code := a.StatusCode
			d.LastStatusCode = &code
		}
		d.LastError = nil
		if a.Error != "" {
			msg := a.Error
			if a.Refused {
				msg = refusedMessage(msg, n)
			}
			d.LastError = &msg
		}
		switch {
		case a.Succeeded:
			d.State = Succeeded
		case a.Gone, a.Refused && n >= RefusedAttempts:
			d.State = Failed
		default:
			if delay, ok := s.cfg.Schedule.Delay(n); ok {
				next := s.clock().Add(delay)
				d.NextAttemptAt = &next
				return
			}
			d.State = Failed
		}
	})
	return errcode.Wrapf(err, "record attempt %d of delivery %d", n, deliveryID)
}

// finish records attempt n with change applied, in one transaction: the
// delivery row (locked and re-checked), the next attempt's job, and — on a
// 410 — the webhook's deactivation and the cancellation of its other
// pending deliveries.
func (s *Service) finish(ctx context.Context, orgID, deliveryID int64, n int, gone bool, change func(*Delivery)) error {
	return s.repo.WithTx(ctx, func(ctx context.Context) error {
		var w Webhook
		if gone { // the webhook row before the delivery's: the repository's lock order
			d, err := s.repo.Delivery(ctx, orgID, deliveryID, false)
			if errcode.Is(err, errcode.NotFound) {
				return nil
			}
			if err != nil {
				return err
			}
			if w, err = s.repo.Webhook(ctx, orgID, d.WebhookID, true); errcode.Is(err, errcode.NotFound) {
				return nil // deleted while the attempt was under way
			} else if err != nil {
				return err
			}
		}
		d, err := s.repo.Delivery(ctx, orgID, deliveryID, true)
		if errcode.Is(err, errcode.NotFound) {
			return nil // deleted while the attempt was under way
		}
		if err != nil {
			return err
		}
		if d.State != Pending || d.Attempts >= n {
			return nil // another run recorded this attempt
		}
		now := s.clock()
		d.Attempts, d.NextAttemptAt, d.UpdatedAt = n, nil, now
		change(&d)
		if err := s.repo.SaveDelivery(ctx, &d); err != nil {
			return err
		}
		if gone {
			reason := reasonGone
			w.Status, w.DeactivatedReason, w.UpdatedAt = Deactived, &reason, now
			if err := s.repo.SaveWebhook(ctx, &w); err != nil {
				return err
			}
			if err := s.repo.CancelPending(ctx, orgID, w.ID, now); err != nil {
				return err
			}
			if err := s.events.Emit(ctx, orgID, WebhookUpdated{w}); err != nil {
				return err
			}
		}
		if d.State == Pending && d.NextAttemptAt != nil {
			return s.queue.EnqueueAttempt(ctx, orgID, d.ID, n+1, d.NextAttemptAt.Sub(now))
		}
		return nil
	})
}

// signingKey is the key that signs w's deliveries: its own, or the server
// key while it has none (a webhook created before per-webhook keys, until
// EnsureKey runs).
func (s *Service) signingKey(ctx context.Context, w Webhook) (Key, error) {
	if w.Key != nil {
		return *w.Key, nil
	}
	keys, err := s.repo.Keys(ctx)
	if err != nil {
		return Key{}, fmt.Errorf("read the webhook server keys: %w", err)
	}
	return SigningKey(keys)
}

// refusedMessage is the delivery log's last error for attempt n refused by
// the guard.
func refusedMessage(msg string, n int) string {
	if n >= RefusedAttempts {
		return fmt.Sprintf("%s; the delivery ended at attempt %d (a refused destination gets %d attempts; OPENVEST_WEBHOOK_ALLOW_PRIVATE=true allows private destinations, for local testing only)", msg, n, RefusedAttempts)
	}
	return fmt.Sprintf("%s (attempt %d: a refused destination gets %d attempts)", msg, n, RefusedAttempts)
}
