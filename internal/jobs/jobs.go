// Package jobs runs the background work of the service on River, a job
// queue that lives in the service's own database: in PostgreSQL through
// its pgx driver, in SQLite through its SQLite driver. The client runs in
// the same process as the HTTP server (Start, Stop).
//
// Jobs are inserted in the unit of work of the change that asks for them,
// the transaction its context carries (see package txn): the request row
// and its execution job commit together or not at all. On PostgreSQL the
// insert runs on the very connection and transaction of the store's GORM
// transaction (store.PgxTx); on SQLite in its *sql.Tx (store.SQLTx). On
// PostgreSQL the jobs that are not unique skip River's client: one
// statement of ours writes River's row and its insert notification
// (insert.go).
//
// Two queues, each with its own workers, so that a backlog of deliveries
// never delays a purchase. The execution queue works execute_request (an
// investing request, or one cycle of a recurring one, through an
// Executor), produce_report (a report and one attempt of its delivery,
// through a Reporter) and periodic_task (one run of a task registered
// with Every: the sweeps and purges, once per cluster). The delivery
// queue works deliver_webhook (one attempt of a webhook delivery, through
// a Deliverer). Every job is idempotent, so a job that runs twice (a
// retry, a crash after the work but before River recorded it, a rescue of
// a job whose process died) does nothing the second time.
package jobs

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/openvest/openvest/internal/store"
	"github.com/openvest/openvest/internal/trading"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivertype"
)

// ExecuteArgs are the arguments of an execute_request job.
type ExecuteArgs struct {
	OrganizationID int64 `json:"organizationId"`
	RequestID      int64 `json:"requestId"`
	// Due is the recurring cycle to execute (unix microseconds); 0 for a one-time request.
	Due int64 `json:"due,omitempty"`
}

// Kind implements river.JobArgs.
func (ExecuteArgs) Kind() string { return "execute_request" }

// Executor executes requests; trading.Service is one.
type Executor interface {
	ExecuteRequest(ctx context.Context, orgID, requestID int64, due time.Time) error
}

// BatchExecutor is an Executor that may execute a one-time request
// together with the other pending purchases of its account
// (trading.Service.ExecuteBatch); execute_request jobs of one-time
// requests use it when the registered Executor is one.
type BatchExecutor interface {
	ExecuteBatch(ctx context.Context, orgID, requestID int64) error
}

// Config tunes New.
type Config struct {
	// DatabaseURL is the PostgreSQL URL the workers connect with (a small
	// pool of their own); unused on SQLite, where River shares the store's connection.
	DatabaseURL string
	// Queue is the queue of request executions this client inserts into
	// and works (default "default"); DeliveryQueue that of webhook
	// deliveries (default "webhooks", or Queue+"_webhooks" when Queue is
	// set). Tests give each server its own so that it works only its own jobs.
	Queue, DeliveryQueue string
	// MaxWorkers is the number of request executions worked at once
	// (default DefaultMaxWorkers); DeliveryWorkers the number of webhook deliveries
	// (default 50: they wait on the receivers' network, not on the CPU).
	// Each queue has its own workers, so a backlog of deliveries never
	// delays a purchase.
	MaxWorkers, DeliveryWorkers int
	// PollInterval is how often the queue is polled besides notifications
	// (default 1s on PostgreSQL, 250ms on SQLite, which has no
	// notifications); Cooldown the least time between two fetches (default 100ms).
	PollInterval, Cooldown time.Duration
	Logger                 *slog.Logger
	// TestOnly turns off River's staggered start of its maintenance services.
	TestOnly bool
	// RescueStuckJobsAfter is how long a job may stay running before it is
	// taken to have died with its process and is retried (default
	// JobTimeout + RescueMargin: a job cannot still be running then, so work
	// stranded by a crash resumes about a minute later); JobTimeout bounds
	// one run (default one minute).
	RescueStuckJobsAfter, JobTimeout time.Duration
	// PollOnly turns off LISTEN/NOTIFY: the queues are polled only (behind
	// a transaction pooler with no direct URL, where notifications are lost).
	PollOnly bool
	// MaxConns is the size of the queue's own PostgreSQL pool (default 8);
	// IdleTimeout closes its connections idle that long (default pgxpool's 30m).
	MaxConns    int
	IdleTimeout time.Duration
}

// How often the execution queue is fetched from at most and at least.
const (
	executionCooldown = 10 * time.Millisecond
	executionPoll     = 100 * time.Millisecond
	deliveryCooldown  = 20 * time.Millisecond
)

// Defaults of Config.
const (
	DefaultJobTimeout = time.Minute
	// DefaultMaxWorkers: an execution spends most of its time waiting on
	// the database (a dozen statements and the portfolio's row lock), so
	// 10 workers held fills below the rate purchases are accepted at on
	// 2 cores (132 fills/s against 182 accepted); 32 keep up.
	DefaultMaxWorkers      = 32
	RescueMargin           = 10 * time.Second
	DefaultDeliveryWorkers = 50
	DefaultDeliveryQueue   = "webhooks"
	DefaultMaxConns        = 8
)

// withDefaults fills in what cfg leaves unset.
func (cfg Config) withDefaults() (Config, error) {
	if cfg.Queue == "" {
		cfg.Queue = river.QueueDefault
	}
	if cfg.DeliveryQueue == "" {
		cfg.DeliveryQueue = DefaultDeliveryQueue
		if cfg.Queue != river.QueueDefault {
			cfg.DeliveryQueue = cfg.Queue + "_webhooks"
		}
	}
	if cfg.DeliveryQueue == cfg.Queue {
		return cfg, fmt.Errorf("jobs: the delivery queue must differ from the execution queue %q", cfg.Queue)
	}
	if cfg.MaxWorkers <= 0 {
		cfg.MaxWorkers = DefaultMaxWorkers
	}
	if cfg.DeliveryWorkers <= 0 {
		cfg.DeliveryWorkers = DefaultDeliveryWorkers
	}
	if cfg.JobTimeout <= 0 {
		cfg.JobTimeout = DefaultJobTimeout
	}
	if cfg.RescueStuckJobsAfter <= 0 {
		cfg.RescueStuckJobsAfter = cfg.JobTimeout + RescueMargin
	}
	if cfg.RescueStuckJobsAfter < cfg.JobTimeout {
		return cfg, fmt.Errorf("jobs: the rescue delay %s must be at least the job timeout %s (OPENVEST_JOB_RESCUE_AFTER, OPENVEST_JOB_TIMEOUT)", cfg.RescueStuckJobsAfter, cfg.JobTimeout)
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return cfg, nil
}

// Queues are the names of the execution and delivery queues.
func (q *Queue) Queues() (executions, deliveries string) { return q.cfg.Queue, q.cfg.DeliveryQueue }

// RescueAfter is how long a running job waits to be rescued.
func (q *Queue) RescueAfter() time.Duration { return q.cfg.RescueStuckJobsAfter }

// Queue is a River client: it inserts jobs and, once started, works them.
type Queue struct {
	cfg       Config
	exec      atomic.Pointer[Executor]
	deliverer atomic.Pointer[Deliverer]
	reporter  atomic.Pointer[Reporter]
	backend   backend
	direct    *direct // PostgreSQL: the direct insert of jobs that are not unique (insert.go)
	close     func()
	started   atomic.Bool
	tasks     tasks
}

var _ trading.Scheduler = (*Queue)(nil)

// backend is the River client of one dialect.
type backend interface {
	insert(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) error
	insertMany(ctx context.Context, params []river.InsertManyParams) error
	start(ctx context.Context) error
	stop(ctx context.Context) error
	addPeriodic(job *river.PeriodicJob) error
}

// New returns a Queue on the store's database. Register an Executor before Start.
func New(ctx context.Context, st *store.Store, cfg Config) (*Queue, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	q := &Queue{cfg: cfg, close: func() {}}
	workers := river.NewWorkers()
	if err := river.AddWorkerSafely(workers, &executeWorker{q: q}); err != nil {
		return nil, err
	}
	if err := river.AddWorkerSafely(workers, &deliverWorker{q: q}); err != nil {
		return nil, err
	}
	if err := river.AddWorkerSafely(workers, &reportWorker{q: q}); err != nil {
		return nil, err
	}
	if err := river.AddWorkerSafely(workers, &periodicWorker{q: q}); err != nil {
		return nil, err
	}
	config := &river.Config{
		// Executions are fetched at once on the insert's notification and
		// polled every 100ms besides (a notification River leaves out —
		// it sends one per queue per cooldown — costs at most that).
		// Deliveries are fetched every 20ms at most while a backlog lasts
		// (a fetch takes as many jobs as workers are free, so the cooldown
		// bounds the rate: River's 100ms held 10 workers to 100/s), and
		// polled every second besides.
		Queues: map[string]river.QueueConfig{
			cfg.Queue:         {MaxWorkers: cfg.MaxWorkers, FetchCooldown: cmp.Or(cfg.Cooldown, executionCooldown), FetchPollInterval: cmp.Or(cfg.PollInterval, executionPoll)},
			cfg.DeliveryQueue: {MaxWorkers: cfg.DeliveryWorkers, FetchCooldown: cmp.Or(cfg.Cooldown, deliveryCooldown), FetchPollInterval: cfg.PollInterval},
		},
		Workers: workers,
		// The direct insert (insert.go) writes what this configuration
		// makes River's client write (no MaxAttempts, no Schema, the
		// observe middleware's metadata): a setting, hook or middleware
		// that changes an inserted row must be mirrored there
		// (TestDirectInsertWritesWhatRiverWrites compares the rows).
		Middleware:        []rivertype.Middleware{&observe{}},
		FetchPollInterval: cfg.PollInterval,
		FetchCooldown:     cmp.Or(cfg.Cooldown, executionCooldown), // also the insert notifications' rate limit
		Logger:            cfg.Logger,
		TestOnly:          cfg.TestOnly,

		RescueStuckJobsAfter: cfg.RescueStuckJobsAfter,
		JobTimeout:           cfg.JobTimeout,
	}
	switch st.Dialect {
	case store.Postgres:
		pcfg, err := pgxpool.ParseConfig(cfg.DatabaseURL)
		if err != nil {
			return nil, fmt.Errorf("jobs: database URL: %w", err)
		}
		pcfg.MaxConns = int32(cmp.Or(cfg.MaxConns, DefaultMaxConns))
		if cfg.IdleTimeout > 0 {
			pcfg.MaxConnIdleTime = cfg.IdleTimeout
		}
		pool, err := pgxpool.NewWithConfig(ctx, pcfg)
		if err != nil {
			return nil, fmt.Errorf("jobs: connect: %w", err)
		}
		config.PollOnly = cfg.PollOnly
		client, err := river.NewClient(riverpgxv5.New(pool), config)
		if err != nil {
			pool.Close()
			return nil, fmt.Errorf("jobs: %w", err)
		}
		q.backend = &riverBackend[pgx.Tx]{client: client, withTx: st.PgxTx}
		q.direct = newDirect(st.PgxTx, config.FetchCooldown, cfg.Queue, cfg.DeliveryQueue)
		q.close = pool.Close
	case store.SQLite:
		sqlDB, err := st.SQLDB()
		if err != nil {
			return nil, err
		}
		config.PollOnly = true // one process, one connection: nothing to listen for
		if config.FetchPollInterval == 0 {
			config.FetchPollInterval = 250 * time.Millisecond // polling is the only wake-up: keep it short
		}
		client, err := river.NewClient(riversqlite.New(sqlDB), config)
		if err != nil {
			return nil, fmt.Errorf("jobs: %w", err)
		}
		q.backend = &riverBackend[*sql.Tx]{client: client, withTx: func(ctx context.Context, fn func(*sql.Tx) error) error {
			tx, err := st.SQLTx(ctx)
			if err != nil {
				return err
			}
			return fn(tx)
		}}
	default:
		return nil, fmt.Errorf("jobs: unsupported database %s", st.Dialect)
	}
	return q, nil
}

// Register sets the Executor that execute_request jobs call.
func (q *Queue) Register(e Executor) { q.exec.Store(&e) }

// Start starts working jobs until Stop.
func (q *Queue) Start(ctx context.Context) error {
	if q.exec.Load() == nil {
		return errors.New("jobs: Register an Executor before Start")
	}
	if err := q.backend.start(ctx); err != nil {
		return err
	}
	q.started.Store(true)
	return nil
}

// Stop stops fetching jobs, waits for the running ones to finish (until ctx
// ends) and releases the queue's connections.
func (q *Queue) Stop(ctx context.Context) error {
	var err error
	if q.started.CompareAndSwap(true, false) {
		err = q.backend.stop(ctx)
	}
	q.close()
	return err
}

// Schedule implements trading.Scheduler: it inserts an execute_request
// job in the transaction ctx carries, to run after e.Delay.
func (q *Queue) Schedule(ctx context.Context, e trading.Execution) error {
	args := ExecuteArgs{OrganizationID: e.OrganizationID, RequestID: e.RequestID}
	var unique river.UniqueOpts
	if !e.Due.IsZero() {
		args.Due = e.Due.UnixMicro()
		// One job per (request, cycle): replicas rescheduling the same
		// overdue cycle, or a reschedule racing the cycle's own job, insert
		// it once while a job of that cycle is waiting, running or done.
		// A sandbox clock move (e.Now) inserts one to run at once besides.
		if !e.Now {
			unique = river.UniqueOpts{ByArgs: true}
		}
	}
	return q.enqueueUnique(ctx, q.cfg.Queue, args, e.Delay, unique)
}

// enqueue inserts a job into queue in the transaction ctx carries, to run
// after delay (River schedules on the real clock). On PostgreSQL a job
// that is not unique goes in with the direct insert (insert.go); a unique
// one, and every job on SQLite, through River's client.
func (q *Queue) enqueue(ctx context.Context, queue string, args river.JobArgs, delay time.Duration) error {
	return q.enqueueUnique(ctx, queue, args, delay, river.UniqueOpts{})
}

func (q *Queue) enqueueUnique(ctx context.Context, queue string, args river.JobArgs, delay time.Duration, unique river.UniqueOpts) error {
	if q.direct != nil && !unique.ByArgs && !unique.ByQueue && unique.ByPeriod == 0 && unique.ByState == nil {
		return q.direct.insert(ctx, queue, args.Kind(), delay, args)
	}
	opts := &river.InsertOpts{Queue: queue, UniqueOpts: unique}
	if delay > 0 {
		opts.ScheduledAt = time.Now().Add(delay)
	}
	return q.backend.insert(ctx, args, opts)
}

type riverBackend[TTx any] struct {
	client *river.Client[TTx]
	withTx func(ctx context.Context, fn func(TTx) error) error
}

func (b *riverBackend[TTx]) insert(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) error {
	return b.withTx(ctx, func(tx TTx) error {
		_, err := b.client.InsertTx(ctx, tx, args, opts)
		return err
	})
}

func (b *riverBackend[TTx]) insertMany(ctx context.Context, params []river.InsertManyParams) error {
	return b.withTx(ctx, func(tx TTx) error {
		_, err := b.client.InsertManyTx(ctx, tx, params)
		return err
	})
}

func (b *riverBackend[TTx]) addPeriodic(job *river.PeriodicJob) error {
	_, err := b.client.PeriodicJobs().AddSafely(job)
	return err
}

func (b *riverBackend[TTx]) start(ctx context.Context) error { return b.client.Start(ctx) }
func (b *riverBackend[TTx]) stop(ctx context.Context) error  { return b.client.Stop(ctx) }

// executeWorker works execute_request jobs.
type executeWorker struct {
	river.WorkerDefaults[ExecuteArgs]
	q *Queue
}

// Work implements river.Worker. An error makes River retry the job later.
func (w *executeWorker) Work(ctx context.Context, job *river.Job[ExecuteArgs]) error {
	exec := w.q.exec.Load()
	if exec == nil {
		return errors.New("jobs: no Executor registered")
	}
	if job.Args.Due == 0 {
		if b, ok := (*exec).(BatchExecutor); ok {
			return b.ExecuteBatch(ctx, job.Args.OrganizationID, job.Args.RequestID)
		}
		return (*exec).ExecuteRequest(ctx, job.Args.OrganizationID, job.Args.RequestID, time.Time{})
	}
	return (*exec).ExecuteRequest(ctx, job.Args.OrganizationID, job.Args.RequestID, time.UnixMicro(job.Args.Due).UTC())
}
