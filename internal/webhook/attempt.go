package webhook

import (
	"context"
	"fmt"
	"slices"

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
	return s.AttemptAll(ctx, orgID, []int64{deliveryID}, n)
}

// AttemptAll makes attempt n of each delivery of ids (the deliveries of
// one change to one webhook, in the change's order), one after another, as
// Attempt does: one joined read of them all, then per delivery the call and
// one conditional update (with, when it failed, the next attempt's job).
// A 410 ends the batch: the webhook is deactivated and its other pending
// deliveries canceled.
func (s *Service) AttemptAll(ctx context.Context, orgID int64, ids []int64, n int) error {
	out, err := s.repo.Outgoing(ctx, orgID, ids)
	if err != nil {
		return err
	}
	return s.attemptOutgoing(ctx, orgID, out, n, 0)
}

// attemptOutgoing is AttemptAll once the deliveries are read (or known:
// a dispatch's, as its emission recorded them). dispatchID, when not 0,
// is the dispatch of out (n is then 1): its row is deleted with the last
// record (RecordDispatches: one statement, one commit, shared with the
// other dispatches that end then) when every attempt was made and
// recorded, and left to the sweep otherwise.
func (s *Service) attemptOutgoing(ctx context.Context, orgID int64, out []Outgoing, n int, dispatchID int64) (err error) {
	// The ended attempts (no next attempt to queue) are recorded together
	// when the batch ends, or before a 410's record, or on an error.
	var ended []Delivery
	flush := func(dispatch int64) error {
		if len(ended) == 0 {
			if dispatch != 0 {
				_, err := s.repo.DeleteDispatch(ctx, orgID, dispatch)
				return err
			}
			return nil
		}
		var err error
		count := len(ended)
		rec := DispatchRecord{OrganizationID: orgID, DispatchID: dispatch, Ended: ended}
		switch d := s.dispatcher.Load(); {
		case dispatch != 0 && d != nil:
			rec.Ended = slices.Clone(ended) // the recorder writes it after ended is reused
			err = d.record(ctx, rec)
		case dispatch != 0: // the dispatcher is stopping: on its own
			err = s.repo.RecordDispatches(ctx, []DispatchRecord{rec}, n, s.clock())
		case count == 1:
			err = s.recordAttempt(ctx, &ended[0], n)
		default:
			_, err = s.repo.RecordAttempts(ctx, orgID, ended, n, s.clock())
		}
		ended = ended[:0]
		return errcode.Wrapf(err, "record attempt %d of %d deliveries", n, count)
	}
	defer func() {
		var dispatch int64
		if err == nil {
			dispatch = dispatchID // every attempt made and recorded: the row goes with the last record
		}
		if ferr := flush(dispatch); err == nil {
			err = ferr
		}
	}()
	keys := map[int64]Key{}
	for _, o := range out { // a delivery not found was deleted with its webhook
		d, w, e := o.Delivery, o.Webhook, o.Event
		if d.State != Pending || d.Attempts >= n {
			continue
		}
		d.NextAttemptAt = nil // set again when the attempt fails and attempts remain
		if w.Status != Active {
			d.State = Canceled
			ended = append(ended, d)
			continue
		}
		key, ok := keys[w.ID]
		if !ok {
			if key, err = s.signingKey(ctx, w); err != nil {
				return errcode.Wrapf(err, "the signing key of webhook %d", w.ID)
			}
			keys[w.ID] = key
		}
		duplicate, delayed := s.deliveryFault(ctx, w, e, d.ID, n)
		if delayed {
			continue // held back: the held attempt n runs later
		}
		a := Deliver(ctx, s.client, w.URL, key, e, s.now())
		observeAttempt(a)
		if duplicate && a.Succeeded {
			// The same event again (same eventId, a fresh signature): what
			// an at-least-once receiver must recognise.
			observeAttempt(Deliver(ctx, s.client, w.URL, key, e, s.now()))
		}
		if a.Gone {
			if err := flush(0); err != nil {
				return err
			}
			err := s.finish(ctx, orgID, d.ID, n, true, func(d *Delivery) { s.outcome(d, a, n) })
			return errcode.Wrapf(err, "record attempt %d of delivery %d", n, d.ID)
		}
		s.outcome(&d, a, n)
		if d.State != Pending {
			ended = append(ended, d)
			continue
		}
		if err := s.recordAttempt(ctx, &d, n); err != nil {
			return errcode.Wrapf(err, "record attempt %d of delivery %d", n, d.ID)
		}
	}
	return nil
}

// outcome applies attempt n's outcome a to d: its state, last status,
// latency and error, and the next attempt's time while attempts remain.
func (s *Service) outcome(d *Delivery, a Attempt, n int) {
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
}

// recordAttempt saves attempt n of d, changed, with one conditional update (a
// delivery no longer pending, or whose attempt n another run recorded, is
// left alone); a delivery still pending gets its next attempt's job in
// the same transaction.
func (s *Service) recordAttempt(ctx context.Context, d *Delivery, n int) error {
	now := s.clock()
	d.Attempts, d.UpdatedAt = n, now
	if d.State != Pending || d.NextAttemptAt == nil {
		_, err := s.repo.RecordAttempt(ctx, d, n)
		return err
	}
	return s.repo.WithTx(ctx, func(ctx context.Context) error {
		ok, err := s.repo.RecordAttempt(ctx, d, n)
		if err != nil || !ok {
			return err
		}
		return s.queue.EnqueueAttempt(ctx, d.OrganizationID, d.ID, n+1, d.NextAttemptAt.Sub(now))
	})
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
