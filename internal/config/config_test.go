package config_test

import (
	"testing"
	"time"

	"github.com/openvest/openvest/internal/config"
	"github.com/stretchr/testify/require"
)

func TestDefaults(t *testing.T) {
	for _, k := range []string{"OPENVEST_ADDR", "OPENVEST_DATABASE_URL", "OPENVEST_TOKEN_TTL", "OPENVEST_WEBHOOK_ALLOW_PRIVATE", "OPENVEST_WEBHOOK_RETRY_DELAYS", "OPENVEST_AUTH_CACHE_TTL"} {
		t.Setenv(k, "")
	}
	c, err := config.FromEnv()
	require.NoError(t, err)
	require.Equal(t, ":8080", c.Addr)
	require.Equal(t, "sqlite://openvest.db", c.DatabaseURL)
	require.Equal(t, time.Hour, c.TokenTTL)
	require.Equal(t, 24*time.Hour, c.IdempotencyTTL)
	require.Equal(t, 5*time.Second, c.AuthCacheTTL)
	require.False(t, c.WebhookAllowPrivate)
	require.Nil(t, c.WebhookRetryDelays)
}

func TestValues(t *testing.T) {
	t.Setenv("OPENVEST_WEBHOOK_RETRY_DELAYS", "1s, 1m")
	t.Setenv("OPENVEST_WEBHOOK_ALLOW_PRIVATE", "true")
	t.Setenv("OPENVEST_AUTH_CACHE_TTL", "0")
	t.Setenv("OPENVEST_PUBLIC_URL", "https://api.example.com/")
	c, err := config.FromEnv()
	require.NoError(t, err)
	require.Equal(t, []time.Duration{time.Second, time.Minute}, c.WebhookRetryDelays)
	require.True(t, c.WebhookAllowPrivate)
	require.Zero(t, c.AuthCacheTTL)
	require.Equal(t, "https://api.example.com", c.PublicURL, "no trailing slash")
}

// TestBadValuesNameTheVariable: a malformed setting is refused at start,
// with the variable named and what to use instead.
func TestBadValuesNameTheVariable(t *testing.T) {
	for key, value := range map[string]string{
		"OPENVEST_LOG_LEVEL":             "loud",
		"OPENVEST_LOG_FORMAT":            "xml",
		"OPENVEST_MAX_BODY_BYTES":        "-1",
		"OPENVEST_TOKEN_TTL":             "forever",
		"OPENVEST_SIGNATURE_SKEW":        "0s",
		"OPENVEST_WEBHOOK_ALLOW_PRIVATE": "maybe",
		"OPENVEST_WEBHOOK_RETRY_DELAYS":  "5s,never",
		"OPENVEST_JOB_WORKERS":           "many",
	} {
		t.Run(key, func(t *testing.T) {
			t.Setenv(key, value)
			_, err := config.FromEnv()
			require.ErrorContains(t, err, key)
		})
	}
}
