// Package scale is the scale test (make test-scale): three replicas of the
// real binary started at the same instant on an empty PostgreSQL database,
// a mixed load sent round-robin over them, then the same through a
// PgBouncer in transaction mode that the test starts itself. It needs
// OPENVEST_BIN (the binary under test) and skips without it.
package scale_test

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/google/uuid"
	_ "github.com/jackc/pgx/v5/stdlib" // the test's own queries
	"github.com/openvest/openvest/gen/client"
	"github.com/openvest/openvest/internal/apitest"
	"github.com/openvest/openvest/internal/testdb"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"
)

const replicas = 3

// TestScale runs the scale scenario on direct connections, then behind PgBouncer.
func TestScale(t *testing.T) {
	bin := os.Getenv("OPENVEST_BIN")
	if bin == "" {
		t.Skip("the scale test runs the real binary: make test-scale (sets OPENVEST_BIN)")
	}
	t.Run("direct", func(t *testing.T) {
		u := testdb.EmptyURL(t)
		scenario(t, bin, u, u, map[string]string{"OPENVEST_DB_POOLER": "none"})
	})
	t.Run("pgbouncer-transaction", func(t *testing.T) {
		direct := testdb.EmptyURL(t)
		port := startPgBouncer(t, "transaction", 20)
		pooled, err := url.Parse(direct)
		require.NoError(t, err)
		pooled.Host = "127.0.0.1:" + strconv.Itoa(port)
		// No direct URL: migrations run through the pooler under the
		// transaction-scoped lock, and the job queue polls (no LISTEN).
		scenario(t, bin, pooled.String(), direct, map[string]string{"OPENVEST_DB_POOLER": "transaction", "OPENVEST_AUTH_CACHE_TTL": "2s"})
	})
	t.Run("pgbouncer-transaction-direct", func(t *testing.T) {
		direct := testdb.EmptyURL(t)
		port := startPgBouncer(t, "transaction", 20)
		pooled, err := url.Parse(direct)
		require.NoError(t, err)
		pooled.Host = "127.0.0.1:" + strconv.Itoa(port)
		// The app pool through the pooler; migrations, the job queue
		// (LISTEN, leader election) and the auth listener direct.
		scenario(t, bin, pooled.String(), direct, map[string]string{"OPENVEST_DB_POOLER": "transaction", "OPENVEST_DIRECT_DATABASE_URL": direct})
	})
	t.Run("pgbouncer-session", func(t *testing.T) {
		direct := testdb.EmptyURL(t)
		// The budget fits the pool: 3 × (6 + 4 + 1) = 33 ≤ 36.
		port := startPgBouncer(t, "session", 36)
		pooled, err := url.Parse(direct)
		require.NoError(t, err)
		pooled.Host = "127.0.0.1:" + strconv.Itoa(port)
		scenario(t, bin, pooled.String(), direct, map[string]string{"OPENVEST_DB_POOLER": "session"})
	})
}

// replica is one running `openvest serve`.
type replica struct {
	cmd    *exec.Cmd
	base   string
	stdout *apitest.SyncBuffer
	logs   *apitest.SyncBuffer
	exited chan error
}

// statuses counts the responses by class, over every replica.
type statuses struct {
	total, server atomic.Int64
	mu            sync.Mutex
	fiveXX        []string
}

type counting struct {
	next http.RoundTripper
	s    *statuses
}

func (c counting) RoundTrip(req *http.Request) (*http.Response, error) {
	res, err := c.next.RoundTrip(req)
	if err == nil {
		c.s.total.Add(1)
		if res.StatusCode >= 500 {
			c.s.server.Add(1)
			c.s.mu.Lock()
			c.s.fiveXX = append(c.s.fiveXX, fmt.Sprintf("%s %s %s → %d", req.URL.Host, req.Method, req.URL.Path, res.StatusCode))
			c.s.mu.Unlock()
		}
	}
	return res, err
}

func scenario(t *testing.T, bin, dbURL, directURL string, extra map[string]string) {
	ctx := t.Context()
	env := map[string]string{
		"OPENVEST_DATABASE_URL":          dbURL,
		"OPENVEST_LOG_FORMAT":            "json",
		"OPENVEST_LOG_LEVEL":             "info",
		"OPENVEST_WEBHOOK_ALLOW_PRIVATE": "true",
		"OPENVEST_DB_MAX_CONNS":          "6",
		"OPENVEST_JOB_DB_MAX_CONNS":      "4",
		"OPENVEST_WEBHOOK_RETRY_DELAYS":  "1s,2s,5s",
		// the dispatch sweep every 15 minutes: inserted once (at the
		// leader's election) during the test, as the other periodic tasks
		"OPENVEST_WEBHOOK_DISPATCH_GRACE": "1h",
	}
	for k, v := range extra {
		env[k] = v
	}

	// Three replicas, started together on the empty database.
	rs := make([]*replica, replicas)
	for i := range rs {
		rs[i] = &replica{stdout: &apitest.SyncBuffer{}, logs: &apitest.SyncBuffer{}, exited: make(chan error, 1)}
	}
	started := time.Now()
	for i, r := range rs {
		addr := freeAddr(t)
		r.base = "http://" + addr
		r.cmd = exec.Command(bin, "serve")
		r.cmd.Env = append(cleanEnv(), "OPENVEST_ADDR="+addr)
		for k, v := range env {
			r.cmd.Env = append(r.cmd.Env, k+"="+v)
		}
		r.cmd.Stdout, r.cmd.Stderr = r.stdout, r.logs
		require.NoError(t, r.cmd.Start(), "start replica %d", i)
		go func() { r.exited <- r.cmd.Wait() }()
	}
	t.Cleanup(func() {
		for _, r := range rs {
			_ = r.cmd.Process.Signal(syscall.SIGTERM)
		}
		for i, r := range rs {
			select {
			case <-r.exited:
			case <-time.After(30 * time.Second):
				_ = r.cmd.Process.Kill()
				t.Errorf("replica %d did not stop within 30s", i)
			}
			if t.Failed() {
				t.Logf("replica %d log (tail):\n%s", i, tail(r.logs.String(), 4000))
			}
		}
	})
	var wg sync.WaitGroup
	ready := make([]error, replicas)
	for i, r := range rs {
		wg.Add(1)
		go func() { defer wg.Done(); ready[i] = waitReady(r, 90*time.Second) }()
	}
	wg.Wait()
	for i, err := range ready {
		require.NoError(t, err, "replica %d: %s", i, tail(rs[i].logs.String(), 3000))
	}
	readyIn := time.Since(started)

	// One sandbox organization for the cluster, printed by one replica.
	var id, secret string
	printed := 0
	for _, r := range rs {
		if m := regexp.MustCompile(`clientId:\s+(\S+)\s+clientSecret:\s+(\S+)`).FindStringSubmatch(r.stdout.String()); m != nil {
			id, secret = m[1], m[2]
			printed++
		}
	}
	require.Equal(t, 1, printed, "one replica created the sandbox organization")

	db, err := sql.Open("pgx", directURL)
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	db.SetMaxOpenConns(2)
	var orgs int
	require.NoError(t, db.QueryRowContext(ctx, "SELECT count(*) FROM organizations").Scan(&orgs))
	require.Equal(t, 1, orgs)

	st := &statuses{}
	validating := apitest.NewValidatingTransport(t, &http.Transport{MaxIdleConnsPerHost: 64, IdleConnTimeout: 30 * time.Second})
	httpc := &http.Client{Transport: counting{next: validating, s: st}, Timeout: 60 * time.Second}
	clients := make([]*client.ClientWithResponses, replicas)
	token := ""
	for i, r := range rs {
		c, err := client.NewClientWithResponses(r.base, client.WithHTTPClient(httpc), client.WithRequestEditorFn(func(_ context.Context, req *http.Request) error {
			if req.Header.Get("Authorization") == "" && token != "" {
				req.Header.Set("Authorization", "Bearer "+token)
			}
			req.Header.Set("X-Client-Id", id)
			if req.Method != http.MethodGet && req.Header.Get("X-Idempotency-Key") == "" {
				req.Header.Set("X-Idempotency-Key", uuid.NewString())
			}
			return nil
		}))
		require.NoError(t, err)
		clients[i] = c
	}
	tok, err := clients[0].CreateTokenWithResponse(ctx, nil, client.CreateTokenJSONRequestBody{ClientId: &id, ClientSecret: &secret})
	require.NoError(t, err)
	require.Equal(t, http.StatusCreated, tok.StatusCode(), string(tok.Body))
	token = tok.JSON201.Token

	// A webhook receiver counting arrivals per webhook-id.
	var (
		arrivalsMu sync.Mutex
		arrivals   = map[string]int{}
	)
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		arrivalsMu.Lock()
		arrivals[r.Header.Get("webhook-id")]++
		arrivalsMu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(receiver.Close)
	hook, err := clients[0].CreateWebhookWithResponse(ctx, nil, client.CreateWebhookJSONRequestBody{Url: receiver.URL, Subscriptions: []client.WebhookSubscription{client.WebhookSubscriptionALL}})
	require.NoError(t, err)
	require.Equal(t, http.StatusCreated, hook.StatusCode(), string(hook.Body))

	// The mixed load, round-robin over the replicas.
	const (
		workers = 12
		rounds  = 25 // per worker: a same-key pair, two purchases, a list
	)
	var (
		mu        sync.Mutex
		purchases []int64
		pairs     = map[string][2]int64{}
		failures  []string
	)
	fail := func(format string, args ...any) {
		mu.Lock()
		failures = append(failures, fmt.Sprintf(format, args...))
		mu.Unlock()
	}
	loadStart := time.Now()
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range rounds {
				n := w*rounds + i
				a, b := clients[n%replicas], clients[(n+1)%replicas]
				// A same-key pair on two replicas at once: one customer.
				key, name := uuid.NewString(), "Pair"+strconv.Itoa(n)
				var ids [2]int64
				var pw sync.WaitGroup
				for j, c := range []*client.ClientWithResponses{a, b} {
					pw.Add(1)
					go func() {
						defer pw.Done()
						res, err := c.CreateCustomerWithResponse(ctx, nil, client.CreateCustomerJSONRequestBody{FirstName: name, LastName: "Scale"},
							func(_ context.Context, req *http.Request) error { req.Header.Set("X-Idempotency-Key", key); return nil })
						if err != nil || res.JSON201 == nil {
							fail("pair %s: %v %s", name, err, body(res))
							return
						}
						ids[j] = res.JSON201.Data.CustomerId
					}()
				}
				pw.Wait()
				mu.Lock()
				pairs[name] = ids
				mu.Unlock()
				// Two purchases for that customer, each on another replica.
				for k := range 2 {
					c := clients[(n+k+2)%replicas]
					res, err := c.CreatePurchaseRequestWithResponse(ctx, nil, client.CreatePurchaseRequestJSONRequestBody{
						CustomerId: ids[0], Currency: client.USD, InstrumentId: 2, PurchaseAmount: decimal.RequireFromString("25.50"),
					})
					if err != nil || res.JSON201 == nil {
						fail("purchase: %v %s", err, body(res))
						continue
					}
					mu.Lock()
					purchases = append(purchases, res.JSON201.Data.RequestId)
					mu.Unlock()
				}
				limit := int32(20)
				if res, err := b.ListCustomersWithResponse(ctx, &client.ListCustomersParams{Limit: &limit}); err != nil || res.StatusCode() != http.StatusOK {
					fail("list: %v %s", err, body(res))
				}
			}
		}()
	}
	wg.Wait()
	loadTook, loadRequests := time.Since(loadStart), st.total.Load()
	require.Empty(t, failures)

	// Same-key pairs: one customer each, both answers naming it.
	for name, ids := range pairs {
		require.Equal(t, ids[0], ids[1], "pair %s answered two customers", name)
	}
	var customers int
	require.NoError(t, db.QueryRowContext(ctx, "SELECT count(*) FROM customers WHERE last_name = 'Scale'").Scan(&customers))
	require.Equal(t, len(pairs), customers, "one customer per same-key pair")

	// Every purchase completes with one fill.
	require.Len(t, purchases, workers*rounds*2)
	ids := int64List(purchases)
	require.Eventually(t, func() bool {
		var pending int
		require.NoError(t, db.QueryRowContext(ctx, "SELECT count(*) FROM requests WHERE id = ANY($1::bigint[]) AND status = 'PENDING'", ids).Scan(&pending))
		return pending == 0
	}, 90*time.Second, 100*time.Millisecond, "purchases left pending")
	var completed, fills, doubled int
	require.NoError(t, db.QueryRowContext(ctx, "SELECT count(*) FROM requests WHERE id = ANY($1::bigint[]) AND status = 'COMPLETED'", ids).Scan(&completed))
	require.NoError(t, db.QueryRowContext(ctx, "SELECT count(*) FROM transactions WHERE request_id = ANY($1::bigint[])", ids).Scan(&fills))
	require.NoError(t, db.QueryRowContext(ctx, "SELECT count(*) FROM (SELECT request_id FROM transactions WHERE request_id = ANY($1::bigint[]) GROUP BY request_id HAVING count(*) > 1) d", ids).Scan(&doubled))
	require.Equal(t, len(purchases), completed)
	require.Equal(t, len(purchases), fills, "one fill per purchase")
	require.Zero(t, doubled)

	// A weekly plan, and the sandbox clock moved a week on one replica: one job and one execution for the cycle.
	recurring, weekly := true, client.RequestSchedule("WEEKLY")
	plan, err := clients[1].CreatePurchaseRequestWithResponse(ctx, nil, client.CreatePurchaseRequestJSONRequestBody{
		CustomerId: pairs["Pair0"][0], Currency: client.USD, InstrumentId: 2, PurchaseAmount: decimal.RequireFromString("10"), IsRecurring: &recurring, Schedule: &weekly,
	})
	require.NoError(t, err)
	require.Equal(t, http.StatusCreated, plan.StatusCode(), string(plan.Body))
	days := int32(7)
	moved, err := clients[2].AdvanceSandboxClockWithResponse(ctx, nil, client.AdvanceSandboxClockJSONRequestBody{Days: &days})
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, moved.StatusCode(), string(moved.Body))
	require.Eventually(t, func() bool {
		var n int
		require.NoError(t, db.QueryRowContext(ctx, "SELECT count(*) FROM transactions WHERE request_id = $1", plan.JSON201.Data.RequestId).Scan(&n))
		return n == 1
	}, 30*time.Second, 50*time.Millisecond, "the plan's cycle executed")

	// One job per (request, cycle), and each periodic task inserted once for the cluster.
	var dupJobs int
	require.NoError(t, db.QueryRowContext(ctx, `SELECT count(*) FROM (SELECT 1 FROM river_job WHERE kind = 'execute_request'
		GROUP BY args->>'requestId', COALESCE(args->>'due', '')
		HAVING count(*) FILTER (WHERE unique_key IS NOT NULL OR args->>'due' IS NULL) > 1) d`).Scan(&dupJobs))
	require.Zero(t, dupJobs, "one job per request and per cycle (besides the sandbox clock's run-now job)")
	rows, err := db.QueryContext(ctx, "SELECT args->>'task', count(*) FROM river_job WHERE kind = 'periodic_task' GROUP BY 1 ORDER BY 1")
	require.NoError(t, err)
	periodic := map[string]int{}
	for rows.Next() {
		var task string
		var n int
		require.NoError(t, rows.Scan(&task, &n))
		periodic[task] = n
	}
	require.NoError(t, rows.Err())
	require.Equal(t, map[string]int{"mark_dormant": 1, "purge_expired": 1, "reschedule_overdue": 1, "sweep_webhook_dispatches": 1}, periodic, "periodic work once per cluster")

	// Jobs start within a second of being due.
	var p50, p99, maxStart float64
	require.NoError(t, db.QueryRowContext(ctx, `SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY s), percentile_cont(0.99) WITHIN GROUP (ORDER BY s), max(s)
		FROM (SELECT extract(epoch FROM attempted_at - scheduled_at)::float8 AS s FROM river_job WHERE kind = 'execute_request' AND attempted_at IS NOT NULL) j`).Scan(&p50, &p99, &maxStart))
	require.Less(t, p99, 1.0, "99%% of executions start within 1s (p50 %.3fs, max %.3fs)", p50, maxStart)

	// Webhook deliveries: every one arrives, once.
	var deliveries int
	require.Eventually(t, func() bool {
		var pending int
		require.NoError(t, db.QueryRowContext(ctx, "SELECT count(*) FILTER (WHERE state <> 'SUCCEEDED'), count(*) FROM webhook_deliveries").Scan(&pending, &deliveries))
		return pending == 0 && deliveries > 0
	}, 90*time.Second, 100*time.Millisecond, "webhook deliveries left")
	arrivalsMu.Lock()
	distinct, dupArrivals := len(arrivals), 0
	for _, n := range arrivals {
		if n > 1 {
			dupArrivals++
		}
	}
	arrivalsMu.Unlock()
	require.Equal(t, deliveries, distinct, "each delivery arrived")
	require.Zero(t, dupArrivals, "no delivery arrived twice")

	// A token revoked on one replica is refused by another that cached it.
	second, err := clients[0].CreateTokenWithResponse(ctx, nil, client.CreateTokenJSONRequestBody{ClientId: &id, ClientSecret: &secret})
	require.NoError(t, err)
	require.Equal(t, http.StatusCreated, second.StatusCode())
	bearer := func(_ context.Context, req *http.Request) error {
		req.Header.Set("Authorization", "Bearer "+second.JSON201.Token)
		return nil
	}
	limit := int32(1)
	got, err := clients[1].ListCustomersWithResponse(ctx, &client.ListCustomersParams{Limit: &limit}, bearer)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, got.StatusCode())
	revoked, err := clients[2].RevokeTokenWithResponse(ctx, nil, bearer)
	require.NoError(t, err)
	require.Less(t, revoked.StatusCode(), 300, string(revoked.Body))
	revokedAt := time.Now()
	var refusedAfter time.Duration
	require.Eventually(t, func() bool {
		res, err := clients[1].ListCustomersWithResponse(ctx, &client.ListCustomersParams{Limit: &limit}, bearer)
		require.NoError(t, err)
		refusedAfter = time.Since(revokedAt)
		return res.StatusCode() == http.StatusUnauthorized
	}, 10*time.Second, 2*time.Millisecond)
	if env["OPENVEST_DB_POOLER"] != "transaction" || env["OPENVEST_DIRECT_DATABASE_URL"] != "" {
		require.Less(t, refusedAfter, time.Second, "the invalidation, not the cache TTL, refused it")
	}

	st.mu.Lock()
	require.Zero(t, st.server.Load(), "5xx answers: %v", st.fiveXX)
	st.mu.Unlock()
	for i, r := range rs {
		for _, bad := range []string{"prepared statement", "got packet", "Error fetching jobs"} {
			require.NotContains(t, r.logs.String(), bad, "replica %d logged %q", i, bad)
		}
	}
	var conns int
	require.NoError(t, db.QueryRowContext(ctx, "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()").Scan(&conns))
	t.Logf("scale %s: %d replicas ready %.2fs after start; load %d requests in %.2fs (%.0f/s), 0 × 5xx in %d requests; %d same-key pairs → %d customers; %d purchases → %d fills; %d webhook deliveries → %d arrivals; job start p50 %.0fms p99 %.0fms max %.0fms; revoked token refused by another replica after %s; periodic %v; %d server connections to the database at the end",
		t.Name(), replicas, readyIn.Seconds(), loadRequests, loadTook.Seconds(), float64(loadRequests)/loadTook.Seconds(), st.total.Load(),
		len(pairs), customers, len(purchases), fills, deliveries, distinct, p50*1000, p99*1000, maxStart*1000, refusedAfter.Round(time.Millisecond), periodic, conns)
}

func waitReady(r *replica, within time.Duration) error {
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) {
		select {
		case err := <-r.exited:
			r.exited <- err
			return fmt.Errorf("exited before ready: %v", err)
		default:
		}
		res, err := http.Get(r.base + "/readyz")
		if err == nil {
			_ = res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("not ready within %s", within)
}

// startPgBouncer runs a PgBouncer (pool_mode=transaction) in front of the
// local PostgreSQL on a free port, until the test ends.
func startPgBouncer(t *testing.T, mode string, poolSize int) int {
	t.Helper()
	bin, err := exec.LookPath("pgbouncer")
	if err != nil {
		if _, serr := os.Stat("/usr/sbin/pgbouncer"); serr == nil {
			bin = "/usr/sbin/pgbouncer"
		} else {
			t.Skip("pgbouncer is not installed and could not be (apt-get install pgbouncer): the PgBouncer half of the scale test is skipped")
		}
	}
	admin, err := url.Parse(testdb.AdminURL())
	require.NoError(t, err)
	host, pgPort, _ := net.SplitHostPort(admin.Host)
	user := admin.User.Username()
	dir, err := os.MkdirTemp("", "openvest-pgbouncer-")
	require.NoError(t, err)
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	require.NoError(t, os.Chmod(dir, 0o777)) // pgbouncer may run as another user (see below)
	port := freePort(t)
	ini := fmt.Sprintf(`[databases]
* = host=%s port=%s user=%s

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = %d
unix_socket_dir =
auth_type = any
pool_mode = %s
max_client_conn = 1000
default_pool_size = %d
ignore_startup_parameters = extra_float_digits
logfile = %s
`, host, pgPort, user, port, mode, poolSize, filepath.Join(dir, "pgbouncer.log"))
	cfg := filepath.Join(dir, "pgbouncer.ini")
	require.NoError(t, os.WriteFile(cfg, []byte(ini), 0o644))
	args := []string{cfg}
	if os.Geteuid() == 0 { // pgbouncer refuses to run as root
		args = []string{"-u", "postgres", cfg}
	}
	var out bytes.Buffer
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = &out, &out
	require.NoError(t, cmd.Start())
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
		}
	})
	deadline := time.Now().Add(15 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", "127.0.0.1:"+strconv.Itoa(port), time.Second)
		if err == nil {
			_ = c.Close()
			return port
		}
		select {
		case err := <-done:
			log, _ := os.ReadFile(filepath.Join(dir, "pgbouncer.log"))
			t.Fatalf("pgbouncer exited: %v\n%s%s", err, out.String(), log)
		default:
		}
		require.True(t, time.Now().Before(deadline), "pgbouncer does not listen on %d after 15s: %s", port, out.String())
		time.Sleep(50 * time.Millisecond)
	}
}

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

func freeAddr(t *testing.T) string { return "127.0.0.1:" + strconv.Itoa(freePort(t)) }

// cleanEnv is the test's environment without OPENVEST_ settings.
func cleanEnv() []string {
	var out []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "OPENVEST_") {
			out = append(out, kv)
		}
	}
	return out
}

func int64List(ids []int64) string {
	s := make([]string, len(ids))
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	for i, id := range ids {
		s[i] = strconv.FormatInt(id, 10)
	}
	return "{" + strings.Join(s, ",") + "}"
}

// body describes a response for a failure message (nil when the call failed).
func body(res interface{ StatusCode() int }) string {
	if res == nil || reflect.ValueOf(res).IsNil() {
		return "(no response)"
	}
	return strconv.Itoa(res.StatusCode())
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}
