package webhook

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/openvest/openvest/internal/errcode"
	"github.com/openvest/openvest/internal/metrics"
	"github.com/openvest/openvest/internal/txn"
)

// The first attempts of an emission's deliveries are made by the process
// that emitted them, right after the commit, by a Dispatcher's workers:
// no job is queued, fetched and completed per change (that was most of
// an emission's cost). The emission records, in its transaction, one
// dispatch row per webhook with the deliveries' ids and a due time; the
// worker deletes the row once the attempts are recorded. A dispatch that
// finds the workers' queue full is queued as the usual delivery job at
// once (its row deleted in that job's transaction). A row still there at
// its due time (its process died, an attempt could not be recorded) is
// taken by the sweep (Service.SweepDispatches, a periodic task), which
// queues the job for it: every delivery is attempted, at least once.
// Retries, held attempts and the deliveries of a process that works no
// deliveries are jobs as before.

// DispatchConfig tunes a Dispatcher.
type DispatchConfig struct {
	// Workers is how many dispatches are attempted at once (default 50:
	// they wait on the receivers' network, not on the CPU).
	Workers int
	// Queue is how many dispatches may wait for a worker (default 4,096);
	// one that finds no room is queued as a delivery job at once.
	Queue int
	// Grace is how long after the emission a dispatch becomes due, when
	// the sweep may queue it as a job (default 2 minutes). A worker stops
	// sending a second before (a dispatch taken later is not started), so
	// that a delivery is sent twice only when its receiver kept an attempt
	// until then.
	Grace time.Duration
}

// DefaultDispatchGrace is DispatchConfig.Grace's default.
const DefaultDispatchGrace = 2 * time.Minute

// Dispatcher makes the first attempts of the dispatches its process
// emitted, once their transactions commit.
type Dispatcher struct {
	s      *Service
	cfg    DispatchConfig
	work   chan Dispatch
	quit   chan struct{}      // closed by Stop: take no more dispatches
	ctx    context.Context    // the attempts' and hand-offs' (Start's values; no transaction)
	cancel context.CancelFunc // ends the attempts under way
	done   sync.WaitGroup
	mu     sync.Mutex // guards shut against offer's sends
	shut   bool
}

// NewDispatcher returns s's Dispatcher; Start starts it.
func NewDispatcher(s *Service, cfg DispatchConfig) *Dispatcher {
	if cfg.Workers <= 0 {
		cfg.Workers = 50
	}
	if cfg.Queue <= 0 {
		cfg.Queue = 4096
	}
	if cfg.Grace <= 0 {
		cfg.Grace = DefaultDispatchGrace
	}
	return &Dispatcher{s: s, cfg: cfg, work: make(chan Dispatch, cfg.Queue), quit: make(chan struct{})}
}

// Start starts the workers and makes s's emissions dispatch to them
// until Stop. ctx's values reach the attempts; its end does not stop them.
func (d *Dispatcher) Start(ctx context.Context) {
	d.ctx, d.cancel = context.WithCancel(context.WithoutCancel(ctx))
	actx := d.ctx
	for range d.cfg.Workers {
		d.done.Add(1)
		go func() {
			defer d.done.Done()
			for {
				select {
				case <-d.quit:
					return
				case job := <-d.work:
					metrics.WebhookDispatchQueue.Dec()
					select {
					case <-d.quit:
						return // left to the sweep
					default:
					}
					d.attempt(actx, job)
				}
			}
		}()
	}
	d.s.dispatcher.Store(d)
}

// Stop makes s's emissions queue jobs again and stops the workers: the
// attempts under way may finish until ctx ends (then they are cut); the
// dispatches still waiting are left to the sweep (their rows are
// committed).
func (d *Dispatcher) Stop(ctx context.Context) error {
	d.s.dispatcher.CompareAndSwap(d, nil)
	d.mu.Lock()
	if d.shut {
		d.mu.Unlock()
		return nil
	}
	d.shut = true
	d.mu.Unlock()
	close(d.quit)
	stopped := make(chan struct{})
	go func() {
		d.done.Wait()
		close(stopped)
	}()
	var err error
	select {
	case <-stopped:
	case <-ctx.Done():
		err = ctx.Err()
		if d.cancel != nil {
			d.cancel()
		}
		<-stopped
	}
	if d.cancel != nil {
		d.cancel()
	}
	for {
		select {
		case <-d.work:
			metrics.WebhookDispatchQueue.Dec()
		default:
			return err
		}
	}
}

// offer hands a committed dispatch to a worker; it reports false when
// the queue is full or the dispatcher stopped.
func (d *Dispatcher) offer(job Dispatch) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.shut {
		return false
	}
	select {
	case d.work <- job:
		metrics.WebhookDispatchQueue.Inc()
		return true
	default:
		return false
	}
}

// handOff queues the delivery job of a dispatch no worker can take now
// (the queue is full, or the dispatcher stopped), in the transaction that
// deletes its row: under a burst the deliveries go to the job queue at
// once instead of waiting for the sweep. If that fails the sweep takes
// the row when it is due.
func (d *Dispatcher) handOff(ctx context.Context, job Dispatch) {
	q, ok := d.s.queue.(BatchQueue)
	if !ok {
		return
	}
	ids := make([]int64, len(job.Out))
	for i, o := range job.Out {
		ids[i] = o.Delivery.ID
	}
	err := d.s.repo.WithTx(ctx, func(ctx context.Context) error {
		if err := d.s.repo.DeleteDispatch(ctx, job.OrganizationID, job.ID); err != nil {
			return err
		}
		return q.EnqueueFirstAttempts(ctx, job.OrganizationID, [][]int64{ids})
	})
	if err != nil {
		slog.Default().Warn("webhook dispatch: left to the sweep", "error", err.Error(), "dispatch_id", job.ID, "organization_id", job.OrganizationID)
		return
	}
	metrics.WebhookDispatches.WithLabelValues("full").Inc()
}

// attempt makes the first attempts of job's deliveries and deletes its
// row, unless its due time is too near (the sweep's, then).
func (d *Dispatcher) attempt(ctx context.Context, job Dispatch) {
	// Sending stops a second before the sweep may take it.
	if time.Until(job.deadline) <= 0 {
		metrics.WebhookDispatches.WithLabelValues("late").Inc()
		return
	}
	ctx, cancel := context.WithDeadline(ctx, job.deadline)
	defer cancel()
	if err := d.s.attemptOutgoing(ctx, job.OrganizationID, job.Out, 1, job.ID); err != nil {
		metrics.WebhookDispatches.WithLabelValues("error").Inc()
		if !errors.Is(err, context.Canceled) {
			slog.Default().Warn("webhook dispatch: left to the sweep", "error", err.Error(), "dispatch_id", job.ID, "organization_id", job.OrganizationID)
		}
		return
	}
	metrics.WebhookDispatches.WithLabelValues("attempted").Inc()
}

// dispatchAfterCommit hands ds to d's workers once the transaction ctx
// carries commits.
func (d *Dispatcher) dispatchAfterCommit(ctx context.Context, ds []Dispatch) {
	txn.AfterCommit(ctx, func() {
		for _, job := range ds {
			if !d.offer(job) {
				// not ctx: it carries the transaction that just committed
				d.handOff(context.WithoutCancel(d.ctx), job)
			}
		}
	})
}

// sweepBatch is how many dispatches one sweep transaction takes.
const sweepBatch = 500

// SweepDispatches queues a delivery job for each dispatch due by now
// (its process did not record its attempts in time), in the transaction
// that takes its row, until none is left; it returns how many it queued.
func (s *Service) SweepDispatches(ctx context.Context) (int, error) {
	q, ok := s.queue.(BatchQueue)
	if !ok {
		return 0, errors.New("webhook: the sweep needs a queue of first attempts (jobs.Queue)")
	}
	total := 0
	for {
		var n int
		err := s.repo.WithTx(ctx, func(ctx context.Context) error {
			due, err := s.repo.TakeDueDispatches(ctx, s.clock(), sweepBatch)
			if err != nil {
				return err
			}
			n = len(due)
			byOrg := map[int64][][]int64{}
			var orgs []int64
			for _, d := range due {
				if _, ok := byOrg[d.OrganizationID]; !ok {
					orgs = append(orgs, d.OrganizationID)
				}
				byOrg[d.OrganizationID] = append(byOrg[d.OrganizationID], d.DeliveryIDs)
			}
			for _, org := range orgs {
				if err := q.EnqueueFirstAttempts(ctx, org, byOrg[org]); err != nil {
					return errcode.Wrapf(err, "queue the first attempts of %d swept dispatches of organization %d", len(byOrg[org]), org)
				}
			}
			return nil
		})
		if err != nil {
			return total, errcode.Wrapf(err, "sweep the webhook dispatches due")
		}
		total += n
		metrics.WebhookDispatches.WithLabelValues("swept").Add(float64(n))
		if n < sweepBatch {
			return total, nil
		}
	}
}
