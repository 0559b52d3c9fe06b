package store_test

import (
	"context"
	"testing"

	"github.com/openvest/openvest/internal/store"
	"github.com/openvest/openvest/internal/testdb"
	"github.com/stretchr/testify/require"
)

// TestPoolURL: pgxpool's pool_* parameters are taken out (PostgreSQL
// refuses them as settings) with pool_max_conns returned, and a
// transaction pooler gets the simple protocol unless the URL names a mode.
func TestPoolURL(t *testing.T) {
	t.Parallel()
	u, n, err := store.PoolURL("postgres://u@h:5432/db?sslmode=disable&pool_max_conns=7&pool_min_conns=1", false)
	require.NoError(t, err)
	require.Equal(t, 7, n)
	require.Equal(t, "postgres://u@h:5432/db?sslmode=disable", u)
	u, _, err = store.PoolURL("postgres://u@h/db", true)
	require.NoError(t, err)
	require.Equal(t, "postgres://u@h/db?default_query_exec_mode=simple_protocol", u)
	u, _, err = store.PoolURL("postgres://u@h/db?default_query_exec_mode=exec", true)
	require.NoError(t, err)
	require.Equal(t, "postgres://u@h/db?default_query_exec_mode=exec", u)
	_, _, err = store.PoolURL("postgres://u@h/db?pool_max_conns=many", false)
	require.ErrorContains(t, err, `pool_max_conns="many": use a positive integer`)
}

// TestOpenWithPoolMaxConns: pool_max_conns in the URL no longer breaks
// start-up; it sizes the pool.
func TestOpenWithPoolMaxConns(t *testing.T) {
	t.Parallel()
	st, err := store.Open(testdb.URL()+"&pool_max_conns=3", store.Options{})
	require.NoError(t, err)
	defer st.Close()
	require.NoError(t, st.Ping(context.Background()))
	sqlDB, err := st.DB.DB()
	require.NoError(t, err)
	require.Equal(t, 3, sqlDB.Stats().MaxOpenConnections)
}
