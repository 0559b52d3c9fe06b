package jobs

import (
	"context"
	"errors"
	"time"

	"github.com/openvest/openvest/internal/webhook"
	"github.com/riverqueue/river"
)

// DeliverArgs are the arguments of a deliver_webhook job: attempt Attempt
// of a webhook delivery.
type DeliverArgs struct {
	OrganizationID int64 `json:"organizationId"`
	DeliveryID     int64 `json:"deliveryId"`
	Attempt        int   `json:"attempt"`
	// DeliveryIDs, when set, are the deliveries of one change to one
	// webhook whose first attempts this one job makes, in order
	// (DeliveryID is then 0).
	DeliveryIDs []int64 `json:"deliveryIds,omitempty"`
	// Held: a delivery fault held this attempt back; it runs without
	// applying the fault rules again.
	Held bool `json:"held,omitempty"`
}

// Kind implements river.JobArgs.
func (DeliverArgs) Kind() string { return "deliver_webhook" }

// Deliverer makes delivery attempts; webhook.Service is one.
type Deliverer interface {
	Attempt(ctx context.Context, orgID, deliveryID int64, n int) error
}

// BatchDeliverer also makes attempt n of several deliveries in order;
// webhook.Service is one. A Deliverer that is not one gets them one by one.
type BatchDeliverer interface {
	AttemptAll(ctx context.Context, orgID int64, deliveryIDs []int64, n int) error
}

var (
	_ webhook.Queue      = (*Queue)(nil)
	_ webhook.BatchQueue = (*Queue)(nil)
	_ BatchDeliverer     = (*webhook.Service)(nil)
)

// RegisterDeliverer sets the Deliverer that deliver_webhook jobs call.
func (q *Queue) RegisterDeliverer(d Deliverer) { q.deliverer.Store(&d) }

// EnqueueAttempt implements webhook.Queue: it inserts a deliver_webhook job
// in the transaction ctx carries, to run after delay.
func (q *Queue) EnqueueAttempt(ctx context.Context, orgID, deliveryID int64, attempt int, delay time.Duration) error {
	return q.enqueue(ctx, q.cfg.DeliveryQueue, DeliverArgs{OrganizationID: orgID, DeliveryID: deliveryID, Attempt: attempt}, delay)
}

// EnqueueFirstAttempts implements webhook.BatchQueue: one deliver_webhook
// job per group of deliveries (their first attempts, in order), all
// inserted with one statement in the transaction ctx carries (on
// PostgreSQL the direct insert, insert.go).
func (q *Queue) EnqueueFirstAttempts(ctx context.Context, orgID int64, groups [][]int64) error {
	if len(groups) == 0 {
		return nil
	}
	if q.direct != nil {
		args := make([]river.JobArgs, len(groups))
		for i, ids := range groups {
			args[i] = firstAttempts(orgID, ids)
		}
		return q.direct.insert(ctx, q.cfg.DeliveryQueue, DeliverArgs{}.Kind(), 0, args...)
	}
	params := make([]river.InsertManyParams, 0, len(groups))
	opts := &river.InsertOpts{Queue: q.cfg.DeliveryQueue}
	for _, ids := range groups {
		params = append(params, river.InsertManyParams{Args: firstAttempts(orgID, ids), InsertOpts: opts})
	}
	return q.backend.insertMany(ctx, params)
}

// firstAttempts are the args of the job making the first attempts of the
// deliveries ids.
func firstAttempts(orgID int64, ids []int64) DeliverArgs {
	args := DeliverArgs{OrganizationID: orgID, Attempt: 1}
	if len(ids) == 1 {
		args.DeliveryID = ids[0]
	} else {
		args.DeliveryIDs = ids
	}
	return args
}

// EnqueueHeldAttempt implements webhook.HeldQueue: attempt of a delivery
// held back by a delivery fault, to run after delay without the faults.
func (q *Queue) EnqueueHeldAttempt(ctx context.Context, orgID, deliveryID int64, attempt int, delay time.Duration) error {
	return q.enqueue(ctx, q.cfg.DeliveryQueue, DeliverArgs{OrganizationID: orgID, DeliveryID: deliveryID, Attempt: attempt, Held: true}, delay)
}

// deliverWorker works deliver_webhook jobs. One job is one attempt; the
// attempt itself queues the next one when it fails, so River's own retries
// only cover errors of the database (an attempt that cannot be recorded).
type deliverWorker struct {
	river.WorkerDefaults[DeliverArgs]
	q *Queue
}

// Work implements river.Worker.
func (w *deliverWorker) Work(ctx context.Context, job *river.Job[DeliverArgs]) error {
	d := w.q.deliverer.Load()
	if d == nil {
		return errors.New("jobs: no Deliverer registered")
	}
	if job.Args.Held {
		ctx = webhook.Held(ctx)
	}
	if len(job.Args.DeliveryIDs) == 0 {
		return (*d).Attempt(ctx, job.Args.OrganizationID, job.Args.DeliveryID, job.Args.Attempt)
	}
	if b, ok := (*d).(BatchDeliverer); ok {
		return b.AttemptAll(ctx, job.Args.OrganizationID, job.Args.DeliveryIDs, job.Args.Attempt)
	}
	for _, id := range job.Args.DeliveryIDs {
		if err := (*d).Attempt(ctx, job.Args.OrganizationID, id, job.Args.Attempt); err != nil {
			return err
		}
	}
	return nil
}
