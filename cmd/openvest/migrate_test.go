package main

import (
	"bytes"
	"context"
	"path/filepath"
	"testing"

	"github.com/openvest/openvest/internal/store"
	"github.com/stretchr/testify/require"
)

// TestMigrateIgnoresNoMigrate: OPENVEST_MIGRATE=false is for serve;
// `openvest migrate` still applies the migrations.
func TestMigrateIgnoresNoMigrate(t *testing.T) {
	url := "sqlite://" + filepath.Join(t.TempDir(), "openvest.db")
	t.Setenv("OPENVEST_DATABASE_URL", url)
	t.Setenv("OPENVEST_MIGRATE", "false")
	t.Setenv("OPENVEST_LOG_LEVEL", "warn")
	require.NoError(t, run(context.Background(), []string{"migrate"}, &bytes.Buffer{}, &bytes.Buffer{}))
	st, err := store.Open(url, store.Options{})
	require.NoError(t, err)
	defer st.Close()
	n, err := st.Migrate(context.Background())
	require.NoError(t, err)
	require.Zero(t, n, "migrate applied them all already")
}
