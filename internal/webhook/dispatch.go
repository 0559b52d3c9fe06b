package webhook

import (
	"context"
	"errors"
	"log/slog"
	"slices"
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
	// sending a tenth of it before (a dispatch taken later is not
	// started), so that a delivery is sent twice only when its receiver
	// kept an attempt until then.
	Grace time.Duration
	// Fresh is how long a dispatch may wait for a worker and still be sent
	// with the webhook as its emission read it (default 1 s); one that
	// waited longer is sent with its webhook as read at most Fresh ago
	// (it may have been deactivated, pointed elsewhere or deleted
	// meanwhile; a job's attempts read it too), one read per webhook and
	// Fresh however many dispatches wait.
	Fresh time.Duration
}

// DefaultDispatchGrace is DispatchConfig.Grace's default.
const DefaultDispatchGrace = 2 * time.Minute

// margin is how long before a dispatch's due time its worker stops
// sending: a tenth of the grace (12 s by default), room for the clocks of
// the replica that wrote the row and of the one that sweeps to differ.
func (c DispatchConfig) margin() time.Duration { return c.Grace / 10 }

// Dispatcher makes the first attempts of the dispatches its process
// emitted, once their transactions commit.
type Dispatcher struct {
	s      *Service
	cfg    DispatchConfig
	work   chan *Dispatch     // pointers: an empty queue of 4,096 costs 32 kB of idle memory, not half a megabyte
	quit   chan struct{}      // closed by Stop: take no more dispatches
	ctx    context.Context    // the attempts' and hand-offs' (Start's values; no transaction)
	cancel context.CancelFunc // ends the attempts under way
	done   sync.WaitGroup
	mu     sync.Mutex // guards shut against offer's sends
	shut   bool
	// recs are the last records of dispatches, which one recorder writes
	// together: the records that end at about the same time share one
	// statement and one commit.
	recs     chan pendingRecord
	recQuit  chan struct{}
	recorded chan struct{} // closed when the recorder ended
	hooksMu  sync.Mutex
	hooks    map[int64]cachedHook // webhook id → as last read (webhook)
}

// pendingRecord is a dispatch's last record on its way to the recorder.
type pendingRecord struct {
	rec      DispatchRecord
	deadline time.Time // the dispatch's: a record written later may follow the sweep's job
	done     chan error
}

// firstAttempt is the attempt a dispatch makes of each of its deliveries.
const firstAttempt = 1

// recordBatch is how many dispatches' records one statement writes at most.
const recordBatch = 64

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
	if cfg.Fresh <= 0 {
		cfg.Fresh = time.Second
	}
	return &Dispatcher{s: s, cfg: cfg, work: make(chan *Dispatch, cfg.Queue), quit: make(chan struct{}),
		recs: make(chan pendingRecord, cfg.Workers), recQuit: make(chan struct{}), recorded: make(chan struct{})}
}

// record hands a dispatch's last record to the recorder and waits for it
// to be written.
func (d *Dispatcher) record(ctx context.Context, rec DispatchRecord) error {
	p := pendingRecord{rec: rec, done: make(chan error, 1)}
	if dl, ok := ctx.Deadline(); ok {
		p.deadline = dl
	}
	select {
	case d.recs <- p:
	case <-d.recorded:
		return errors.New("webhook: the dispatcher stopped")
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case err := <-p.done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// recordLoop writes the records handed to record: each statement takes
// the one that woke it and those already waiting (up to recordBatch), so
// that no record waits for a timer.
func (d *Dispatcher) recordLoop(ctx context.Context) {
	defer close(d.recorded)
	batch := make([]pendingRecord, 0, recordBatch)
	for {
		batch = batch[:0]
		select {
		case <-d.recQuit:
			return
		case p := <-d.recs:
			batch = append(batch, p)
		}
	more:
		for len(batch) < recordBatch {
			select {
			case p := <-d.recs:
				batch = append(batch, p)
			default:
				break more
			}
		}
		d.write(ctx, batch)
	}
}

// write saves batch with one RecordDispatches,
// before the earliest of its dispatches' deadlines; when that fails, each
// record on its own (one bad record does not send the others' deliveries
// again through the sweep).
func (d *Dispatcher) write(ctx context.Context, batch []pendingRecord) {
	save := func(ps []pendingRecord) error {
		rs := make([]DispatchRecord, len(ps))
		dl := ps[0].deadline
		for i, p := range ps {
			rs[i] = p.rec
			if !p.deadline.IsZero() && (dl.IsZero() || p.deadline.Before(dl)) {
				dl = p.deadline
			}
		}
		wctx, cancel := ctx, context.CancelFunc(func() {})
		if !dl.IsZero() {
			wctx, cancel = context.WithDeadline(ctx, dl)
		}
		defer cancel()
		return d.s.repo.RecordDispatches(wctx, rs, firstAttempt, d.s.clock())
	}
	err := save(batch)
	if err == nil || len(batch) == 1 {
		for _, p := range batch {
			p.done <- err
		}
		return
	}
	for i := range batch {
		batch[i].done <- save(batch[i : i+1])
	}
}

// Start starts the workers and makes s's emissions dispatch to them
// until Stop. ctx's values reach the attempts; its end does not stop them.
func (d *Dispatcher) Start(ctx context.Context) {
	d.ctx, d.cancel = context.WithCancel(context.WithoutCancel(ctx))
	actx := d.ctx
	go d.recordLoop(actx)
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
					d.attempt(actx, *job)
				}
			}
		}()
	}
	d.s.dispatcher.Store(d)
}

// Stop makes s's emissions queue jobs again and stops the workers: the
// attempts under way may finish until ctx ends (then they are cut); the
// dispatches still waiting are queued as jobs while ctx lasts, and left
// to the sweep after (their rows are committed).
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
	close(d.recQuit) // the workers, which wait for their records, have ended
	if d.cancel != nil {
		<-d.recorded
	}
	// The dispatches still waiting become jobs now, while ctx lasts,
	// rather than waiting for the sweep (a deploy would delay them by
	// the grace).
	for {
		select {
		case job := <-d.work:
			metrics.WebhookDispatchQueue.Dec()
			if ctx.Err() == nil && d.ctx != nil {
				hctx, cancel := context.WithDeadline(d.ctx, deadlineOf(ctx))
				d.handOff(hctx, *job)
				cancel()
			}
		default:
			if d.cancel != nil {
				d.cancel()
			}
			return err
		}
	}
}

// deadlineOf is ctx's deadline, or an hour from now.
func deadlineOf(ctx context.Context) time.Time {
	if dl, ok := ctx.Deadline(); ok {
		return dl
	}
	return time.Now().Add(time.Hour)
}

// offer hands a committed dispatch to a worker; it reports false when
// the queue is full or the dispatcher stopped.
func (d *Dispatcher) offer(job Dispatch) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.shut {
		return false
	}
	job.queuedAt = time.Now()
	metrics.WebhookDispatchQueue.Inc() // before a worker can take it and Dec
	select {
	case d.work <- &job:
		return true
	default:
		metrics.WebhookDispatchQueue.Dec()
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
		if ok, err := d.s.repo.DeleteDispatch(ctx, job.OrganizationID, job.ID); err != nil || !ok {
			return err // not there: the sweep took it (its transaction outlived the grace)
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
	// Sending stops a tenth of the grace before the sweep may take it.
	if time.Until(job.deadline) <= 0 {
		metrics.WebhookDispatches.WithLabelValues("late").Inc()
		return
	}
	ctx, cancel := context.WithDeadline(ctx, job.deadline)
	defer cancel()
	out := job.Out
	if time.Since(job.queuedAt) > d.cfg.Fresh && len(out) > 0 {
		w, found, err := d.webhook(ctx, job.OrganizationID, out[0].Webhook.ID)
		if err != nil {
			metrics.WebhookDispatches.WithLabelValues("error").Inc()
			slog.Default().Warn("webhook dispatch: left to the sweep", "error", err.Error(), "dispatch_id", job.ID, "organization_id", job.OrganizationID)
			return
		}
		if !found {
			out = nil // deleted, with its deliveries: the row goes
		} else {
			out = slices.Clone(out)
			for i := range out {
				out[i].Webhook = w
			}
		}
	}
	if err := d.s.attemptOutgoing(ctx, job.OrganizationID, out, firstAttempt, job.ID); err != nil {
		metrics.WebhookDispatches.WithLabelValues("error").Inc()
		if !errors.Is(err, context.Canceled) {
			slog.Default().Warn("webhook dispatch: left to the sweep", "error", err.Error(), "dispatch_id", job.ID, "organization_id", job.OrganizationID)
		}
		return
	}
	metrics.WebhookDispatches.WithLabelValues("attempted").Inc()
}

// cachedHook is a webhook as last read for the dispatches that waited.
type cachedHook struct {
	at    time.Time // wall clock
	w     Webhook
	found bool
}

// webhook is webhook id of orgID as read at most d.cfg.Fresh ago: a
// backlog of dispatches reads each webhook about once per Fresh, not once
// per dispatch.
func (d *Dispatcher) webhook(ctx context.Context, orgID, id int64) (Webhook, bool, error) {
	d.hooksMu.Lock()
	c, ok := d.hooks[id]
	d.hooksMu.Unlock()
	if ok && time.Since(c.at) <= d.cfg.Fresh {
		return c.w, c.found, nil
	}
	at := time.Now()
	w, err := d.s.repo.Webhook(ctx, orgID, id, false)
	found := err == nil
	if errcode.Is(err, errcode.NotFound) {
		err = nil
	}
	if err != nil {
		return Webhook{}, false, err
	}
	d.hooksMu.Lock()
	if d.hooks == nil || len(d.hooks) > 10_000 {
		d.hooks = map[int64]cachedHook{}
	}
	d.hooks[id] = cachedHook{at: at, w: w, found: found}
	d.hooksMu.Unlock()
	return w, found, nil
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
