package jobs

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestInsertNotificationIsRateLimited: a queue's insert notification is
// sent at most once per cooldown, as River's insertNotifyLimiter does, and
// each queue has its own.
func TestInsertNotificationIsRateLimited(t *testing.T) {
	t.Parallel()
	d := newDirect(nil, 10*time.Millisecond, "a", "b")
	a, b := d.queues["a"], d.queues["b"]
	start := time.Now().UnixNano()
	ms := int64(time.Millisecond)
	require.True(t, a.shouldNotify(start, d.cooldown), "the first insert notifies")
	require.False(t, a.shouldNotify(start, d.cooldown))
	require.False(t, a.shouldNotify(start+10*ms, d.cooldown), "not within the cooldown")
	require.True(t, b.shouldNotify(start+10*ms, d.cooldown), "another queue has its own")
	require.True(t, a.shouldNotify(start+10*ms+1, d.cooldown), "once the cooldown has passed")
	require.False(t, a.shouldNotify(start+15*ms, d.cooldown))
	require.True(t, a.shouldNotify(start+21*ms, d.cooldown))
}

// TestNotifyPayloadIsRiver: the payload is the one River's client sends
// (client.go maybeNotifyInsertForQueues).
func TestNotifyPayloadIsRiver(t *testing.T) {
	t.Parallel()
	require.Equal(t, `{"queue": "webhooks"}`, notifyPayload("webhooks"))
	require.Equal(t, fmt.Sprintf("{\"queue\": %q}", "test_ab12"), newDirect(nil, 0, "test_ab12").queues["test_ab12"].payload.(string))
}

// TestInsertStatements: one row per job, the notification only when asked
// for, its payload after the args.
func TestInsertStatements(t *testing.T) {
	t.Parallel()
	require.Equal(t, "INSERT INTO river_job (args, created_at, kind, max_attempts, metadata, priority, queue, scheduled_at, state, tags) "+
		"SELECT v.args, $1::timestamptz, $2::text, 25, $3::jsonb, 1, $4::text, $5::timestamptz, $6::river_job_state, '{}' FROM (VALUES ($7::jsonb)) AS v (args)", insertSQL(1, false))
	require.Equal(t, "WITH notify AS (SELECT pg_notify(concat(current_schema(), '.river_insert'), $9::text)) "+
		"INSERT INTO river_job (args, created_at, kind, max_attempts, metadata, priority, queue, scheduled_at, state, tags) "+
		"SELECT v.args, $1::timestamptz, $2::text, 25, $3::jsonb, 1, $4::text, $5::timestamptz, $6::river_job_state, '{}' FROM notify, (VALUES ($7::jsonb), ($8::jsonb)) AS v (args)", insertSQL(2, true))
	for _, n := range []int{1, 8, 9, 40} {
		for _, notify := range []bool{false, true} {
			require.Equal(t, writeInsertSQL(n, notify), insertSQL(n, notify), "%d jobs, notify %v", n, notify)
		}
	}
}
