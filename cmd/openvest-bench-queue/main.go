// Command openvest-bench-queue measures the job queues of a built openvest
// binary on PostgreSQL: how fast webhook deliveries drain to a local
// receiver at the default worker counts, and how long a purchase takes to
// complete while a backlog of deliveries waits.
//
// It creates a throwaway database, runs "openvest migrate" and "openvest org
// create --sandbox" on it, starts a local receiver and "openvest serve"
// (OPENVEST_WEBHOOK_ALLOW_PRIVATE=true so that it may reach the receiver;
// every other setting at its default), subscribes -hooks webhooks to the
// receiver, then:
//
//  1. Throughput: queues -deliveries WEBHOOK.TEST deliveries (concurrent
//     POST /v1/webhooks/test, each one event to every webhook) to a receiver
//     that answers 200 at once, and prints deliveries/s from the first
//     delivery received to the last.
//  2. Purchases behind a backlog: the receiver now takes -slow per answer
//     (a receiver far away), -backlog more deliveries are queued, and while
//     at least that many still wait, -purchases purchases are made one after
//     another; each is timed from POST /v1/requests/purchase until GET
//     /v1/requests/{id} shows it COMPLETED (polled every 5 ms). It prints the
//     latencies and the backlog (deliveries not yet attempted, read from
//     webhook_deliveries) before and after. A baseline of the same purchases
//     with no backlog comes first.
//
// With -fills N (make bench-jobs), the jobs phases come in too: N
// purchases sent at once from 16 workers over -customers customers, with
// the rate they are accepted and executed at (fills/s, from the first
// transaction's created_at to the last), then -rate purchases a second for
// -rate-for with their create → COMPLETED lag (the request's created_at to
// its transaction's), and that paced lag again behind the delivery backlog
// of phase 2: a backlog of deliveries must not delay executions.
//
// Run it with "make bench-queue", which builds bin/openvest first, or:
//
//	go run ./cmd/openvest-bench-queue -bin bin/openvest
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/openvest/openvest/httpsig"
	"github.com/openvest/openvest/internal/webhook"
)

type config struct {
	bin, adminURL, addr                   string
	hooks, deliveries, backlog, purchases int
	slow                                  time.Duration
	fills, rate, customers, held          int
	rateFor                               time.Duration
}

func main() {
	var cfg config
	adminURL := "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
	if v := os.Getenv("TEST_DATABASE_URL"); v != "" {
		adminURL = v
	}
	flag.StringVar(&cfg.bin, "bin", "bin/openvest", "path to the built openvest binary")
	flag.StringVar(&cfg.adminURL, "admin-url", adminURL, "PostgreSQL URL of a role that may create and drop databases; TEST_DATABASE_URL sets the default")
	flag.StringVar(&cfg.addr, "addr", "127.0.0.1:18090", "address the server under test listens on")
	flag.IntVar(&cfg.hooks, "hooks", 50, "webhooks subscribed to the receiver (each test event is one delivery to each)")
	flag.IntVar(&cfg.deliveries, "deliveries", 10000, "deliveries of the throughput phase")
	flag.IntVar(&cfg.backlog, "backlog", 10000, "deliveries waiting while the purchases are timed")
	flag.IntVar(&cfg.purchases, "purchases", 20, "purchases timed in each purchase phase")
	flag.DurationVar(&cfg.slow, "slow", 250*time.Millisecond, "how long the receiver takes to answer during the backlog phase")
	flag.IntVar(&cfg.fills, "fills", 0, "jobs phase: purchases sent at once from 16 workers, to measure fills/s (0: skip the jobs phases)")
	flag.IntVar(&cfg.rate, "rate", 200, "jobs phase: purchases/s of the paced lag measurement")
	flag.DurationVar(&cfg.rateFor, "rate-for", 10*time.Second, "jobs phase: how long the paced purchases are sent")
	flag.IntVar(&cfg.held, "held", 0, "jobs phase: purchases accepted while the bench holds their portfolios' row locks, then released at once: executions/s and CPU per execution from a backlog, without the acceptance (0: skip)")
	flag.IntVar(&cfg.customers, "customers", 50, "jobs phase: customers the purchases are spread over")
	flag.Parse()
	if cfg.hooks < 1 || cfg.deliveries < cfg.hooks || cfg.backlog < cfg.hooks || cfg.purchases < 1 {
		fmt.Fprintln(os.Stderr, "openvest-bench-queue: -hooks, -purchases must be at least 1 and -deliveries, -backlog at least -hooks")
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, cfg); err != nil {
		fmt.Fprintln(os.Stderr, "openvest-bench-queue:", err)
		os.Exit(1)
	}
}

// receiver counts WEBHOOK.TEST deliveries and answers 200, after delay.
type receiver struct {
	delay       atomic.Int64 // nanoseconds
	count       atomic.Int64
	mu          sync.Mutex
	first, last time.Time
}

func (r *receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	var d struct {
		Event string `json:"event"`
	}
	_ = json.NewDecoder(io.LimitReader(req.Body, 1<<20)).Decode(&d)
	if delay := time.Duration(r.delay.Load()); delay > 0 {
		time.Sleep(delay) // a slow receiver: the worker waits on the network
	}
	if d.Event == webhook.TestEvent {
		now := time.Now()
		r.mu.Lock()
		if r.first.IsZero() {
			r.first = now
		}
		r.last = now
		r.mu.Unlock()
		r.count.Add(1)
	}
	w.WriteHeader(http.StatusOK)
}

func (r *receiver) reset() {
	r.mu.Lock()
	r.first, r.last = time.Time{}, time.Time{}
	r.mu.Unlock()
	r.count.Store(0)
}

func run(ctx context.Context, cfg config) error {
	dbName := fmt.Sprintf("openvest_bench_queue_%d", time.Now().UnixNano())
	dbURL, err := withDatabase(cfg.adminURL, dbName)
	if err != nil {
		return err
	}
	admin, err := pgx.Connect(ctx, cfg.adminURL)
	if err != nil {
		return fmt.Errorf("connect to PostgreSQL (-admin-url): %w", err)
	}
	defer admin.Close(context.Background())
	var pgVersion string
	if err := admin.QueryRow(ctx, "SELECT version()").Scan(&pgVersion); err != nil {
		return fmt.Errorf("select version(): %w", err)
	}
	fmt.Printf("go:         %s %s/%s, NumCPU %d\npostgres:   %s\n", runtime.Version(), runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), pgVersion)
	ident := pgx.Identifier{dbName}.Sanitize()
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+ident); err != nil {
		return fmt.Errorf("create database %s: %w", dbName, err)
	}
	defer func() {
		cctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := admin.Exec(cctx, "DROP DATABASE IF EXISTS "+ident+" WITH (FORCE)"); err != nil {
			fmt.Fprintf(os.Stderr, "openvest-bench-queue: drop database %s: %v\n", dbName, err)
		}
	}()

	env := append(os.Environ(), "OPENVEST_DATABASE_URL="+dbURL, "OPENVEST_ADDR="+cfg.addr, "OPENVEST_LOG_LEVEL=warn", "OPENVEST_WEBHOOK_ALLOW_PRIVATE=true")
	command := func(args ...string) *exec.Cmd {
		c := exec.CommandContext(ctx, cfg.bin, args...)
		c.Env = env
		return c
	}
	if out, err := command("migrate").CombinedOutput(); err != nil {
		return fmt.Errorf("%s migrate: %w\n%s", cfg.bin, err, out)
	}
	orgCmd := command("org", "create", "--name", "bench-queue", "--sandbox")
	orgCmd.Stderr = os.Stderr
	out, err := orgCmd.Output()
	if err != nil {
		return fmt.Errorf("%s org create: %w", cfg.bin, err)
	}
	var org struct {
		ClientID     string `json:"clientId"`
		ClientSecret string `json:"clientSecret"`
	}
	if err := json.Unmarshal(out, &org); err != nil || org.ClientID == "" {
		return fmt.Errorf("org create printed %q, want one JSON object with clientId and clientSecret", out)
	}

	rc := &receiver{}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	hs := &http.Server{Handler: rc, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = hs.Serve(ln) }()
	defer hs.Close()

	if c, err := net.DialTimeout("tcp", cfg.addr, time.Second); err == nil {
		c.Close()
		return fmt.Errorf("%s is already in use; pick another -addr", cfg.addr)
	}
	srv := exec.Command(cfg.bin, "serve")
	srv.Env = env
	srv.Stdout, srv.Stderr = os.Stderr, os.Stderr
	if err := srv.Start(); err != nil {
		return fmt.Errorf("start %s serve: %w", cfg.bin, err)
	}
	exited := make(chan struct{})
	go func() { _ = srv.Wait(); close(exited) }()
	defer func() {
		_ = srv.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(20 * time.Second):
			_ = srv.Process.Kill()
			<-exited
		}
	}()

	tr := &http.Transport{MaxIdleConns: 64, MaxIdleConnsPerHost: 64}
	a := &api{client: &http.Client{Transport: tr, Timeout: 30 * time.Second}, base: "http://" + cfg.addr}
	if err := waitReady(ctx, a, exited); err != nil {
		return err
	}
	form := url.Values{"clientId": {org.ClientID}, "clientSecret": {org.ClientSecret}}
	res, err := a.client.PostForm(a.base+"/v1/oauth/token", form)
	if err != nil {
		return err
	}
	var tok struct {
		Token string `json:"token"` // the token call answers flat
	}
	err = json.NewDecoder(res.Body).Decode(&tok)
	res.Body.Close()
	if err != nil || tok.Token == "" {
		return fmt.Errorf("POST /v1/oauth/token: %d, no token", res.StatusCode)
	}
	a.token, a.clientID = tok.Token, org.ClientID

	var customer struct {
		Data struct {
			CustomerID int64 `json:"customerId"`
		} `json:"data"`
	}
	if err := a.call(ctx, "POST", "/v1/customers", `{"firstName":"Bench","lastName":"Queue"}`, http.StatusCreated, &customer); err != nil {
		return fmt.Errorf("POST /v1/customers: %w", err)
	}
	var instrument struct {
		Data struct {
			InstrumentID int64 `json:"instrumentId"`
		} `json:"data"`
	}
	if err := a.call(ctx, "GET", "/v1/instruments/AAPL", "", http.StatusOK, &instrument); err != nil {
		return fmt.Errorf("GET /v1/instruments/AAPL: %w", err)
	}
	hookURL := "http://" + ln.Addr().String() + "/hooks"
	for range cfg.hooks {
		if err := a.call(ctx, "POST", "/v1/webhooks", `{"url":"`+hookURL+`","subscriptions":["WEBHOOK"]}`, http.StatusCreated, nil); err != nil {
			return fmt.Errorf("POST /v1/webhooks: %w", err)
		}
	}
	db, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		return err
	}
	defer db.Close(context.Background())
	waiting := func() (int64, error) {
		var n int64
		// the deliveries not yet attempted, whether a job or the server's
		// own workers (after the commit) will make the attempt
		err := db.QueryRow(ctx, "SELECT count(*) FROM webhook_deliveries WHERE state = 'PENDING' AND attempts = 0").Scan(&n)
		return n, err
	}
	// Let the WEBHOOK.CREATED deliveries of the set-up drain.
	if err := until(ctx, 60*time.Second, func() (bool, error) { n, err := waiting(); return n == 0, err }); err != nil {
		return fmt.Errorf("set-up deliveries: %w", err)
	}

	// 1. Throughput at the defaults.
	rc.reset()
	calls := cfg.deliveries / cfg.hooks
	probe := &jobsBench{db: db, pid: srv.Process.Pid, dbName: dbName}
	srv0, pg0, err := probe.cpu(ctx)
	if err != nil {
		return err
	}
	if err := queueTests(ctx, a, calls); err != nil {
		return err
	}
	want := int64(calls * cfg.hooks)
	if err := until(ctx, 10*time.Minute, func() (bool, error) { return rc.count.Load() >= want, nil }); err != nil {
		return fmt.Errorf("throughput: %d of %d delivered: %w", rc.count.Load(), want, err)
	}
	rc.mu.Lock()
	span := rc.last.Sub(rc.first)
	rc.mu.Unlock()
	srv1, pg1, err := probe.cpu(ctx)
	if err != nil {
		return err
	}
	fmt.Printf("deliveries  %d to %d webhooks on one local receiver (answers at once): %.2fs, %.0f deliveries/s; CPU per delivery (with its event): server %.3f ms, postgres %.3f ms\n",
		want, cfg.hooks, span.Seconds(), float64(want)/span.Seconds(), (srv1-srv0)/float64(want), (pg1-pg0)/float64(want))

	purchase := func() (time.Duration, error) {
		body := fmt.Sprintf(`{"customerId":%d,"currency":"USD","instrumentId":%d,"purchaseAmount":10}`, customer.Data.CustomerID, instrument.Data.InstrumentID)
		var r struct {
			Data struct {
				RequestID int64  `json:"requestId"`
				Status    string `json:"status"`
			} `json:"data"`
		}
		start := time.Now()
		if err := a.call(ctx, "POST", "/v1/requests/purchase", body, http.StatusCreated, &r); err != nil {
			return 0, fmt.Errorf("POST /v1/requests/purchase: %w", err)
		}
		for r.Data.Status == "PENDING" {
			if time.Since(start) > time.Minute {
				return 0, fmt.Errorf("request %d still PENDING after a minute", r.Data.RequestID)
			}
			time.Sleep(5 * time.Millisecond)
			if err := a.call(ctx, "GET", fmt.Sprintf("/v1/requests/%d", r.Data.RequestID), "", http.StatusOK, &r); err != nil {
				return 0, err
			}
		}
		if r.Data.Status != "COMPLETED" {
			return 0, fmt.Errorf("request %d ended %s", r.Data.RequestID, r.Data.Status)
		}
		return time.Since(start), nil
	}
	timed := func(label string) error {
		before, err := waiting()
		if err != nil {
			return err
		}
		var lat []time.Duration
		for range cfg.purchases {
			d, err := purchase()
			if err != nil {
				return err
			}
			lat = append(lat, d)
		}
		after, err := waiting()
		if err != nil {
			return err
		}
		slices.Sort(lat)
		fmt.Printf("purchases   %-32s n=%d  p50=%s  p90=%s  max=%s  (deliveries waiting: %d before, %d after)\n", label, len(lat),
			lat[len(lat)/2].Round(time.Millisecond), lat[len(lat)*9/10].Round(time.Millisecond), lat[len(lat)-1].Round(time.Millisecond), before, after)
		return nil
	}
	if err := timed("with no backlog"); err != nil {
		return err
	}
	var jb *jobsBench
	if cfg.fills > 0 {
		jb = &jobsBench{a: a, db: db, dbURL: dbURL, instrument: instrument.Data.InstrumentID, pid: srv.Process.Pid, dbName: dbName}
		if err := jb.run(ctx, cfg); err != nil {
			return err
		}
	}

	// 2. Purchases behind a backlog.
	rc.delay.Store(int64(cfg.slow))
	extra := cfg.backlog + cfg.backlog/2 // some drain while the backlog is built
	if err := queueTests(ctx, a, extra/cfg.hooks); err != nil {
		return err
	}
	n, err := waiting()
	if err != nil {
		return err
	}
	if n < int64(cfg.backlog) {
		return fmt.Errorf("only %d deliveries waiting after queueing %d: the receiver drains faster than the API queues; raise -slow", n, extra)
	}
	if err := timed(fmt.Sprintf("behind a backlog (receiver %s)", cfg.slow)); err != nil {
		return err
	}
	if jb != nil {
		if err := jb.paced(ctx, cfg, "behind the backlog", waiting); err != nil {
			return err
		}
	}
	rc.delay.Store(0)
	return nil
}

// queueTests sends calls POST /v1/webhooks/test from 8 workers.
func queueTests(ctx context.Context, a *api, calls int) error {
	var (
		wg    sync.WaitGroup
		next  atomic.Int64
		first atomic.Pointer[error]
	)
	for range 8 {
		wg.Go(func() {
			for next.Add(1) <= int64(calls) {
				if err := a.call(ctx, "POST", "/v1/webhooks/test", "", http.StatusNoContent, nil); err != nil {
					first.CompareAndSwap(nil, &err)
					return
				}
			}
		})
	}
	wg.Wait()
	if err := first.Load(); err != nil {
		return fmt.Errorf("POST /v1/webhooks/test: %w", *err)
	}
	return nil
}

// until polls cond every 10 ms until it holds or limit passes.
func until(ctx context.Context, limit time.Duration, cond func() (bool, error)) error {
	deadline := time.Now().Add(limit)
	for {
		ok, err := cond()
		if err != nil || ok {
			return err
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("not done within %s", limit)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// api sends the benchmark's requests (a sandbox organization: unsigned).
type api struct {
	client          *http.Client
	base            string
	clientID, token string
}

// call sends one request; a status other than want is an error showing the
// body; into, when not nil, gets the JSON answer.
func (a *api) call(ctx context.Context, method, path, body string, want int, into any) error {
	var rd io.Reader
	if body != "" {
		rd = bytes.NewReader([]byte(body))
	}
	req, err := http.NewRequestWithContext(ctx, method, a.base+path, rd)
	if err != nil {
		return err
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if a.token != "" {
		req.Header.Set("Authorization", "Bearer "+a.token)
		req.Header.Set("X-Client-Id", a.clientID)
	}
	if method != http.MethodGet && a.token != "" {
		req.Header.Set("X-Idempotency-Key", httpsig.NewIdempotencyKey())
	}
	res, err := a.client.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return err
	}
	if res.StatusCode != want {
		return fmt.Errorf("status %d: %s", res.StatusCode, bytes.TrimSpace(b[:min(len(b), 500)]))
	}
	if into != nil {
		return json.Unmarshal(b, into)
	}
	return nil
}

// waitReady polls GET /readyz until it answers 200, the server exits or 30s pass.
func waitReady(ctx context.Context, a *api, exited <-chan struct{}) error {
	return until(ctx, 30*time.Second, func() (bool, error) {
		select {
		case <-exited:
			return false, errors.New("openvest serve exited before it was ready")
		default:
		}
		return a.call(ctx, "GET", "/readyz", "", http.StatusOK, nil) == nil, nil
	})
}

// withDatabase returns raw with its database name replaced by db.
func withDatabase(raw, db string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return "", errors.New("-admin-url must be a postgres:// URL")
	}
	u.Path, u.RawPath = "/"+db, ""
	return u.String(), nil
}
