package jobs_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/openvest/openvest/internal/jobs"
	"github.com/openvest/openvest/internal/store"
	"github.com/openvest/openvest/internal/testdb"
	"github.com/openvest/openvest/internal/trading"
	"github.com/riverqueue/river"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/trace"
)

// jobRows are the test queue's jobs in id order, each column as jsonb text
// (every column but id, created_at and, unless keepScheduled,
// scheduled_at), with whether scheduled_at equals created_at.
func (b bundle) jobRows(t *testing.T, queue string) (rows []map[string]any, sameTime []bool) {
	t.Helper()
	var raw []struct {
		Row  string
		Same bool
	}
	require.NoError(t, b.st.DB.WithContext(b.ctx).Raw(`SELECT (to_jsonb(j) - 'id' - 'created_at' - 'scheduled_at')::text AS row, scheduled_at = created_at AS same
		FROM river_job j WHERE queue = ? ORDER BY id`, queue).Scan(&raw).Error)
	for _, r := range raw {
		var m map[string]any
		require.NoError(t, json.Unmarshal([]byte(r.Row), &m))
		rows, sameTime = append(rows, m), append(sameTime, r.Same)
	}
	return rows, sameTime
}

// TestDirectInsertWritesWhatRiverWrites: for the same args and options,
// the direct insert writes the row River's client writes (InsertTx,
// InsertManyTx), column by column: an available execution, a scheduled
// one, a batch of delivery jobs, and jobs inserted under a trace (the
// observe middleware's metadata); in pgx's extended protocol and in its
// simple protocol (behind a transaction pooler), where an argument given
// as []byte would be stored as its bytea spelling.
func TestDirectInsertWritesWhatRiverWrites(t *testing.T) {
	t.Parallel()
	t.Run("extended", func(t *testing.T) {
		t.Parallel()
		testDirectInsertWritesWhatRiverWrites(t, setup(t, testdb.Postgres(t), testdb.URL(), false))
	})
	t.Run("simple protocol", func(t *testing.T) {
		t.Parallel()
		url, _, err := store.PoolURL(testdb.URL(), true)
		require.NoError(t, err)
		require.Contains(t, url, "simple_protocol")
		st, err := store.Open(url, store.Options{MaxConns: 2})
		require.NoError(t, err)
		t.Cleanup(func() { _ = st.Close() })
		testDirectInsertWritesWhatRiverWrites(t, setup(t, st, url, false))
	})
}

func testDirectInsertWritesWhatRiverWrites(t *testing.T, b bundle) {
	_, deliveries := b.queue.Queues()
	traced := trace.ContextWithSpanContext(b.ctx, trace.NewSpanContext(trace.SpanContextConfig{
		TraceID: trace.TraceID{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}, SpanID: trace.SpanID{1, 2, 3, 4, 5, 6, 7, 8},
		TraceFlags: trace.FlagsSampled,
	}))
	cases := []struct {
		name  string
		ctx   context.Context
		queue string
		delay time.Duration
		args  []river.JobArgs
	}{
		{"execution", b.ctx, b.cfg.Queue, 0, []river.JobArgs{jobs.ExecuteArgs{OrganizationID: b.org.ID, RequestID: 41}}},
		{"scheduled execution", b.ctx, b.cfg.Queue, time.Hour, []river.JobArgs{jobs.ExecuteArgs{OrganizationID: b.org.ID, RequestID: 42}}},
		{"report", b.ctx, b.cfg.Queue, 0, []river.JobArgs{jobs.ReportArgs{OrganizationID: b.org.ID, ReportID: 7}}},
		{"first attempts", b.ctx, deliveries, 0, []river.JobArgs{
			jobs.DeliverArgs{OrganizationID: b.org.ID, DeliveryID: 5, Attempt: 1},
			jobs.DeliverArgs{OrganizationID: b.org.ID, DeliveryIDs: []int64{6, 7, 8}, Attempt: 1},
		}},
		{"held retry", b.ctx, deliveries, time.Minute, []river.JobArgs{jobs.DeliverArgs{OrganizationID: b.org.ID, DeliveryID: 9, Attempt: 3, Held: true}}},
		{"traced execution", traced, b.cfg.Queue, 0, []river.JobArgs{jobs.ExecuteArgs{OrganizationID: b.org.ID, RequestID: 43}}},
		{"traced attempts", traced, deliveries, 0, []river.JobArgs{
			jobs.DeliverArgs{OrganizationID: b.org.ID, DeliveryID: 10, Attempt: 1},
			jobs.DeliverArgs{OrganizationID: b.org.ID, DeliveryID: 11, Attempt: 1},
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			require.NoError(t, b.st.DB.Exec("DELETE FROM river_job WHERE queue = ?", c.queue).Error)
			require.NoError(t, b.st.WithTx(c.ctx, func(ctx context.Context) error {
				return b.queue.InsertWithRiver(ctx, c.queue, c.delay, c.args...)
			}))
			require.NoError(t, b.st.WithTx(c.ctx, func(ctx context.Context) error {
				return b.queue.InsertDirect(ctx, c.queue, c.delay, c.args...)
			}))
			rows, same := b.jobRows(t, c.queue)
			n := len(c.args)
			require.Len(t, rows, 2*n)
			for i := range n {
				river, direct := rows[i], rows[n+i]
				require.Equal(t, river, direct, "job %d: every column but id, created_at and scheduled_at", i)
				require.Equal(t, same[i], same[n+i], "job %d: scheduled_at is created_at when the job is due at once", i)
				require.Equal(t, c.delay == 0, same[n+i])
				want, err := json.Marshal(c.args[i])
				require.NoError(t, err)
				require.JSONEq(t, string(want), mustJSON(t, direct["args"]), "the args are encoding/json's")
				if c.ctx == traced {
					require.Contains(t, mustJSON(t, direct["metadata"]), "00-0102030405060708090a0b0c0d0e0f10-0102030405060708-01")
				}
			}
			// Due after the delay, on both paths (River's client reads its
			// clock for scheduled_at before the one for created_at).
			var late int64
			require.NoError(t, b.st.DB.Raw("SELECT count(*) FROM river_job WHERE queue = ? AND scheduled_at - created_at BETWEEN ?::interval - interval '1 second' AND ?::interval",
				c.queue, c.delay.String(), c.delay.String()).Scan(&late).Error)
			require.Equal(t, int64(2*n), late)
		})
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return string(b)
}

// TestDirectInsertRollsBack: the direct insert joins the caller's
// transaction: rolled back, it leaves no job; committed, all of them.
func TestDirectInsertRollsBack(t *testing.T) {
	t.Parallel()
	b := setup(t, testdb.Postgres(t), testdb.URL(), false)
	_, deliveries := b.queue.Queues()
	boom := errors.New("a later step failed")
	work := func(ctx context.Context) error {
		if err := b.queue.Schedule(ctx, trading.Execution{OrganizationID: b.org.ID, RequestID: 1}); err != nil {
			return err
		}
		return b.queue.EnqueueFirstAttempts(ctx, b.org.ID, [][]int64{{1}, {2, 3}})
	}
	require.ErrorIs(t, b.st.WithTx(b.ctx, func(ctx context.Context) error {
		require.NoError(t, work(ctx))
		var n int64
		require.NoError(t, b.st.PgxTx(ctx, func(tx pgx.Tx) error {
			return tx.QueryRow(ctx, "SELECT count(*) FROM river_job WHERE queue = ANY($1)", []string{b.cfg.Queue, deliveries}).Scan(&n)
		}))
		require.Equal(t, int64(3), n, "inside the transaction, the jobs are there")
		return boom
	}), boom)
	require.Zero(t, b.jobsInQueue(t, "available", "scheduled"))
	require.Zero(t, b.jobsIn(t, deliveries, "available", "scheduled"), "rolled back with the transaction")

	require.NoError(t, b.st.WithTx(b.ctx, work))
	require.Equal(t, int64(1), b.jobsInQueue(t, "available"))
	require.Equal(t, int64(2), b.jobsIn(t, deliveries, "available"))
}

// TestDirectInsertNotifies: a committed direct insert sends River's insert
// notification for its queue, on River's topic.
func TestDirectInsertNotifies(t *testing.T) {
	t.Parallel()
	b := setup(t, testdb.Postgres(t), testdb.URL(), false)
	_, deliveries := b.queue.Queues()
	conn, err := pgx.Connect(b.ctx, testdb.URL())
	require.NoError(t, err)
	t.Cleanup(func() { _ = conn.Close(context.Background()) })
	var topic string
	require.NoError(t, conn.QueryRow(b.ctx, "SELECT concat(current_schema(), '.river_insert')").Scan(&topic))
	_, err = conn.Exec(b.ctx, "LISTEN "+pgx.Identifier{topic}.Sanitize())
	require.NoError(t, err)

	require.NoError(t, b.st.WithTx(b.ctx, func(ctx context.Context) error {
		if err := b.queue.Schedule(ctx, trading.Execution{OrganizationID: b.org.ID, RequestID: 1}); err != nil {
			return err
		}
		return b.queue.EnqueueFirstAttempts(ctx, b.org.ID, [][]int64{{1}})
	}))
	want := map[string]bool{`{"queue": "` + b.cfg.Queue + `"}`: true, `{"queue": "` + deliveries + `"}`: true}
	ctx, cancel := context.WithTimeout(b.ctx, 10*time.Second)
	defer cancel()
	for len(want) > 0 {
		n, err := conn.WaitForNotification(ctx)
		require.NoError(t, err, "still waiting for %v", want)
		require.Equal(t, topic, n.Channel)
		delete(want, n.Payload) // other tests' queues notify on the same topic
	}
}

// TestDirectInsertWakesTheQueue: jobs inserted directly are worked by
// River's workers at once, woken by the insert notification: with polls a
// minute apart, a purchase's execution and a delivery's first attempts
// inserted after the queue started still run within seconds.
func TestDirectInsertWakesTheQueue(t *testing.T) {
	t.Parallel()
	b := setupWith(t, testdb.Postgres(t), testdb.URL(), true, func(cfg *jobs.Config) { cfg.PollInterval = time.Minute })
	d := &recordingDeliverer{}
	b.queue.RegisterDeliverer(d)
	start := time.Now()
	r := b.purchase(t, "30")
	require.NoError(t, b.st.WithTx(b.ctx, func(ctx context.Context) error {
		return b.queue.EnqueueFirstAttempts(ctx, b.org.ID, [][]int64{{21}, {22, 23}})
	}))
	got := b.waitSettled(t, r.ID)
	require.Equal(t, trading.Completed, got.Status, "%v", got.ErrorReason)
	require.Len(t, b.transactions(t, r.ID), 1)
	require.Eventually(t, func() bool {
		d.mu.Lock()
		defer d.mu.Unlock()
		return len(d.single) == 1 && len(d.groups) == 1
	}, 15*time.Second, 5*time.Millisecond, "both delivery jobs run")
	require.Less(t, time.Since(start), 30*time.Second, "before the next poll")
	d.mu.Lock()
	require.Equal(t, []int64{21}, d.single)
	require.Equal(t, [][]int64{{22, 23}}, d.groups)
	d.mu.Unlock()
	_, deliveries := b.queue.Queues()
	require.Eventually(t, func() bool { return b.jobsIn(t, deliveries, "completed") == 2 }, 15*time.Second, 5*time.Millisecond)
	require.Eventually(t, func() bool { return b.jobsInQueue(t, "completed") == 1 }, 15*time.Second, 5*time.Millisecond)
}
