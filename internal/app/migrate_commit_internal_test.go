package app

import (
	"log/slog"
	"testing"

	"github.com/openvest/openvest/internal/store"
	"github.com/openvest/openvest/internal/testdb"
	"github.com/stretchr/testify/require"
)

// TestMigrationsCommitAsynchronously: the migrations' sessions commit
// without waiting for the WAL flush, the service's own sessions with it.
func TestMigrationsCommitAsynchronously(t *testing.T) {
	t.Parallel()
	url := testdb.FreshURL(t)
	migrations, err := asyncCommit(url)
	require.NoError(t, err)
	for _, c := range []struct {
		url, want string
	}{{migrations, "off"}, {url, "on"}} {
		st, err := store.Open(c.url, store.Options{MaxConns: 1, Logger: slog.New(slog.DiscardHandler)})
		require.NoError(t, err)
		var got string
		require.NoError(t, st.DB.WithContext(t.Context()).Raw("SHOW synchronous_commit").Scan(&got).Error)
		require.NoError(t, st.Close())
		require.Equal(t, c.want, got, c.url)
	}
}
