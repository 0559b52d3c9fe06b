package config_test

import (
	"testing"
	"time"

	"github.com/openvest/openvest/internal/config"
	"github.com/stretchr/testify/require"
)

// TestScaleSettings: the pooler, migration and connection budget settings
// have defaults, and a bad value names its variable and the rule.
func TestScaleSettings(t *testing.T) {
	for _, k := range []string{"OPENVEST_DB_POOLER", "OPENVEST_MIGRATE", "OPENVEST_DIRECT_DATABASE_URL", "OPENVEST_JOB_POLL_INTERVAL", "OPENVEST_DB_MAX_IDLE_CONNS", "OPENVEST_DB_IDLE_TIMEOUT", "OPENVEST_JOB_DB_MAX_CONNS", "OPENVEST_DB_MAX_CONNS"} {
		t.Setenv(k, "")
	}
	c, err := config.FromEnv()
	require.NoError(t, err)
	require.Equal(t, config.Scale{Pooler: "none", DBMaxIdleConns: 32, DBIdleTimeout: time.Minute, JobMaxConns: 8}, c.Scale)
	require.False(t, c.Scale.PollOnly())

	t.Setenv("OPENVEST_DB_POOLER", "transaction")
	t.Setenv("OPENVEST_MIGRATE", "false")
	t.Setenv("OPENVEST_JOB_POLL_INTERVAL", "200ms")
	c, err = config.FromEnv()
	require.NoError(t, err)
	require.True(t, c.Scale.NoMigrate)
	require.True(t, c.Scale.PollOnly(), "transaction pooler, no direct URL: poll only")
	require.Equal(t, 200*time.Millisecond, c.Scale.JobPollInterval)
	t.Setenv("OPENVEST_DIRECT_DATABASE_URL", "postgres://db:5432/openvest")
	c, err = config.FromEnv()
	require.NoError(t, err)
	require.False(t, c.Scale.PollOnly(), "LISTEN over the direct URL")

	t.Setenv("OPENVEST_DB_POOLER", "session")
	t.Setenv("OPENVEST_DB_MAX_CONNS", "10")
	c, err = config.FromEnv()
	require.NoError(t, err)
	require.Equal(t, 2, c.Scale.DBMaxIdleConns, "behind a session pooler idle connections are few")
	require.Equal(t, 30*time.Second, c.Scale.DBIdleTimeout)
	require.True(t, c.Scale.DBMaxConnsSet)

	for k, want := range map[string]string{
		"OPENVEST_DB_POOLER":         `OPENVEST_DB_POOLER="pgpool": use none, transaction or session`,
		"OPENVEST_MIGRATE":           `OPENVEST_MIGRATE="pgpool": use true or false`,
		"OPENVEST_DB_MAX_IDLE_CONNS": `OPENVEST_DB_MAX_IDLE_CONNS="pgpool": use a positive integer`,
		"OPENVEST_JOB_DB_MAX_CONNS":  `OPENVEST_JOB_DB_MAX_CONNS="pgpool": use a positive integer`,
		"OPENVEST_JOB_POLL_INTERVAL": `OPENVEST_JOB_POLL_INTERVAL="pgpool": use a positive Go duration`,
	} {
		t.Run(k, func(t *testing.T) {
			t.Setenv(k, "pgpool")
			_, err := config.FromEnv()
			require.ErrorContains(t, err, want)
		})
	}
	t.Setenv("OPENVEST_DB_MAX_IDLE_CONNS", "11")
	_, err = config.FromEnv()
	require.ErrorContains(t, err, "OPENVEST_DB_MAX_IDLE_CONNS=11: at most OPENVEST_DB_MAX_CONNS (10)")
}
