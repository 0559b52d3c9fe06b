package config_test

import (
	"testing"
	"time"

	"github.com/openvest/openvest/internal/config"
	"github.com/stretchr/testify/require"
)

// TestWorkerCounts: executions and deliveries have worker counts of their
// own, with defaults, and a bad count names its variable.
func TestWorkerCounts(t *testing.T) {
	t.Setenv("OPENVEST_JOB_WORKERS", "")
	t.Setenv("OPENVEST_WEBHOOK_WORKERS", "")
	c, err := config.FromEnv()
	require.NoError(t, err)
	require.Equal(t, 32, c.JobWorkers)
	require.Equal(t, 50, c.WebhookWorkers)
	require.Zero(t, c.JobRescueAfter, "unset: the job queue derives it from the job timeout")

	t.Setenv("OPENVEST_JOB_WORKERS", "4")
	t.Setenv("OPENVEST_WEBHOOK_WORKERS", "200")
	c, err = config.FromEnv()
	require.NoError(t, err)
	require.Equal(t, 4, c.JobWorkers)
	require.Equal(t, 200, c.WebhookWorkers)

	t.Setenv("OPENVEST_WEBHOOK_WORKERS", "0")
	_, err = config.FromEnv()
	require.ErrorContains(t, err, `OPENVEST_WEBHOOK_WORKERS="0": use a positive integer`)
}

// TestWebhookDispatchGrace: 2 minutes by default; a value too short for a
// worker to stop before the sweep is refused, naming the variable.
func TestWebhookDispatchGrace(t *testing.T) {
	t.Setenv("OPENVEST_WEBHOOK_DISPATCH_GRACE", "")
	c, err := config.FromEnv()
	require.NoError(t, err)
	require.Equal(t, 2*time.Minute, c.WebhookDispatchGrace)
	t.Setenv("OPENVEST_WEBHOOK_DISPATCH_GRACE", "30s")
	c, err = config.FromEnv()
	require.NoError(t, err)
	require.Equal(t, 30*time.Second, c.WebhookDispatchGrace)
	t.Setenv("OPENVEST_WEBHOOK_DISPATCH_GRACE", "1s")
	_, err = config.FromEnv()
	require.ErrorContains(t, err, "OPENVEST_WEBHOOK_DISPATCH_GRACE=1s: use at least 2s")
}
