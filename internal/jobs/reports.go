package jobs

import (
	"context"
	"errors"
	"time"

	"github.com/openvest/openvest/internal/reports"
	"github.com/riverqueue/river"
)

// ReportArgs are the arguments of a produce_report job: produce the
// report, then make one attempt of its delivery.
type ReportArgs struct {
	OrganizationID int64 `json:"organizationId"`
	ReportID       int64 `json:"reportId"`
}

// Kind implements river.JobArgs.
func (ReportArgs) Kind() string { return "produce_report" }

// Reporter produces reports; reports.Service is one.
type Reporter interface {
	Run(ctx context.Context, orgID, reportID int64) error
}

var _ reports.Scheduler = (*Queue)(nil)

// RegisterReporter sets the Reporter that produce_report jobs call.
func (q *Queue) RegisterReporter(r Reporter) { q.reporter.Store(&r) }

// ScheduleReport implements reports.Scheduler: a produce_report job on the
// execution queue, in the transaction ctx carries, to run after delay.
func (q *Queue) ScheduleReport(ctx context.Context, orgID, reportID int64, delay time.Duration) error {
	return q.enqueue(ctx, q.cfg.Queue, ReportArgs{OrganizationID: orgID, ReportID: reportID}, delay)
}

type reportWorker struct {
	river.WorkerDefaults[ReportArgs]
	q *Queue
}

// Work implements river.Worker.
func (w *reportWorker) Work(ctx context.Context, job *river.Job[ReportArgs]) error {
	r := w.q.reporter.Load()
	if r == nil {
		return errors.New("jobs: no Reporter registered")
	}
	return (*r).Run(ctx, job.Args.OrganizationID, job.Args.ReportID)
}
