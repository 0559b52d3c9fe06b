package jobs

// The direct insert. On PostgreSQL a job that is not unique (a purchase's
// execution, a webhook delivery's attempts, a report) is inserted with one
// statement of our own into River's river_job table, on the connection and
// in the transaction of the change that asks for it, instead of through
// River's client (InsertTx, InsertManyTx), the way River's Python and Ruby
// clients insert jobs. River's client costs about 140 allocations and two
// statements per insert (the insert, then the insert notification); this
// is one statement and a few allocations.
//
// Every column gets what River v0.47's JobInsertFastMany writes for the
// same args and InsertOpts{Queue, ScheduledAt} with this package's
// river.Config (no MaxAttempts, Priority, Tags, Metadata or UniqueOpts of
// its own, no hooks, the observe middleware):
//
//   - args: encoding/json of the args, as River's client encodes them;
//   - kind, queue;
//   - max_attempts: river.MaxAttemptsDefault (25), priority:
//     river.PriorityDefault (1), tags: '{}';
//   - metadata: '{}', or the trace context the observe middleware adds;
//   - created_at: the client's clock when the job is inserted;
//     scheduled_at: the same, or that plus the delay;
//   - state: available, or scheduled for a delayed job;
//   - unique_key, unique_states: NULL (not unique); the other columns
//     (attempt, errors, attempted_at, attempted_by, finalized_at) keep
//     their defaults, as River leaves them.
//
// An available job wakes the queue's producers as River's insert does: a
// pg_notify on River's insert topic (<schema>.river_insert, payload
// {"queue": "<queue>"}), at most one per queue per fetch cooldown (River's
// insertNotifyLimiter), in the same statement, delivered at commit.
// TestDirectInsertWritesWhatRiverWrites compares the rows column by column.
//
// Unique jobs (a recurring request's cycle, UniqueOpts.ByArgs: River
// computes the unique key and handles the conflict) and SQLite keep
// River's client insert.

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/openvest/openvest/internal/store"
	"github.com/riverqueue/river"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
)

// direct inserts jobs into river_job with one statement on the connection
// of the transaction ctx carries.
type direct struct {
	withTx   func(ctx context.Context, fn func(pgx.Tx) error) error
	cooldown time.Duration
	queues   map[string]*queueNotify // read only after newDirect
	kinds    map[string]any          // the job kinds as parameters, boxed once
}

// queueNotify is one queue's insert notification and when it was last
// sent; name and payload are parameters, boxed once.
type queueNotify struct {
	name, payload any          // the queue; {"queue": "<queue>"}, as River writes it
	last          atomic.Int64 // unix nanoseconds of the last notification, 0 for none
}

func newDirect(withTx func(ctx context.Context, fn func(pgx.Tx) error) error, cooldown time.Duration, queues ...string) *direct {
	d := &direct{withTx: withTx, cooldown: cooldown, queues: map[string]*queueNotify{}, kinds: map[string]any{}}
	for _, q := range queues {
		d.queues[q] = &queueNotify{name: q, payload: notifyPayload(q)}
	}
	for _, k := range []string{ExecuteArgs{}.Kind(), DeliverArgs{}.Kind(), ReportArgs{}.Kind()} {
		d.kinds[k] = k
	}
	return d
}

// notifyPayload is the payload of River's insert notification for queue
// (client.go maybeNotifyInsertForQueues).
func notifyPayload(queue string) string { return fmt.Sprintf("{\"queue\": %q}", queue) }

// shouldNotify reports whether an insert into a queue at now (unix
// nanoseconds) sends the queue's notification: when none was sent in the
// cooldown before now, as River's notifylimiter.Limiter.ShouldTrigger.
func (n *queueNotify) shouldNotify(now int64, cooldown time.Duration) bool {
	for {
		last := n.last.Load()
		if last != 0 && last >= now-int64(cooldown) {
			return false
		}
		if n.last.CompareAndSwap(last, now) {
			return true
		}
	}
}

// insert inserts a job of kind into queue for each of args, in the
// transaction ctx carries, to run after delay.
func (d *direct) insert(ctx context.Context, queue, kind string, delay time.Duration, args ...river.JobArgs) error {
	if len(args) == 0 {
		return nil
	}
	params := make([]any, fixedParams, fixedParams+len(args)+1)
	now := time.Now().UTC()
	created := any(now)
	n, known := d.queues[queue]
	var kindArg, queueArg any = kind, queue
	if k, ok := d.kinds[kind]; ok {
		kindArg = k
	}
	if known {
		queueArg = n.name
	}
	params[0], params[1], params[2], params[3], params[4], params[5] = created, kindArg, "{}", queueArg, created, "available"
	if delay > 0 {
		params[4], params[5] = now.Add(delay), "scheduled"
	}
	if trace.SpanContextFromContext(ctx).IsValid() {
		meta, err := traceMetadata(ctx)
		if err != nil {
			return err
		}
		params[2] = meta
	}
	for _, a := range args {
		b, err := json.Marshal(a)
		if err != nil {
			return fmt.Errorf("jobs: encode the args of a %s job: %w", kind, err)
		}
		params = append(params, string(b)) // a string: text, never bytea, in the simple protocol too
	}
	notify := false
	switch {
	case delay > 0: // River's scheduler notifies when it makes the job available
	case known:
		if n.shouldNotify(now.UnixNano(), d.cooldown) {
			params, notify = append(params, n.payload), true
		}
	default:
		params, notify = append(params, notifyPayload(queue)), true
	}
	query := insertSQL(len(args), notify)
	return d.withTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, query, params...); err != nil {
			return fmt.Errorf("jobs: insert %d %s job(s): %w", len(args), kind, err)
		}
		return nil
	})
}

// traceMetadata is the metadata the observe middleware gives a job
// inserted with ctx: the W3C trace context under traceMetadataKey.
func traceMetadata(ctx context.Context) (string, error) {
	carrier := propagation.MapCarrier{}
	propagation.TraceContext{}.Inject(ctx, carrier)
	if len(carrier) == 0 {
		return "{}", nil
	}
	b, err := json.Marshal(map[string]propagation.MapCarrier{traceMetadataKey: carrier})
	return string(b), err
}

// fixedParams are the statement's parameters before the args: created_at,
// kind, metadata, queue, scheduled_at, state.
const fixedParams = 6

// insertSQL is the statement inserting n jobs, with the insert
// notification (its payload the last parameter) or without.
func insertSQL(n int, notify bool) string {
	k := n << 1 // one integer key: no allocation for its lookup (under 128 jobs)
	if notify {
		k |= 1
	}
	return insertStatements.Get(k, func() string { return writeInsertSQL(n, notify) })
}

var insertStatements store.Statements[int, string]

func writeInsertSQL(n int, notify bool) string {
	var b strings.Builder
	if notify {
		// A CTE with a volatile function is evaluated once, where the
		// statement reads it: no row comes back, as from a plain INSERT.
		b.WriteString("WITH notify AS (SELECT pg_notify(concat(current_schema(), '.river_insert'), $" + strconv.Itoa(fixedParams+n+1) + "::text)) ")
	}
	fmt.Fprintf(&b, "INSERT INTO river_job (args, created_at, kind, max_attempts, metadata, priority, queue, scheduled_at, state, tags) "+
		"SELECT v.args, $1::timestamptz, $2::text, %d, $3::jsonb, %d, $4::text, $5::timestamptz, $6::river_job_state, '{}' FROM ",
		river.MaxAttemptsDefault, river.PriorityDefault)
	if notify {
		b.WriteString("notify, ")
	}
	b.WriteString("(VALUES ")
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "($%d::jsonb)", fixedParams+1+i)
	}
	b.WriteString(") AS v (args)")
	return b.String()
}
