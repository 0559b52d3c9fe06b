package config_test

import (
	"testing"

	"github.com/openvest/openvest/internal/config"
	"github.com/stretchr/testify/require"
)

func TestRateLimits(t *testing.T) {
	for _, k := range []string{"OPENVEST_RATE_TOKEN_PER_MINUTE", "OPENVEST_RATE_AUTH_FAILURES_PER_MINUTE", "OPENVEST_RATE_ORG_PER_SECOND", "OPENVEST_RATE_ORG_BURST"} {
		t.Setenv(k, "")
	}
	c, err := config.FromEnv()
	require.NoError(t, err)
	require.Equal(t, config.RateLimits{TokenPerMinute: 60, AuthFailuresPerMinute: 10, OrgBurst: 1}, c.RateLimits, "the organization limit is off by default")

	t.Setenv("OPENVEST_RATE_ORG_PER_SECOND", "50")
	t.Setenv("OPENVEST_RATE_TOKEN_PER_MINUTE", "0")
	c, err = config.FromEnv()
	require.NoError(t, err)
	require.Equal(t, config.RateLimits{TokenPerMinute: 0, AuthFailuresPerMinute: 10, OrgPerSecond: 50, OrgBurst: 100}, c.RateLimits)

	for k, v := range map[string]string{"OPENVEST_RATE_TOKEN_PER_MINUTE": "-1", "OPENVEST_RATE_AUTH_FAILURES_PER_MINUTE": "many", "OPENVEST_RATE_ORG_PER_SECOND": "fast", "OPENVEST_RATE_ORG_BURST": "1.5"} {
		t.Run(k, func(t *testing.T) {
			t.Setenv(k, v)
			_, err := config.FromEnv()
			require.ErrorContains(t, err, k)
		})
	}
}
