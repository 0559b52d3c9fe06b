package jobs

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
)

// InsertWithRiver inserts args into queue with River's client (InsertTx,
// or InsertManyTx for several), to run after delay, as the direct insert
// would: the reference the direct insert's rows are compared with.
func (q *Queue) InsertWithRiver(ctx context.Context, queue string, delay time.Duration, args ...river.JobArgs) error {
	opts := &river.InsertOpts{Queue: queue}
	if delay > 0 {
		opts.ScheduledAt = time.Now().Add(delay)
	}
	if len(args) == 1 {
		return q.backend.insert(ctx, args[0], opts)
	}
	params := make([]river.InsertManyParams, len(args))
	for i, a := range args {
		params[i] = river.InsertManyParams{Args: a, InsertOpts: opts}
	}
	return q.backend.insertMany(ctx, params)
}

// InsertDirect inserts args (of one kind) into queue with the direct insert.
func (q *Queue) InsertDirect(ctx context.Context, queue string, delay time.Duration, args ...river.JobArgs) error {
	return q.direct.insert(ctx, queue, args[0].Kind(), delay, args...)
}

// InsertWithRiverTx inserts args into queue with River's client on tx.
func (q *Queue) InsertWithRiverTx(ctx context.Context, tx pgx.Tx, queue string, args river.JobArgs) error {
	_, err := q.backend.(*riverBackend[pgx.Tx]).client.InsertTx(ctx, tx, args, &river.InsertOpts{Queue: queue})
	return err
}

// InsertDirectTx inserts args into queue with the direct insert on tx
// (the queue's own notification limit).
func (q *Queue) InsertDirectTx(ctx context.Context, tx pgx.Tx, queue string, args river.JobArgs) error {
	d := *q.direct
	d.withTx = func(_ context.Context, fn func(pgx.Tx) error) error { return fn(tx) }
	return d.insert(ctx, queue, args.Kind(), 0, args)
}
