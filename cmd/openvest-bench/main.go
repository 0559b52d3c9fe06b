// Command openvest-bench load-tests a built openvest binary on PostgreSQL.
//
// It creates a throwaway database, runs "openvest migrate" and "openvest org
// create" on it, starts "openvest serve", obtains an access token and drives two
// phases, each with -c concurrent workers for -d after an unmeasured -warmup:
//
//  1. POST /v1/customers, expecting 201; every customerId created is kept.
//  2. GET /v1/customers/{customerId} over random ids from phase 1, expecting 200.
//
// Each phase prints its requests, errors, requests per second and p50/p90/p99
// latency of the full HTTP round trip over keep-alive connections. Any other
// status or a transport error is an error (the first three distinct ones go to
// stderr); the run exits non-zero when errors exceed 1% of a phase's requests.
// The server is stopped and the database dropped at the end, also on failure
// or Ctrl-C. Client, server and PostgreSQL share the machine.
//
// Run it with "make bench", which builds bin/openvest first, or directly:
//
//	go run ./cmd/openvest-bench -bin bin/openvest -c 16 -d 15s -warmup 3s
//
// -sandbox makes the organization a sandbox one (still signing every call),
// whose requests the request inspector records: compare a run with it to
// one with OPENVEST_INSPECTOR_ENABLED=false in the environment, which the
// server inherits. The run ends with the inspector's counters.
//
// -admin-url (default $TEST_DATABASE_URL, else the local trust-auth server)
// must name a role allowed to create and drop databases.
package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	crand "crypto/rand"
	"debug/buildinfo"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/openvest/openvest/httpsig"
)

type config struct {
	bin, adminURL, addr string
	sandbox             bool
	conc                int
	dur, warmup         time.Duration
}

func main() {
	var cfg config
	adminURL := "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
	if v := os.Getenv("TEST_DATABASE_URL"); v != "" {
		adminURL = v
	}
	flag.StringVar(&cfg.bin, "bin", "bin/openvest", "path to the built openvest binary")
	flag.StringVar(&cfg.adminURL, "admin-url", adminURL, "PostgreSQL URL of a role that may create and drop databases; TEST_DATABASE_URL sets the default")
	flag.IntVar(&cfg.conc, "c", 16, "concurrent workers (and keep-alive connections)")
	flag.DurationVar(&cfg.dur, "d", 15*time.Second, "measured duration of each phase")
	flag.DurationVar(&cfg.warmup, "warmup", 3*time.Second, "unmeasured warm-up before each phase")
	flag.StringVar(&cfg.addr, "addr", "127.0.0.1:18089", "address the server under test listens on")
	flag.BoolVar(&cfg.sandbox, "sandbox", false, "a sandbox organization (the request inspector records its requests unless OPENVEST_INSPECTOR_ENABLED=false)")
	flag.Parse()
	if cfg.conc < 1 || cfg.dur <= 0 || cfg.warmup < 0 {
		fmt.Fprintln(os.Stderr, "openvest-bench: -c must be at least 1, -d positive and -warmup not negative")
		os.Exit(2)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, cfg); err != nil {
		fmt.Fprintln(os.Stderr, "openvest-bench:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, cfg config) error {
	dbName := fmt.Sprintf("openvest_bench_%d", time.Now().UnixNano())
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
	bi, err := buildinfo.ReadFile(cfg.bin)
	if err != nil {
		return fmt.Errorf("-bin: %w (make build writes bin/openvest)", err)
	}
	fmt.Printf("go:         %s %s/%s (%s built with %s)\nGOMAXPROCS: %d (NumCPU %d)\npostgres:   %s\nwarmup:     %s per phase, not measured\n",
		runtime.Version(), runtime.GOOS, runtime.GOARCH, cfg.bin, bi.GoVersion, runtime.GOMAXPROCS(0), runtime.NumCPU(), pgVersion, cfg.warmup)

	ident := pgx.Identifier{dbName}.Sanitize()
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+ident); err != nil {
		return fmt.Errorf("create database %s: %w", dbName, err)
	}
	defer func() {
		cctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := admin.Exec(cctx, "DROP DATABASE IF EXISTS "+ident+" WITH (FORCE)"); err != nil {
			fmt.Fprintf(os.Stderr, "openvest-bench: drop database %s: %v\n", dbName, err)
		}
	}()

	env := append(os.Environ(), "OPENVEST_DATABASE_URL="+dbURL, "OPENVEST_ADDR="+cfg.addr, "OPENVEST_LOG_LEVEL=warn")
	command := func(args ...string) *exec.Cmd {
		c := exec.CommandContext(ctx, cfg.bin, args...)
		c.Env = env
		return c
	}
	if out, err := command("migrate").CombinedOutput(); err != nil {
		return fmt.Errorf("%s migrate: %w\n%s", cfg.bin, err, out)
	}
	orgArgs := []string{"org", "create", "--name", "bench", "--signature-policy", "required"}
	if cfg.sandbox {
		orgArgs = append(orgArgs, "--sandbox")
	}
	fmt.Printf("organization: sandbox=%t, OPENVEST_INSPECTOR_ENABLED=%q\n", cfg.sandbox, os.Getenv("OPENVEST_INSPECTOR_ENABLED"))
	orgCmd := command(orgArgs...)
	orgCmd.Stderr = os.Stderr
	out, err := orgCmd.Output()
	if err != nil {
		return fmt.Errorf("%s org create: %w", cfg.bin, err)
	}
	var org struct {
		ClientID     string `json:"clientId"`
		ClientSecret string `json:"clientSecret"`
	}
	if err := json.Unmarshal(out, &org); err != nil || org.ClientID == "" || org.ClientSecret == "" {
		return fmt.Errorf("org create printed %q, want one JSON object with clientId and clientSecret", out)
	}
	// The organization requires signed requests, as production ones do:
	// register a key and sign every call with it.
	pub, priv, err := ed25519.GenerateKey(crand.Reader)
	if err != nil {
		return err
	}
	pubPEM, err := httpsig.MarshalPublicKey(pub)
	if err != nil {
		return err
	}
	keyFile, err := os.CreateTemp("", "openvest-bench-*.pem")
	if err != nil {
		return err
	}
	defer os.Remove(keyFile.Name())
	if _, err := keyFile.Write(pubPEM); err != nil {
		return err
	}
	keyFile.Close()
	if out, err := command("org", "add-key", "--client-id", org.ClientID, "--key-id", "bench", "--public-key", keyFile.Name()).CombinedOutput(); err != nil {
		return fmt.Errorf("%s org add-key: %w\n%s", cfg.bin, err, out)
	}

	// Refuse to measure whatever else might already listen on the address.
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
	defer func() { // SIGTERM, then SIGKILL after 15s
		_ = srv.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(15 * time.Second):
			fmt.Fprintln(os.Stderr, "openvest-bench: server still running 15s after SIGTERM; killing it")
			_ = srv.Process.Kill()
			<-exited
		}
	}()

	// One keep-alive connection per worker, reused from request to request.
	tr := &http.Transport{MaxIdleConns: cfg.conc, MaxIdleConnsPerHost: cfg.conc, IdleConnTimeout: 90 * time.Second}
	defer tr.CloseIdleConnections()
	a := &api{client: &http.Client{Transport: tr, Timeout: 30 * time.Second}, base: "http://" + cfg.addr,
		signer: &httpsig.Signer{KeyID: "bench", Key: priv}}

	if err := waitReady(ctx, a, exited); err != nil {
		return err
	}
	tokenBody, _ := json.Marshal(map[string]string{"clientId": org.ClientID, "clientSecret": org.ClientSecret})
	body, err := a.call(ctx, http.MethodPost, "/v1/oauth/token", tokenBody, http.StatusCreated)
	var tok reply
	if err == nil && (json.Unmarshal(body, &tok) != nil || tok.Token == "") {
		err = fmt.Errorf("201 without token: %s", trim(body))
	}
	if err != nil {
		return fmt.Errorf("POST /v1/oauth/token: %w", err)
	}
	a.token, a.clientID = tok.Token, org.ClientID

	var (
		mu  sync.Mutex
		ids []int64
	)
	create := func(ctx context.Context, n int64) error {
		body := fmt.Appendf(nil, `{"firstName":"Bench","lastName":"User%d"}`, n)
		resp, err := a.call(ctx, http.MethodPost, "/v1/customers", body, http.StatusCreated)
		if err != nil {
			return err
		}
		var created reply
		if json.Unmarshal(resp, &created) != nil || created.Data.CustomerID == 0 {
			return fmt.Errorf("201 without data.customerId: %s", trim(resp))
		}
		mu.Lock()
		ids = append(ids, created.Data.CustomerID)
		mu.Unlock()
		return nil
	}
	get := func(ctx context.Context, _ int64) error {
		_, err := a.call(ctx, http.MethodGet, fmt.Sprintf("/v1/customers/%d", ids[rand.IntN(len(ids))]), nil, http.StatusOK)
		return err
	}

	ok := measureCPU(srv.Process.Pid, func() bool { return runPhase(ctx, "POST /v1/customers", cfg, counting(create)) })
	if ctx.Err() != nil {
		return errors.New("interrupted")
	}
	if len(ids) == 0 {
		return errors.New("phase 1 created no customers; nothing to read back")
	}
	ok = measureCPU(srv.Process.Pid, func() bool { return runPhase(ctx, "GET /v1/customers/{customerId}", cfg, counting(get)) }) && ok
	if ctx.Err() != nil {
		return errors.New("interrupted")
	}
	printInspectorCounters(ctx, a)
	if !ok {
		return errors.New("errors exceeded 1% of the requests of a phase")
	}
	return nil
}

// calls counts the requests of a phase, its warm-up included.
var calls atomic.Int64

func counting(fn op) op {
	return func(ctx context.Context, n int64) error {
		calls.Add(1)
		return fn(ctx, n)
	}
}

// measureCPU runs a phase and prints the CPU time the server process
// spent per request of it (its writer goroutines included), a figure
// that a machine busy with other work disturbs less than requests/s.
func measureCPU(pid int, phase func() bool) bool {
	before, n := processCPU(pid), calls.Load()
	ok := phase()
	spent, count := processCPU(pid)-before, calls.Load()-n
	if spent > 0 && count > 0 {
		fmt.Printf("    server CPU: %.0f µs per request (%s over %d requests, warm-up included)\n",
			float64(spent.Microseconds())/float64(count), spent.Round(time.Millisecond), count)
	}
	return ok
}

// processCPU is the user and system time of a process (Linux: /proc, in
// clock ticks of 1/100 s); 0 elsewhere.
func processCPU(pid int) time.Duration {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	s := string(data)
	fields := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(fields) < 13 {
		return 0
	}
	var utime, stime int64
	fmt.Sscan(fields[11], &utime)
	fmt.Sscan(fields[12], &stime)
	return time.Duration(utime+stime) * 10 * time.Millisecond
}

// printInspectorCounters prints the request inspector's counters from /metrics.
func printInspectorCounters(ctx context.Context, a *api) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, a.base+"/metrics", nil)
	if err != nil {
		return
	}
	res, err := a.client.Do(req)
	if err != nil {
		return
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(res.Body)
	for _, line := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(line, "openvest_inspector_") {
			fmt.Println(line)
		}
	}
}

// api sends the requests of the benchmark with the headers every call needs.
type api struct {
	client   *http.Client
	base     string
	clientID string
	token    string
	signer   *httpsig.Signer
}

// reply is what the benchmark reads of the API's {"data":...} envelope.
type reply struct {
	Token string `json:"token"` // the token call answers flat
	Data  struct {
		CustomerID int64 `json:"customerId"`
	} `json:"data"`
}

// call sends one request and returns the response body; a status other than
// want is an error that shows the body.
func (a *api) call(ctx context.Context, method, path string, body []byte, want int) ([]byte, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, a.base+path, rd)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	if a.token != "" {
		req.Header.Set("Authorization", "Bearer "+a.token)
		req.Header.Set("X-Client-Id", a.clientID)
	}
	if method == http.MethodPost && a.token != "" {
		req.Header.Set("X-Idempotency-Key", httpsig.NewIdempotencyKey())
	}
	if strings.HasPrefix(path, "/v1/") {
		if err := a.signer.Sign(req, body); err != nil {
			return nil, err
		}
	}
	resp, err := a.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err == nil && resp.StatusCode != want {
		err = fmt.Errorf("status %d: %s", resp.StatusCode, trim(b))
	}
	return b, err
}

// waitReady polls GET /readyz until it answers 200, the server exits or 30s pass.
func waitReady(ctx context.Context, a *api, exited <-chan struct{}) error {
	deadline := time.Now().Add(30 * time.Second)
	for {
		_, err := a.call(ctx, http.MethodGet, "/readyz", nil, http.StatusOK)
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("GET %s/readyz did not answer 200 within 30s: %w", a.base, err)
		}
		select {
		case <-exited:
			return errors.New("openvest serve exited before it was ready")
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
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

// trim shortens a response body for an error message.
func trim(b []byte) string {
	b = bytes.TrimSpace(b)
	return string(b[:min(len(b), 500)])
}
