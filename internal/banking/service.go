package banking

import (
	"time"

	"github.com/openvest/openvest/internal/errcode"
	"github.com/openvest/openvest/internal/event"
)

// DefaultDormancyMonths is the inactivity period after which an ACTIVE
// customer becomes DORMANT, unless configured otherwise.
const DefaultDormancyMonths = 12

// Options tune a Service.
type Options struct {
	// DormancyMonths is the inactivity period, in calendar months, after
	// which MarkDormant moves an ACTIVE customer to DORMANT
	// (DefaultDormancyMonths when 0).
	DormancyMonths int
}

// Service carries out the banking use cases. Each write runs in one
// transaction with its side effects.
type Service struct {
	repo           Repository
	now            func() time.Time
	dormancyMonths int
	events         event.Emitter
}

// NewService returns a Service on repo; now is the clock (time.Now in production).
func NewService(repo Repository, now func() time.Time, opts Options) *Service {
	if opts.DormancyMonths <= 0 {
		opts.DormancyMonths = DefaultDormancyMonths
	}
	return &Service{repo: repo, now: now, dormancyMonths: opts.DormancyMonths, events: event.Discard{}}
}

// clock returns the current time as stored: UTC, microsecond precision.
func (s *Service) clock() time.Time { return s.now().UTC().Truncate(time.Microsecond) }

// today is the date of t, as dates are stored (midnight UTC).
func today(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// sandboxOnly refuses the sandbox controls to production organizations:
// for them the controls do not exist (NotFound).
func sandboxOnly(org Org) error {
	if org.Sandbox {
		return nil
	}
	return errcode.New(errcode.NotFound, "sandbox controls exist for sandbox organizations only")
}
