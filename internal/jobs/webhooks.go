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

var _ webhook.Queue = (*Queue)(nil)

// RegisterDeliverer sets the Deliverer that deliver_webhook jobs call.
func (q *Queue) RegisterDeliverer(d Deliverer) { q.deliverer.Store(&d) }

// EnqueueAttempt implements webhook.Queue: it inserts a deliver_webhook job
// in the transaction ctx carries, to run after delay.
func (q *Queue) EnqueueAttempt(ctx context.Context, orgID, deliveryID int64, attempt int, delay time.Duration) error {
	return q.enqueue(ctx, q.cfg.DeliveryQueue, DeliverArgs{OrganizationID: orgID, DeliveryID: deliveryID, Attempt: attempt}, delay)
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
	return (*d).Attempt(ctx, job.Args.OrganizationID, job.Args.DeliveryID, job.Args.Attempt)
}
