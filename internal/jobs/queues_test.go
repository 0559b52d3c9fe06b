package jobs_test

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/openvest/openvest/internal/apitest"
	"github.com/openvest/openvest/internal/jobs"
	"github.com/openvest/openvest/internal/testdb"
	"github.com/openvest/openvest/internal/trading"
	"github.com/stretchr/testify/require"
)

// blockingDeliverer holds every attempt until release is closed.
type blockingDeliverer struct {
	release chan struct{}
	running atomic.Int64
}

func (d *blockingDeliverer) Attempt(ctx context.Context, _, _ int64, _ int) error {
	d.running.Add(1)
	select {
	case <-d.release:
	case <-ctx.Done():
	}
	return nil
}

// TestExecutionsAndDeliveriesRunOnSeparateQueues: deliveries go to their
// own queue, and with every delivery worker busy and more deliveries
// waiting, a purchase still executes.
func TestExecutionsAndDeliveriesRunOnSeparateQueues(t *testing.T) {
	t.Parallel()
	b := setup(t, testdb.Postgres(t), testdb.URL(), false)
	executions, deliveries := b.queue.Queues()
	require.Equal(t, b.cfg.Queue, executions)
	require.NotEqual(t, executions, deliveries)

	d := &blockingDeliverer{release: make(chan struct{})}
	b.queue.RegisterDeliverer(d)
	t.Cleanup(func() { close(d.release) })
	workers := int64(b.cfg.DeliveryWorkers)
	backlog := int(workers) + 20
	require.NoError(t, b.st.WithTx(b.ctx, func(ctx context.Context) error {
		for i := range backlog {
			if err := b.queue.EnqueueAttempt(ctx, b.org.ID, int64(i+1), 1, 0); err != nil {
				return err
			}
		}
		return nil
	}))
	var n int64
	require.NoError(t, b.st.DB.Raw("SELECT count(*) FROM river_job WHERE queue = ? AND kind = 'deliver_webhook'", deliveries).Scan(&n).Error)
	require.Equal(t, int64(backlog), n, "deliveries are on the delivery queue")

	require.NoError(t, b.queue.Start(context.Background()))
	require.Eventually(t, func() bool { return d.running.Load() == workers }, 15*time.Second, 5*time.Millisecond,
		"every delivery worker is busy")
	r := b.purchase(t, "75")
	require.NoError(t, b.st.DB.Raw("SELECT count(*) FROM river_job WHERE queue = ? AND kind = 'execute_request'", executions).Scan(&n).Error)
	require.Equal(t, int64(1), n, "the execution is on the execution queue")
	require.Equal(t, trading.Completed, b.waitSettled(t, r.ID).Status, "executed while every delivery worker is busy")
	require.Equal(t, workers, d.running.Load(), "the deliveries are still held")
	require.Equal(t, int64(backlog)-workers, b.jobsIn(t, deliveries, "available"), "and more wait")
}

// TestRescueFollowsTheJobTimeout: by default a stuck job is rescued shortly
// after the job timeout, not after River's hour; a rescue shorter than the
// timeout is refused.
func TestRescueFollowsTheJobTimeout(t *testing.T) {
	t.Parallel()
	st := testdb.Postgres(t)
	cfg := apitest.TestJobs()
	cfg.DatabaseURL, cfg.Logger = testdb.URL(), slog.New(slog.DiscardHandler)
	q, err := jobs.New(t.Context(), st, cfg)
	require.NoError(t, err)
	require.Equal(t, jobs.DefaultJobTimeout+jobs.RescueMargin, q.RescueAfter())
	require.NoError(t, q.Stop(context.Background()))

	cfg.JobTimeout = 2 * time.Minute
	q, err = jobs.New(t.Context(), st, cfg)
	require.NoError(t, err)
	require.Equal(t, 2*time.Minute+jobs.RescueMargin, q.RescueAfter())
	require.NoError(t, q.Stop(context.Background()))

	cfg.RescueStuckJobsAfter = time.Minute
	_, err = jobs.New(t.Context(), st, cfg)
	require.ErrorContains(t, err, "at least the job timeout")
}

// jobsIn counts a queue's jobs in the given states.
func (b bundle) jobsIn(t *testing.T, queue string, states ...string) int64 {
	t.Helper()
	var n int64
	require.NoError(t, b.st.DB.WithContext(b.ctx).Raw("SELECT count(*) FROM river_job WHERE queue = ? AND state IN ?", queue, states).Scan(&n).Error)
	return n
}

// recordingDeliverer records the attempts it is asked for.
type recordingDeliverer struct {
	mu     sync.Mutex
	single []int64
	groups [][]int64
}

func (d *recordingDeliverer) Attempt(_ context.Context, _, id int64, _ int) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.single = append(d.single, id)
	return nil
}

func (d *recordingDeliverer) AttemptAll(_ context.Context, _ int64, ids []int64, _ int) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.groups = append(d.groups, ids)
	return nil
}

// TestFirstAttemptsAreOneJobPerGroup: the first attempts of a change's
// deliveries are one deliver_webhook job per group, on the delivery queue,
// inserted in the caller's transaction; a group's job makes the group's
// attempts in order, a group of one is an ordinary attempt.
func TestFirstAttemptsAreOneJobPerGroup(t *testing.T) {
	t.Parallel()
	b := setup(t, testdb.Postgres(t), testdb.URL(), false)
	_, deliveries := b.queue.Queues()
	d := &recordingDeliverer{}
	b.queue.RegisterDeliverer(d)
	require.NoError(t, b.st.WithTx(b.ctx, func(ctx context.Context) error {
		return b.queue.EnqueueFirstAttempts(ctx, b.org.ID, [][]int64{{7, 5, 9}, {4}})
	}))
	require.Equal(t, int64(2), b.jobsIn(t, deliveries, "available"), "one job per group")
	require.NoError(t, b.queue.Start(context.Background()))
	require.Eventually(t, func() bool {
		d.mu.Lock()
		defer d.mu.Unlock()
		return len(d.groups) == 1 && len(d.single) == 1
	}, 15*time.Second, 5*time.Millisecond, "both jobs run")
	d.mu.Lock()
	defer d.mu.Unlock()
	require.Equal(t, [][]int64{{7, 5, 9}}, d.groups, "in the group's order")
	require.Equal(t, []int64{4}, d.single)
}
