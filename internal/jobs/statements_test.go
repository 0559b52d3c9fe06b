package jobs_test

import (
	"context"
	"crypto/rand"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/openvest/openvest/internal/jobs"
	"github.com/openvest/openvest/internal/testdb"
	"github.com/stretchr/testify/require"
)

// statementCounter counts the statements sent on a connection.
type statementCounter struct{ n atomic.Int64 }

func (c *statementCounter) TraceQueryStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceQueryStartData) context.Context {
	c.n.Add(1)
	return ctx
}

func (*statementCounter) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

// TestDirectInsertIsOneStatement: where River's client sends the insert
// and then the insert notification, the direct insert sends one statement,
// the notification in it; within the cooldown both send the insert alone.
func TestDirectInsertIsOneStatement(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	st := testdb.Postgres(t)
	cfg := jobs.Config{Queue: "stmt_" + strings.ToLower(rand.Text()[:8]), DatabaseURL: testdb.URL(), Cooldown: time.Minute, PollInterval: time.Minute, Logger: slog.New(slog.DiscardHandler), TestOnly: true}
	q, err := jobs.New(ctx, st, cfg)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, q.Stop(context.Background())) })

	pcfg, err := pgx.ParseConfig(testdb.URL())
	require.NoError(t, err)
	counter := &statementCounter{}
	pcfg.Tracer = counter
	conn, err := pgx.ConnectConfig(ctx, pcfg)
	require.NoError(t, err)
	t.Cleanup(func() { _ = conn.Close(context.Background()) })
	tx, err := conn.Begin(ctx)
	require.NoError(t, err)
	defer func() { _ = tx.Rollback(context.Background()) }()

	statements := func(insert func() error) int64 {
		before := counter.n.Load()
		require.NoError(t, insert())
		return counter.n.Load() - before
	}
	args := jobs.ExecuteArgs{OrganizationID: 1, RequestID: 2}
	river := func() error { return q.InsertWithRiverTx(ctx, tx, cfg.Queue, args) }
	direct := func() error { return q.InsertDirectTx(ctx, tx, cfg.Queue, args) }
	require.Equal(t, int64(2), statements(river), "River's client: the insert, then the notification")
	require.Equal(t, int64(1), statements(direct), "the direct insert: one statement, the notification in it")
	require.Equal(t, int64(1), statements(river), "within the cooldown, the insert alone")
	require.Equal(t, int64(1), statements(direct))
	var jobs int64
	require.NoError(t, tx.QueryRow(ctx, "SELECT count(*) FROM river_job WHERE queue = $1", cfg.Queue).Scan(&jobs))
	require.Equal(t, int64(4), jobs)
}

// BenchmarkInsert is one execute_request job inserted in a transaction
// (one statement; the notification once per cooldown, here 5ms) with
// River's client (InsertTx) and with the direct insert.
//
//	go test -run '^$' -bench BenchmarkInsert -benchmem -benchtime 5000x ./internal/jobs
func BenchmarkInsert(b *testing.B) {
	st := testdb.Postgres(b)
	q, err := jobs.New(b.Context(), st, jobs.Config{Queue: "bench_" + strings.ToLower(rand.Text()[:8]), DatabaseURL: testdb.URL(), Cooldown: 5 * time.Millisecond, Logger: slog.New(slog.DiscardHandler), TestOnly: true})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = q.Stop(context.Background()) })
	queue, _ := q.Queues()
	for name, insert := range map[string]func(ctx context.Context, tx pgx.Tx, args jobs.ExecuteArgs) error{
		"river": func(ctx context.Context, tx pgx.Tx, args jobs.ExecuteArgs) error {
			return q.InsertWithRiverTx(ctx, tx, queue, args)
		},
		"direct": func(ctx context.Context, tx pgx.Tx, args jobs.ExecuteArgs) error {
			return q.InsertDirectTx(ctx, tx, queue, args)
		},
	} {
		b.Run(name, func(b *testing.B) {
			ctx := b.Context()
			conn, err := pgx.Connect(ctx, testdb.URL())
			if err != nil {
				b.Fatal(err)
			}
			defer conn.Close(context.Background())
			tx, err := conn.Begin(ctx)
			if err != nil {
				b.Fatal(err)
			}
			defer func() { _ = tx.Rollback(context.Background()) }()
			b.ReportAllocs()
			b.ResetTimer()
			for i := range b.N {
				if err := insert(ctx, tx, jobs.ExecuteArgs{OrganizationID: 1, RequestID: int64(i + 1)}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
