package trading

import (
	"context"
	"time"

	"github.com/openvest/openvest/internal/errcode"
)

// Schedule is how often a request executes.
type Schedule string

// The schedules.
const (
	Once     Schedule = "ONCE"
	Daily    Schedule = "DAILY"
	Weekly   Schedule = "WEEKLY"
	BiWeekly Schedule = "BI_WEEKLY"
	Monthly  Schedule = "MONTHLY"
)

// Recurring reports whether s repeats.
func (s Schedule) Recurring() bool {
	switch s {
	case Daily, Weekly, BiWeekly, Monthly:
		return true
	}
	return false
}

// Cycle is when the n-th cycle (from 1) of a schedule that started at
// anchor is due: n days, weeks, fortnights or months later. A monthly
// schedule keeps the anchor's day of the month, or the month's last day
// when it is shorter (started on January 31st: February 28th, March 31st).
func (s Schedule) Cycle(anchor time.Time, n int) time.Time {
	switch s {
	case Daily:
		return anchor.AddDate(0, 0, n)
	case Weekly:
		return anchor.AddDate(0, 0, 7*n)
	case BiWeekly:
		return anchor.AddDate(0, 0, 14*n)
	case Monthly:
		y, m, d := anchor.Date()
		first := time.Date(y, m+time.Month(n), 1, anchor.Hour(), anchor.Minute(), anchor.Second(), anchor.Nanosecond(), anchor.Location())
		last := first.AddDate(0, 1, -1).Day()
		return first.AddDate(0, 0, min(d, last)-1)
	}
	return anchor
}

// overdueGrace is how late a recurring cycle must be before the sweep
// schedules it again: far beyond the normal delay of a job.
const overdueGrace = 15 * time.Minute

// RescheduleOverdue schedules again the cycles of PENDING recurring
// requests that are more than overdueGrace late — a plan whose job was
// lost (discarded after its retries, say) would otherwise stop silently.
// A cycle that did run meanwhile is not run twice: executions are
// idempotent per cycle. It returns how many it scheduled.
func (s *Service) RescheduleOverdue(ctx context.Context) (int, error) {
	due, err := s.repo.OverdueRequests(ctx, s.now().Add(-overdueGrace), 1000)
	if err != nil {
		return 0, errcode.Wrapf(err, "find overdue recurring requests")
	}
	for _, r := range due {
		err := s.repo.WithTx(ctx, func(ctx context.Context) error {
			return s.sched.Schedule(ctx, Execution{OrganizationID: r.OrganizationID, RequestID: r.ID, Due: *r.NextExecutionAt})
		})
		if err != nil {
			return 0, errcode.Wrapf(err, "reschedule overdue request %d of organization %d", r.ID, r.OrganizationID)
		}
	}
	return len(due), nil
}
