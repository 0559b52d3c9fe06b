package trading

import (
	"context"
	"time"

	"github.com/openvest/openvest/internal/errcode"
	"github.com/openvest/openvest/internal/investing"
	"github.com/shopspring/decimal"
)

// The sandbox's simulation controls work for sandbox organizations only:
// every method answers NotFound to the others.

func sandboxOnly(org investing.Org) error {
	if !org.Sandbox {
		return errcode.New(errcode.NotFound, "not found: the simulation controls exist for sandbox organizations only")
	}
	return nil
}

// Clock is an organization's sandbox clock.
type Clock struct {
	Now    time.Time     // the organization's current time
	Offset time.Duration // how far it is ahead of the real clock
	// Scheduled is the number of executions the last move enqueued.
	Scheduled int
}

// Clock returns the organization's sandbox clock. NotFound: not a sandbox organization.
func (s *Service) Clock(ctx context.Context, org investing.Org) (Clock, error) {
	if err := sandboxOnly(org); err != nil {
		return Clock{}, err
	}
	d, err := s.repo.ClockOffset(ctx, org.ID)
	if err != nil {
		return Clock{}, err
	}
	return Clock{Now: s.now().Add(d).UTC().Truncate(time.Microsecond), Offset: d}, nil
}

// maxAdvance bounds one move of the clock.
const maxAdvance = 5 * 366 * 24 * time.Hour

// AdvanceClock moves the organization's sandbox clock forward by d, and
// in the same transaction enqueues, to run now, every recurring request
// whose next cycle is then due; each execution enqueues the next cycle, so
// a move across several cycles runs them all, in order. NotFound: not a
// sandbox organization. Invalid: d is negative or more than five years
// (0 moves nothing and runs what is already due).
func (s *Service) AdvanceClock(ctx context.Context, org investing.Org, d time.Duration) (Clock, error) {
	if err := sandboxOnly(org); err != nil {
		return Clock{}, err
	}
	if d < 0 || d > maxAdvance {
		e := errcode.New(errcode.Invalid, "the clock moves forward by 0 seconds to 5 years at a time, not %s", d)
		e.Fields = []errcode.FieldError{{Field: "days", In: "body", Message: "with seconds, at most 5 years (1830 days) at a time"}}
		return Clock{}, e
	}
	var c Clock
	err := s.repo.WithTx(ctx, func(ctx context.Context) error {
		off, err := s.repo.ClockOffset(ctx, org.ID)
		if err != nil {
			return err
		}
		c.Offset = off + d
		c.Now = s.now().Add(c.Offset).UTC().Truncate(time.Microsecond)
		if err := s.repo.SetClockOffset(ctx, org.ID, c.Offset, s.now().UTC().Truncate(time.Microsecond)); err != nil {
			return err
		}
		due, err := s.repo.DueRequests(ctx, org.ID, c.Now)
		if err != nil {
			return err
		}
		for _, r := range due {
			if err := s.sched.Schedule(ctx, Execution{OrganizationID: org.ID, RequestID: r.ID, Due: *r.NextExecutionAt, Now: true}); err != nil {
				return errcode.Wrapf(err, "schedule due request %d", r.ID)
			}
		}
		c.Scheduled = len(due)
		return nil
	})
	return c, errcode.Wrapf(err, "advance the sandbox clock of organization %d by %s", org.ID, d)
}

// SetPrice fixes an instrument's price for the organization until it is
// cleared: quotes, executions and valuations use it. It emits
// INSTRUMENT.UPDATED (the instrument at its new price), as ClearPrice does. NotFound: not a
// sandbox organization, or no such symbol. Invalid: the price is not
// positive or has more than 8 decimal places.
func (s *Service) SetPrice(ctx context.Context, org investing.Org, symbol string, price decimal.Decimal) (Quote, error) {
	if err := sandboxOnly(org); err != nil {
		return Quote{}, err
	}
	if !price.IsPositive() || !price.Equal(price.Truncate(8)) {
		return Quote{}, errcode.New(errcode.Invalid, "price must be greater than 0 with at most 8 decimal places, not %s", price)
	}
	inst, err := s.instrument(ctx, symbol)
	if err != nil {
		return Quote{}, err
	}
	var q Quote
	err = s.repo.WithTx(ctx, func(ctx context.Context) error {
		if err := s.repo.SetPriceOverride(ctx, org.ID, inst.ID, price, s.now().UTC().Truncate(time.Microsecond)); err != nil {
			return err
		}
		if q, err = s.Instrument(ctx, org, symbol); err != nil {
			return err
		}
		return s.events.Emit(ctx, org.ID, InstrumentUpdated{q})
	})
	return q, errcode.Wrapf(err, "set the sandbox price of %s", symbol)
}

// ClearPrice returns an instrument to its market price. NotFound: not a
// sandbox organization, no such symbol, or no price set for it.
func (s *Service) ClearPrice(ctx context.Context, org investing.Org, symbol string) error {
	if err := sandboxOnly(org); err != nil {
		return err
	}
	inst, err := s.instrument(ctx, symbol)
	if err != nil {
		return err
	}
	err = s.repo.WithTx(ctx, func(ctx context.Context) error {
		deleted, err := s.repo.DeletePriceOverride(ctx, org.ID, inst.ID)
		if err != nil {
			return err
		}
		if !deleted {
			return errcode.New(errcode.NotFound, "no sandbox price is set for %s", symbol)
		}
		q, err := s.Instrument(ctx, org, symbol)
		if err != nil {
			return err
		}
		return s.events.Emit(ctx, org.ID, InstrumentUpdated{q})
	})
	return errcode.Wrapf(err, "clear the sandbox price of %s", symbol)
}

// ForceOutcome ends a PENDING request the way a test needs: ERROR with the
// given reason (no fill; a recurring request stops), or COMPLETED, which
// executes a one-time request now at the market (or sandbox) price. The
// returned request is the result. NotFound: not a sandbox organization,
// or no such request. Conflict: the request is not PENDING, or COMPLETED
// was asked of a recurring request. Unprocessable: the execution is
// impossible (the reason says why; the request stays PENDING). Invalid:
// ERROR without a reason.
func (s *Service) ForceOutcome(ctx context.Context, org investing.Org, id int64, status RequestStatus, reason string) (Request, error) {
	if err := sandboxOnly(org); err != nil {
		return Request{}, err
	}
	switch {
	case status == Failed && reason == "":
		return Request{}, errcode.New(errcode.Invalid, "errorReason is required with status ERROR")
	case status != Failed && status != Completed:
		return Request{}, errcode.New(errcode.Invalid, "status is COMPLETED or ERROR, not %s", status)
	}
	var r Request
	err := s.repo.WithTx(ctx, func(ctx context.Context) error {
		var err error
		if r, err = s.repo.Request(ctx, org.ID, id, true); err != nil {
			return err
		}
		if r.Status != Pending {
			return errcode.New(errcode.Conflict, "request %d is %s: only PENDING requests can be forced", r.ID, r.Status)
		}
		if status == Completed && r.IsRecurring {
			return errcode.New(errcode.Conflict, "request %d is recurring: it stays PENDING until canceled; advance the sandbox clock to run its cycles, or force ERROR to stop it", r.ID)
		}
		if status == Failed && r.IsRecurring {
			now, err := s.orgNow(ctx, org.ID)
			if err != nil {
				return err
			}
			r.Status, r.ErrorReason, r.NextExecutionAt, r.UpdatedAt = Failed, &reason, nil, now
			if err := s.repo.SaveRequest(ctx, &r); err != nil {
				return err
			}
			return s.events.Emit(ctx, org.ID, RequestUpdated{r})
		}
		_, err = s.execute(ctx, &r, &forcedOutcome{Status: status, Reason: reason})
		return err
	})
	return r, errcode.Wrapf(err, "force request %d to %s", id, status)
}
