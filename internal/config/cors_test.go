package config_test

import (
	"testing"

	"github.com/openvest/openvest/internal/config"
	"github.com/stretchr/testify/require"
)

func TestCORSOrigins(t *testing.T) {
	t.Setenv("OPENVEST_CORS_ORIGINS", "")
	c, err := config.FromEnv()
	require.NoError(t, err)
	require.Empty(t, c.CORSOrigins, "closed by default")

	t.Setenv("OPENVEST_CORS_ORIGINS", " http://localhost:*, https://explorer.example.com/ ,*")
	c, err = config.FromEnv()
	require.NoError(t, err)
	require.Equal(t, []string{"http://localhost:*", "https://explorer.example.com", "*"}, c.CORSOrigins)

	for _, bad := range []string{"localhost:3000", "http://a.example.com/path", "ftp://a.example.com"} {
		t.Setenv("OPENVEST_CORS_ORIGINS", bad)
		_, err = config.FromEnv()
		require.ErrorContains(t, err, "OPENVEST_CORS_ORIGINS", bad)
		require.ErrorContains(t, err, bad)
	}
}
