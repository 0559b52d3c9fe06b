package jobs

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/riverqueue/river"
)

// PeriodicArgs are the arguments of a periodic_task job: one run of a task
// registered with Every.
type PeriodicArgs struct {
	Task string `json:"task"`
}

// Kind implements river.JobArgs.
func (PeriodicArgs) Kind() string { return "periodic_task" }

// tasks are the periodic tasks by name.
type tasks struct {
	mu sync.Mutex
	m  map[string]func(context.Context) error
}

func (t *tasks) get(name string) func(context.Context) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.m[name]
}

func (t *tasks) set(name string, fn func(context.Context) error) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.m == nil {
		t.m = map[string]func(context.Context) error{}
	}
	if _, dup := t.m[name]; dup {
		return false
	}
	t.m[name] = fn
	return true
}

// Every runs fn every interval, once per cluster: the River leader (one
// replica among all those on the database) inserts a periodic_task job
// at each interval and at its election, and any replica works it. The
// job is unique per task and interval period, so a change of leader does
// not run it twice in a period. Call it before Start.
func (q *Queue) Every(name string, interval time.Duration, fn func(context.Context) error) error {
	if interval <= 0 {
		return fmt.Errorf("jobs: periodic task %s: the interval must be positive", name)
	}
	if !q.tasks.set(name, fn) {
		return fmt.Errorf("jobs: periodic task %s is registered twice", name)
	}
	queue := q.cfg.Queue
	job := river.NewPeriodicJob(river.PeriodicInterval(interval), func() (river.JobArgs, *river.InsertOpts) {
		return PeriodicArgs{Task: name}, &river.InsertOpts{Queue: queue, UniqueOpts: river.UniqueOpts{ByArgs: true, ByPeriod: interval}}
	}, &river.PeriodicJobOpts{ID: name, RunOnStart: true})
	return q.backend.addPeriodic(job)
}

// periodicWorker works periodic_task jobs.
type periodicWorker struct {
	river.WorkerDefaults[PeriodicArgs]
	q *Queue
}

// Work implements river.Worker. A task this process does not know (a
// replica of another version inserted it) is cancelled, not retried.
func (w *periodicWorker) Work(ctx context.Context, job *river.Job[PeriodicArgs]) error {
	fn := w.q.tasks.get(job.Args.Task)
	if fn == nil {
		return river.JobCancel(fmt.Errorf("jobs: unknown periodic task %q", job.Args.Task))
	}
	if err := fn(ctx); err != nil {
		return fmt.Errorf("periodic task %s: %w", job.Args.Task, err)
	}
	return nil
}
