package main

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/openvest/openvest/internal/testdb"
	"github.com/stretchr/testify/require"
)

// commands is every command and subcommand of openvest.
var commands = [][]string{
	{}, {"serve"}, {"migrate"}, {"healthcheck"}, {"version"}, {"sign"},
	{"org"}, {"org", "create"}, {"org", "add-key"}, {"org", "keys"}, {"org", "revoke-key"}, {"org", "reset"}, {"org", "set-signature-policy"},
	{"webhook-key"}, {"webhook-key", "rotate"},
	{"counterparty"}, {"counterparty", "create"},
}

// runBounded runs the command line and fails the test if it does not
// return within 10 seconds (serve --help must not serve).
func runBounded(t *testing.T, args []string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errOut bytes.Buffer
	done := make(chan error, 1)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() { done <- run(ctx, args, &out, &errOut) }()
	select {
	case err = <-done:
	case <-time.After(10 * time.Second):
		cancel()
		<-done
		t.Fatalf("openvest %v did not return within 10s", args)
	}
	return out.String(), errOut.String(), err
}

// TestHelpIsHarmless runs every command with -h and --help against a
// database (and an address) of the test's own: each prints its usage on
// stdout, exits 0, and touches nothing: the SQLite database is never
// created; on PostgreSQL (a migrated database) no table gains or loses a
// row (serve would create the sandbox organization, any command opening
// the app the webhook signing key, rotate a second one); the address is
// never bound (serve would not return).
func TestHelpIsHarmless(t *testing.T) {
	dir := t.TempDir()
	pg := testdb.FreshURL(t)
	before := rowCounts(t, pg)
	for _, dbURL := range []string{"sqlite://" + dir + "/openvest.db", pg} {
		t.Setenv("OPENVEST_DATABASE_URL", dbURL)
		t.Setenv("OPENVEST_ADDR", freeAddr(t))
		for _, cmd := range commands {
			for _, help := range []string{"-h", "--help"} {
				args := append(append([]string{}, cmd...), help)
				stdout, stderr, err := runBounded(t, args)
				require.NoError(t, err, "openvest %v", args)
				require.Equal(t, 0, exitCode(err))
				require.Contains(t, stdout, "usage:", "openvest %v prints its usage on stdout", args)
				if len(cmd) > 0 {
					require.Contains(t, stdout, "openvest "+strings.Join(cmd, " "), "openvest %v names the command", args)
				}
				require.Empty(t, stderr, "openvest %v", args)
			}
		}
	}
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Empty(t, entries, "--help created files in the database directory")
	require.Equal(t, before, rowCounts(t, pg), "--help changed the PostgreSQL database")
	require.NotEmpty(t, before)
}

// rowCounts counts the rows of every table of the database.
func rowCounts(t *testing.T, dbURL string) map[string]int64 {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dbURL)
	require.NoError(t, err)
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`)
	require.NoError(t, err)
	tables, err := pgx.CollectRows(rows, pgx.RowTo[string])
	require.NoError(t, err)
	out := map[string]int64{}
	for _, name := range tables {
		var n int64
		require.NoError(t, conn.QueryRow(ctx, "SELECT count(*) FROM "+pgx.Identifier{name}.Sanitize()).Scan(&n))
		out[name] = n
	}
	return out
}

// TestUnknownFlagExits2 checks that every command refuses an unknown flag
// with exit status 2 and its usage on stderr, touching nothing.
func TestUnknownFlagExits2(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("OPENVEST_DATABASE_URL", "sqlite://"+dir+"/openvest.db")
	for _, cmd := range commands {
		args := append(append([]string{}, cmd...), "--no-such-flag")
		stdout, stderr, err := runBounded(t, args)
		require.Error(t, err, "openvest %v", args)
		require.Equal(t, 2, exitCode(err), "openvest %v: %v", args, err)
		require.Contains(t, stderr, "usage:", "openvest %v prints its usage on stderr", args)
		require.Empty(t, stdout, "openvest %v", args)
	}
	// A missing required flag is a usage error too.
	_, stderr, err := runBounded(t, []string{"org", "keys"})
	require.Equal(t, 2, exitCode(err))
	require.Contains(t, stderr, "usage: openvest org keys")
	require.ErrorContains(t, err, "--client-id is required")
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Empty(t, entries)
}

func TestVersion(t *testing.T) {
	for _, args := range [][]string{{"version"}, {"--version"}} {
		stdout, _, err := runBounded(t, args)
		require.NoError(t, err)
		require.Regexp(t, `^openvest \S+\ncommit \S+.*\ngo `+runtime.Version()+`\n$`, stdout)
	}
}

// TestServeBusyAddress: when the address is taken, serve fails naming it
// and writes nothing: the database is not even created, so the sandbox
// secret (printed once) is not lost.
func TestServeBusyAddress(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	dir := t.TempDir()
	t.Setenv("OPENVEST_DATABASE_URL", "sqlite://"+dir+"/openvest.db")
	t.Setenv("OPENVEST_ADDR", ln.Addr().String())
	t.Setenv("OPENVEST_LOG_LEVEL", "error")
	stdout, _, err := runBounded(t, []string{"serve"})
	require.Error(t, err)
	require.Contains(t, err.Error(), "OPENVEST_ADDR="+ln.Addr().String())
	require.NotContains(t, stdout, "clientSecret")
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Empty(t, entries, "serve wrote the database although it could not listen")
}

// TestMetricsOnTheirOwnAddress: with OPENVEST_METRICS_ADDR, /metrics is
// served there and not on the API address.
func TestMetricsOnTheirOwnAddress(t *testing.T) {
	addr, metricsAddr := freeAddr(t), freeAddr(t)
	t.Setenv("OPENVEST_ADDR", addr)
	t.Setenv("OPENVEST_METRICS_ADDR", metricsAddr)
	t.Setenv("OPENVEST_DATABASE_URL", "sqlite://"+t.TempDir()+"/openvest.db")
	t.Setenv("OPENVEST_LOG_LEVEL", "warn")
	startServe(t, addr)
	res, err := http.Get("http://" + addr + "/metrics")
	require.NoError(t, err)
	res.Body.Close()
	require.Equal(t, http.StatusNotFound, res.StatusCode)
	res, err = http.Get("http://" + metricsAddr + "/metrics")
	require.NoError(t, err)
	body, err := io.ReadAll(res.Body)
	res.Body.Close()
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, res.StatusCode)
	for _, series := range []string{`openvest_http_requests_total{code="200",method="GET",route="/readyz"}`, `openvest_jobs_queued{kind="execute_request",state="available"} 0`} {
		require.True(t, strings.Contains(string(body), series), "/metrics has no %s", series)
	}
}

// TestPprofOnItsOwnAddress: with OPENVEST_PPROF_ADDR, the runtime
// profiles are served there and never on the API address.
func TestPprofOnItsOwnAddress(t *testing.T) {
	addr, pprofAddr := freeAddr(t), freeAddr(t)
	t.Setenv("OPENVEST_ADDR", addr)
	t.Setenv("OPENVEST_PPROF_ADDR", pprofAddr)
	t.Setenv("OPENVEST_DATABASE_URL", "sqlite://"+t.TempDir()+"/openvest.db")
	t.Setenv("OPENVEST_LOG_LEVEL", "warn")
	startServe(t, addr)
	res, err := http.Get("http://" + addr + "/debug/pprof/")
	require.NoError(t, err)
	res.Body.Close()
	require.Equal(t, http.StatusNotFound, res.StatusCode)
	res, err = http.Get("http://" + pprofAddr + "/debug/pprof/goroutine?debug=1")
	require.NoError(t, err)
	body, err := io.ReadAll(res.Body)
	res.Body.Close()
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, res.StatusCode)
	require.Contains(t, string(body), "goroutine profile:")
}

// TestHealthcheck: `openvest healthcheck` passes while the service is
// ready on OPENVEST_ADDR and fails (exit 1) when nothing answers there.
func TestHealthcheck(t *testing.T) {
	addr := freeAddr(t)
	_, port, err := net.SplitHostPort(addr)
	require.NoError(t, err)
	t.Setenv("OPENVEST_DATABASE_URL", "sqlite://"+t.TempDir()+"/openvest.db")
	t.Setenv("OPENVEST_LOG_LEVEL", "warn")
	t.Setenv("OPENVEST_ADDR", addr)
	_, _, err = runBounded(t, []string{"healthcheck", "--timeout", "1s"})
	require.Error(t, err)
	require.Equal(t, 1, exitCode(err))

	_, stop := startServe(t, addr)
	t.Setenv("OPENVEST_ADDR", ":"+port) // as in the image: all interfaces, asked on the loopback
	stdout, _, err := runBounded(t, []string{"healthcheck"})
	require.NoError(t, err)
	require.Equal(t, "ready\n", stdout)
	stop()
}

func TestReadyzURL(t *testing.T) {
	for addr, want := range map[string]string{
		":8080":          "http://127.0.0.1:8080/readyz",
		"0.0.0.0:9000":   "http://127.0.0.1:9000/readyz",
		"[::]:8080":      "http://[::1]:8080/readyz",
		"10.0.0.5:8080":  "http://10.0.0.5:8080/readyz",
		"localhost:8080": "http://localhost:8080/readyz",
	} {
		got, err := readyzURL(addr)
		require.NoError(t, err)
		require.Equal(t, want, got, addr)
	}
	_, err := readyzURL("8080")
	require.ErrorContains(t, err, "OPENVEST_ADDR")
}
