package app_test

import (
	"context"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/openvest/openvest/internal/app"
	"github.com/openvest/openvest/internal/config"
	"github.com/openvest/openvest/internal/testdb"
	"github.com/stretchr/testify/require"
)

// TestConcurrentMigrationsOnEmptyDatabase: replicas opening one empty
// database at the same instant all succeed (the migration lock makes them
// migrate one after the other), the schema is complete and there is one
// webhook server key.
func TestConcurrentMigrationsOnEmptyDatabase(t *testing.T) {
	t.Parallel()
	url := testdb.EmptyURL(t)
	const n = 6
	cfg := config.Config{DatabaseURL: url, DBMaxConns: 4, Scale: config.Scale{Pooler: config.PoolerNone, JobMaxConns: 4}}
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	var (
		wg    sync.WaitGroup
		start = make(chan struct{})
		errs  = make([]error, n)
		apps  = make([]*app.App, n)
	)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			apps[i], errs[i] = app.Open(ctx, cfg, slog.New(slog.DiscardHandler))
		}()
	}
	close(start)
	wg.Wait()
	for i, err := range errs {
		require.NoError(t, err, "replica %d", i)
	}
	defer func() {
		for _, a := range apps {
			require.NoError(t, a.Close())
		}
	}()
	var versions, keys, riverTables int64
	db := apps[0].Store.DB.WithContext(ctx)
	require.NoError(t, db.Raw("SELECT count(DISTINCT version_id) FROM goose_db_version WHERE version_id > 0 AND is_applied").Scan(&versions).Error)
	require.NoError(t, db.Raw("SELECT count(*) FROM webhook_keys").Scan(&keys).Error)
	require.NoError(t, db.Raw("SELECT count(*) FROM information_schema.tables WHERE table_name = 'river_job'").Scan(&riverTables).Error)
	var applied int64
	require.NoError(t, db.Raw("SELECT count(*) FROM goose_db_version WHERE version_id > 0").Scan(&applied).Error)
	require.Equal(t, versions, applied, "each migration applied once")
	require.Positive(t, versions)
	require.Equal(t, int64(1), keys, "one webhook server key")
	require.Equal(t, int64(1), riverTables)
}

// TestNoMigrate: with OPENVEST_MIGRATE=false an empty database is left
// alone, and opening it fails on the missing schema rather than migrating.
func TestNoMigrate(t *testing.T) {
	t.Parallel()
	url := testdb.EmptyURL(t)
	cfg := config.Config{DatabaseURL: url, DBMaxConns: 2, Scale: config.Scale{NoMigrate: true, JobMaxConns: 4}}
	_, err := app.Open(t.Context(), cfg, slog.New(slog.DiscardHandler))
	require.Error(t, err)
	cfg.Scale.NoMigrate = false
	a, err := app.Open(t.Context(), cfg, slog.New(slog.DiscardHandler))
	require.NoError(t, err)
	require.NoError(t, a.Close())
}
