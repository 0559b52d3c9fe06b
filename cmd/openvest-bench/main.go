// Command openvest-bench measures Openvest side by side with a bare
// net/http + pgx reference server (bench/raw) doing the same database work,
// on PostgreSQL, and prints ratios (goals 1-3 of the performance issue).
//
// It creates two throwaway databases, one per server, migrates Openvest's
// and creates three organizations with two default investment types (so a
// new customer gets two accounts and two portfolios): "signed" (signature
// policy required, a registered ed25519 key), "unsigned" (policy
// optional) and "hooked" (signed, with one webhook subscribed to ALL on a
// local receiver that answers 200 at once). It starts "openvest serve" and
// the reference, then, for each operation, runs short wrk rounds
// interleaved (A, B, A, B, ...) with -c connections over -t threads, each
// round replaying requests built and signed before it starts (every POST
// with its own idempotency key), and reads each server's CPU time (and
// that of its PostgreSQL backends) from /proc/<pid>/stat around the round.
//
//	post         signed POST /v1/customers (2 accounts, no webhook)   Openvest vs raw
//	get          signed GET /v1/customers/{id}                        Openvest vs raw
//	get-unsigned unsigned GET /v1/customers/{id}                      Openvest vs raw
//	post-webhook signed POST /v1/customers, one webhook on ALL         Openvest hooked vs Openvest plain
//	get-stripe-mock unsigned GET /v1/customers/{id}                   Openvest vs stripe-mock (stateless)
//
// get-stripe-mock compares with stripe-mock (github.com/stripe/stripe-mock,
// a stateless server that validates each request against Stripe's OpenAPI
// spec and answers a fixture) reading one customer; -stripe-mock names its
// binary (make bench installs a pinned version into bin/). It runs when
// the binary is found; the other operations need only wrk and PostgreSQL.
//
// Every POST and every signed GET of a round is distinct (a signed GET
// carries its own signature and created time, as a client's would), so
// that nothing keyed on a request's bytes can serve a round from what it
// saw before; unsigned GETs replay 500 reads of random customers.
//
// For each it prints every round, then the medians: requests/s, p50 and
// p99 latency, and CPU milliseconds per request of the server process and
// of its database backends, and the ratio A/B of requests/s and of p99.
// Any non-2xx answer or socket error fails the run.
//
//	make bench                       # builds bin/openvest and bin/openvest-raw, then runs this
//	go run ./cmd/openvest-bench -rounds 5 -d 10s -ops post,get
//
// -sandbox makes the organizations sandbox ones (still signing every call
// where their policy demands it), whose requests the request inspector
// records: compare a run with it to one with
// OPENVEST_INSPECTOR_ENABLED=false in the environment, which the server
// inherits. The run ends with the inspector's counters.
//
// -admin-url (default $TEST_DATABASE_URL, else the local trust-auth server)
// must name a role allowed to create and drop databases. wrk must be on
// PATH. With OPENVEST_PPROF_ADDR set (openvest serve inherits it), every
// Openvest round also saves a CPU profile of the server.
package main

import (
	"bytes"
	"cmp"
	"context"
	"crypto/ed25519"
	crand "crypto/rand"
	_ "embed"
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
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/openvest/openvest/httpsig"
)

//go:embed wrk.lua
var wrkScript []byte

type config struct {
	bin, rawBin, adminURL, addr, rawAddr string
	stripeMock, stripeAddr               string
	conns, threads, rounds               int
	dur, warmup                          time.Duration
	ops                                  []string
	rate                                 int
	sandbox                              bool
}

var allOps = []string{"post", "get", "get-unsigned", "post-webhook", "get-stripe-mock"}

func main() {
	var cfg config
	adminURL := "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
	if v := os.Getenv("TEST_DATABASE_URL"); v != "" {
		adminURL = v
	}
	flag.StringVar(&cfg.bin, "bin", "bin/openvest", "path to the built openvest binary")
	flag.StringVar(&cfg.rawBin, "raw-bin", "bin/openvest-raw", "path to the built reference server (go build -o bin/openvest-raw ./bench/raw)")
	flag.StringVar(&cfg.adminURL, "admin-url", adminURL, "PostgreSQL URL of a role that may create and drop databases; TEST_DATABASE_URL sets the default")
	flag.IntVar(&cfg.conns, "c", 16, "wrk connections")
	flag.IntVar(&cfg.threads, "t", 2, "wrk threads")
	flag.IntVar(&cfg.rounds, "rounds", 5, "rounds per server and operation (interleaved A, B, A, B, ...)")
	flag.DurationVar(&cfg.dur, "d", 5*time.Second, "duration of one round")
	flag.DurationVar(&cfg.warmup, "warmup", 2*time.Second, "unmeasured warm-up round of each server before an operation's rounds")
	flag.IntVar(&cfg.rate, "max-rps", 12000, "requests/s a server could at most answer: each round pre-builds max-rps × d distinct POSTs")
	flag.StringVar(&cfg.addr, "addr", "127.0.0.1:18089", "address of openvest serve")
	flag.StringVar(&cfg.rawAddr, "raw-addr", "127.0.0.1:18088", "address of the reference server")
	flag.StringVar(&cfg.stripeMock, "stripe-mock", "bin/stripe-mock", "path to a stripe-mock binary (get-stripe-mock); that operation is skipped when it is missing and -ops does not name it")
	flag.StringVar(&cfg.stripeAddr, "stripe-mock-addr", "127.0.0.1:18087", "address of stripe-mock")
	flag.BoolVar(&cfg.sandbox, "sandbox", false, "sandbox organizations (the request inspector records their requests unless OPENVEST_INSPECTOR_ENABLED=false)")
	ops := flag.String("ops", "", "operations to measure, comma-separated (default all): "+strings.Join(allOps, ", "))
	flag.Parse()
	if *ops == "" {
		for _, op := range allOps {
			if op == "get-stripe-mock" {
				if _, err := os.Stat(cfg.stripeMock); err != nil {
					fmt.Printf("get-stripe-mock skipped: no stripe-mock at %s (make bench installs one)\n", cfg.stripeMock)
					continue
				}
			}
			*ops += "," + op
		}
		*ops = strings.TrimPrefix(*ops, ",")
	}
	for _, op := range strings.Split(*ops, ",") {
		if !slices.Contains(allOps, op) {
			fmt.Fprintf(os.Stderr, "openvest-bench: -ops: unknown operation %q (use %s)\n", op, strings.Join(allOps, ", "))
			os.Exit(2)
		}
		cfg.ops = append(cfg.ops, op)
	}
	if cfg.conns < 1 || cfg.threads < 1 || cfg.rounds < 1 || cfg.dur < time.Second {
		fmt.Fprintln(os.Stderr, "openvest-bench: -c, -t and -rounds must be at least 1 and -d at least 1s")
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, cfg); err != nil {
		fmt.Fprintln(os.Stderr, "openvest-bench:", err)
		os.Exit(1)
	}
}

// org is one organization of the run, with its access token.
type org struct {
	name, clientID, secret, token string
	signer                        *httpsig.Signer // nil: its requests go unsigned
}

// server is one process under test.
type server struct {
	name   string
	base   string
	host   string
	pid    int
	dbName string
}

// target is one side of a comparison: which server, and how a round's
// requests are built.
type target struct {
	label string
	srv   *server
	build func(n int) ([][]byte, error)
}

func run(ctx context.Context, cfg config) error {
	if _, err := exec.LookPath("wrk"); err != nil {
		return errors.New("wrk is not on PATH (apt-get install wrk)")
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
	fmt.Printf("go %s %s/%s, NumCPU %d; %s\nwrk -t%d -c%d, %d rounds of %s per server, interleaved; load average %s\n\n",
		runtime.Version(), runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), pgVersion, cfg.threads, cfg.conns, cfg.rounds, cfg.dur, loadavg())

	stamp := time.Now().UnixNano()
	ovDB, rawDB := fmt.Sprintf("openvest_bench_%d", stamp), fmt.Sprintf("openvest_bench_raw_%d", stamp)
	for _, db := range []string{ovDB, rawDB} {
		ident := pgx.Identifier{db}.Sanitize()
		if _, err := admin.Exec(ctx, "CREATE DATABASE "+ident); err != nil {
			return fmt.Errorf("create database %s: %w", db, err)
		}
		defer func() {
			cctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			if _, err := admin.Exec(cctx, "DROP DATABASE IF EXISTS "+ident+" WITH (FORCE)"); err != nil {
				fmt.Fprintf(os.Stderr, "openvest-bench: drop database %s: %v\n", db, err)
			}
		}()
	}
	ovURL, err := withDatabase(cfg.adminURL, ovDB)
	if err != nil {
		return err
	}
	rawURL, _ := withDatabase(cfg.adminURL, rawDB)

	// A round's end cuts off the requests in flight: a POST whose commit
	// was under way when its client went leaves the server unsure whether
	// it committed, so its deliveries are the sweep's, after the dispatch
	// grace. A short grace lets them arrive before the next round (drain)
	// instead of 2 minutes later; it changes nothing else.
	env := append(os.Environ(), "OPENVEST_DATABASE_URL="+ovURL, "OPENVEST_ADDR="+cfg.addr, "OPENVEST_LOG_LEVEL=warn", "OPENVEST_WEBHOOK_ALLOW_PRIVATE=true",
		"OPENVEST_WEBHOOK_DISPATCH_GRACE=8s")
	command := func(args ...string) *exec.Cmd {
		c := exec.CommandContext(ctx, cfg.bin, args...)
		c.Env = env
		return c
	}
	if out, err := command("migrate").CombinedOutput(); err != nil {
		return fmt.Errorf("%s migrate: %w\n%s", cfg.bin, err, out)
	}
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
	orgs := map[string]*org{}
	for _, name := range []string{"signed", "unsigned", "hooked"} {
		policy := "required"
		if name == "unsigned" {
			policy = "optional"
		}
		args := []string{"org", "create", "--name", "bench-" + name, "--investment-types", "INTERNATIONAL_STOCKS,LOCAL_STOCKS", "--signature-policy", policy}
		if cfg.sandbox {
			args = append(args, "--sandbox")
		}
		c := command(args...)
		c.Stderr = os.Stderr
		out, err := c.Output()
		if err != nil {
			return fmt.Errorf("%s org create: %w", cfg.bin, err)
		}
		var o struct{ ClientID, ClientSecret string }
		if err := json.Unmarshal(out, &o); err != nil || o.ClientID == "" || o.ClientSecret == "" {
			return fmt.Errorf("org create printed %q, want one JSON object with clientId and clientSecret", out)
		}
		orgs[name] = &org{name: name, clientID: o.ClientID, secret: o.ClientSecret}
		if policy == "required" {
			if out, err := command("org", "add-key", "--client-id", o.ClientID, "--key-id", "bench", "--public-key", keyFile.Name()).CombinedOutput(); err != nil {
				return fmt.Errorf("%s org add-key: %w\n%s", cfg.bin, err, out)
			}
			orgs[name].signer = &httpsig.Signer{KeyID: "bench", Key: priv}
		}
	}

	// The webhook receiver: answers 200 at once.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	hs := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.WriteHeader(http.StatusOK)
	}), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = hs.Serve(ln) }()
	defer hs.Close()

	ov, stopOV, err := start(ctx, "openvest", cfg.addr, ovDB, env, cfg.bin, "serve")
	if err != nil {
		return err
	}
	defer stopOV()
	raw, stopRaw, err := start(ctx, "raw", cfg.rawAddr, rawDB, os.Environ(), cfg.rawBin, "-addr", cfg.rawAddr, "-db", rawURL)
	if err != nil {
		return err
	}
	defer stopRaw()

	client := &http.Client{Timeout: 30 * time.Second}
	for _, o := range orgs {
		body, _ := json.Marshal(map[string]string{"clientId": o.clientID, "clientSecret": o.secret})
		var tok struct{ Token string }
		if err := call(ctx, client, ov, o, http.MethodPost, "/v1/oauth/token", body, http.StatusCreated, &tok); err != nil || tok.Token == "" {
			return fmt.Errorf("POST /v1/oauth/token for %s: %v", o.name, err)
		}
		o.token = tok.Token
	}
	hook := fmt.Sprintf(`{"url":"http://%s/hook","subscriptions":["ALL"]}`, ln.Addr())
	if err := call(ctx, client, ov, orgs["hooked"], http.MethodPost, "/v1/webhooks", []byte(hook), http.StatusCreated, nil); err != nil {
		return fmt.Errorf("POST /v1/webhooks: %w", err)
	}
	// Customers to read: 100 in each organization and in the reference.
	ids := map[string][]int64{}
	for _, who := range []string{"signed", "unsigned", "raw"} {
		for i := range 100 {
			var created struct{ Data struct{ CustomerID int64 } }
			srv, o := ov, orgs[who]
			if who == "raw" {
				srv, o = raw, &org{}
			}
			if err := call(ctx, client, srv, o, http.MethodPost, "/v1/customers", fmt.Appendf(nil, `{"firstName":"Read","lastName":"Me%d"}`, i), http.StatusCreated, &created); err != nil {
				return fmt.Errorf("seed customers on %s: %w", who, err)
			}
			ids[who] = append(ids[who], created.Data.CustomerID)
		}
	}

	posts := func(srv *server, o *org) func(n int) ([][]byte, error) {
		return func(n int) ([][]byte, error) {
			out := make([][]byte, 0, n)
			for i := range n {
				body := fmt.Appendf(nil, `{"firstName":"Bench","lastName":"User%d"}`, i)
				r, err := build(srv, o, http.MethodPost, "/v1/customers", body)
				if err != nil {
					return nil, err
				}
				out = append(out, r)
			}
			return out, nil
		}
	}
	gets := func(srv *server, o *org, ids []int64) func(int) ([][]byte, error) {
		return func(n int) ([][]byte, error) {
			// signed: each request its own signature (reads run at about
			// twice the rate of writes); unsigned: 500 reads of random ids
			n = 2 * n
			if o.signer == nil {
				n = 500
			}
			out := make([][]byte, 0, n)
			for range n {
				r, err := build(srv, o, http.MethodGet, fmt.Sprintf("/v1/customers/%d", ids[rand.IntN(len(ids))]), nil)
				if err != nil {
					return nil, err
				}
				out = append(out, r)
			}
			return out, nil
		}
	}
	rawOrg := &org{}
	for _, op := range cfg.ops {
		var a, b target
		var title string
		var settle func(context.Context) (string, error)
		switch op {
		case "post":
			title = "POST /v1/customers, signed, 2 accounts, no webhook"
			a = target{"openvest", ov, posts(ov, orgs["signed"])}
			b = target{"raw", raw, posts(raw, rawOrg)}
		case "get":
			title = "GET /v1/customers/{id}, signed"
			a = target{"openvest", ov, gets(ov, orgs["signed"], ids["signed"])}
			b = target{"raw", raw, gets(raw, rawOrg, ids["raw"])}
		case "get-unsigned":
			title = "GET /v1/customers/{id}, unsigned"
			a = target{"openvest", ov, gets(ov, orgs["unsigned"], ids["unsigned"])}
			b = target{"raw", raw, gets(raw, rawOrg, ids["raw"])}
		case "get-stripe-mock":
			sm, stop, err := startStripeMock(ctx, cfg)
			if err != nil {
				return err
			}
			defer stop()
			title = "GET /v1/customers/{id}, unsigned, vs stripe-mock's GET /v1/customers/{id}"
			a = target{"openvest", ov, gets(ov, orgs["unsigned"], ids["unsigned"])}
			b = target{"stripe-mock", sm, func(n int) ([][]byte, error) {
				out := make([][]byte, 0, n)
				for range n {
					out = append(out, fmt.Appendf(nil, "GET /v1/customers/cus_%d HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer sk_test_123\r\n\r\n", rand.IntN(1000), sm.host))
				}
				return out, nil
			}}
		case "post-webhook":
			title = "POST /v1/customers, signed, one webhook on ALL vs none"
			a = target{"openvest+hook", ov, posts(ov, orgs["hooked"])}
			b = target{"openvest", ov, posts(ov, orgs["signed"])}
			// Each round starts once the deliveries queued by the rounds
			// before it are sent (at most 3 minutes), so that one round's
			// deliveries are not another's load; the wait is printed.
			settle = func(ctx context.Context) (string, error) { return drain(ctx, ovURL) }
		}
		if err := compare(ctx, cfg, title, a, b, settle); err != nil {
			return fmt.Errorf("%s: %w", op, err)
		}
	}
	if cfg.sandbox || os.Getenv("OPENVEST_INSPECTOR_ENABLED") != "" {
		fmt.Printf("organizations: sandbox=%t, OPENVEST_INSPECTOR_ENABLED=%q\n", cfg.sandbox, os.Getenv("OPENVEST_INSPECTOR_ENABLED"))
		printInspectorCounters(ctx, client, ov)
	}
	fmt.Printf("load average %s\n", loadavg())
	return nil
}

// printInspectorCounters prints the request inspector's counters from /metrics.
func printInspectorCounters(ctx context.Context, c *http.Client, srv *server) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, srv.base+"/metrics", nil)
	if err != nil {
		return
	}
	res, err := c.Do(req)
	if err != nil {
		return
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(res.Body)
	for line := range strings.Lines(string(data)) {
		if strings.HasPrefix(line, "openvest_inspector_") {
			fmt.Print(line)
		}
	}
}

// round is the outcome of one wrk run.
type round struct {
	rps, p50, p99  float64 // requests/s, ms
	cpuSrv, cpuDB  float64 // CPU ms per request
	requests, errs int64
	// sustained is requests/s counted until the deliveries the round
	// queued were sent (with settle: the round's time plus the drain's
	// after it), what the server keeps up with, deliveries included.
	sustained float64
}

// compare runs the interleaved rounds of a and b and prints them.
func compare(ctx context.Context, cfg config, title string, a, b target, settle func(context.Context) (string, error)) error {
	fmt.Println(title)
	results := map[string][]round{}
	for _, t := range []target{a, b} {
		if cfg.warmup > 0 {
			if _, err := runRound(ctx, cfg, t, cfg.warmup); err != nil {
				return fmt.Errorf("warm-up of %s: %w", t.label, err)
			}
		}
	}
	for i := range cfg.rounds {
		for _, t := range []target{a, b} {
			if settle != nil {
				msg, err := settle(ctx)
				if err != nil {
					return err
				}
				fmt.Printf("  (%s)\n", msg)
			}
			r, err := runRound(ctx, cfg, t, cfg.dur)
			if err != nil {
				return fmt.Errorf("%s round %d: %w", t.label, i+1, err)
			}
			r.sustained = r.rps
			if settle != nil && t.label == a.label {
				start := time.Now()
				msg, err := settle(ctx)
				if err != nil {
					return err
				}
				r.sustained = float64(r.requests) / (float64(r.requests)/r.rps + time.Since(start).Seconds())
				fmt.Printf("  (after the round: %s; sustained %.0f/s)\n", msg, r.sustained)
			}
			results[t.label] = append(results[t.label], r)
			fmt.Printf("  round %d %-14s rps=%7.0f  p50=%6.2fms  p99=%6.2fms  cpu/req: server %.3fms, postgres %.3fms\n",
				i+1, t.label, r.rps, r.p50, r.p99, r.cpuSrv, r.cpuDB)
		}
	}
	med := func(label string, f func(round) float64) float64 {
		v := make([]float64, 0, len(results[label]))
		for _, r := range results[label] {
			v = append(v, f(r))
		}
		slices.Sort(v)
		return v[len(v)/2]
	}
	for _, t := range []target{a, b} {
		fmt.Printf("  median  %-14s rps=%7.0f  p50=%6.2fms  p99=%6.2fms  cpu/req: server %.3fms, postgres %.3fms\n", t.label,
			med(t.label, func(r round) float64 { return r.rps }), med(t.label, func(r round) float64 { return r.p50 }),
			med(t.label, func(r round) float64 { return r.p99 }), med(t.label, func(r round) float64 { return r.cpuSrv }),
			med(t.label, func(r round) float64 { return r.cpuDB }))
	}
	ratios := func(f func(round) float64) float64 {
		v := make([]float64, 0, cfg.rounds)
		for i := range cfg.rounds {
			v = append(v, f(results[a.label][i])/f(results[b.label][i]))
		}
		slices.Sort(v)
		return v[len(v)/2]
	}
	fmt.Printf("  RATIO   %s/%s: rps %.2f (median of the rounds' ratios), p99 %.2f×\n", a.label, b.label,
		ratios(func(r round) float64 { return r.rps }), ratios(func(r round) float64 { return r.p99 }))
	if settle != nil {
		fmt.Printf("  RATIO   %s/%s sustained (until its round's deliveries were sent): %.2f\n", a.label, b.label,
			ratios(func(r round) float64 { return r.sustained }))
	}
	fmt.Println()
	return nil
}

// runRound builds the round's requests, runs wrk on them for d and reads
// the CPU the server and its database backends spent meanwhile.
func runRound(ctx context.Context, cfg config, t target, d time.Duration) (round, error) {
	reqs, err := t.build(cfg.rate * int(d/time.Second))
	if err != nil {
		return round{}, err
	}
	f, err := os.CreateTemp("", "openvest-bench-requests-*")
	if err != nil {
		return round{}, err
	}
	defer os.Remove(f.Name())
	for _, r := range reqs {
		fmt.Fprintf(f, "%d\n", len(r))
		_, _ = f.Write(r)
	}
	if err := f.Close(); err != nil {
		return round{}, err
	}
	script, err := os.CreateTemp("", "openvest-bench-*.lua")
	if err != nil {
		return round{}, err
	}
	defer os.Remove(script.Name())
	_, _ = script.Write(wrkScript)
	script.Close()

	backends, err := dbBackends(ctx, cfg.adminURL, t.srv.dbName)
	if err != nil {
		return round{}, err
	}
	profiled := make(chan error, 1)
	if addr := os.Getenv("OPENVEST_PPROF_ADDR"); addr != "" && t.srv.name == "openvest" && d >= 3*time.Second {
		// a CPU profile of the server over the round (go tool pprof FILE)
		go func() { profiled <- saveProfile(ctx, addr, d-time.Second, t.label) }()
	} else {
		profiled <- nil
	}
	srv0, db0 := cpuTicks(t.srv.pid), sumTicks(backends)
	cmd := exec.CommandContext(ctx, "wrk", fmt.Sprintf("-t%d", cfg.threads), fmt.Sprintf("-c%d", cfg.conns),
		fmt.Sprintf("-d%ds", int(d/time.Second)), "--timeout", "10s", "-s", script.Name(), t.srv.base)
	cmd.Env = append(os.Environ(), "OPENVEST_BENCH_REQUESTS="+f.Name(), fmt.Sprintf("OPENVEST_BENCH_THREADS=%d", cfg.threads))
	out, err := cmd.CombinedOutput()
	srv1, db1 := cpuTicks(t.srv.pid), sumTicks(backends)
	if err != nil {
		return round{}, fmt.Errorf("wrk: %w\n%s", err, out)
	}
	if err := <-profiled; err != nil {
		return round{}, fmt.Errorf("profile: %w", err)
	}
	var r round
	var durUS, non2xx, sockErr, p50, p99 int64
	line := ""
	for l := range strings.Lines(string(out)) {
		if strings.HasPrefix(l, "RESULT ") {
			line = l
		}
	}
	if _, err := fmt.Sscanf(line, "RESULT requests=%d duration_us=%d non2xx=%d socket_errors=%d p50_us=%d p99_us=%d",
		&r.requests, &durUS, &non2xx, &sockErr, &p50, &p99); err != nil {
		return round{}, fmt.Errorf("wrk printed no RESULT line: %s", out)
	}
	if non2xx > 0 || sockErr > 0 || r.requests == 0 {
		return round{}, fmt.Errorf("%d answers not 2xx and %d socket errors of %d requests", non2xx, sockErr, r.requests)
	}
	if r.requests > int64(len(reqs)) && len(reqs) > 500 && t.srv.name == "openvest" {
		return round{}, fmt.Errorf("%d requests sent but only %d distinct ones built: raise -max-rps", r.requests, len(reqs))
	}
	r.rps = float64(r.requests) / (float64(durUS) / 1e6)
	r.p50, r.p99 = float64(p50)/1000, float64(p99)/1000
	tick := 1000.0 / 100 // ms per clock tick (USER_HZ 100)
	r.cpuSrv = float64(srv1-srv0) * tick / float64(r.requests)
	r.cpuDB = float64(db1-db0) * tick / float64(r.requests)
	return r, nil
}

// build is one raw HTTP/1.1 request for srv, authenticated and signed as
// o demands, POSTs with a fresh idempotency key.
func build(srv *server, o *org, method, path string, body []byte) ([]byte, error) {
	req, err := newRequest(context.Background(), srv, o, method, path, body)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	fmt.Fprintf(&buf, "%s %s HTTP/1.1\r\nHost: %s\r\n", method, path, srv.host)
	for k, vs := range req.Header {
		for _, v := range vs {
			fmt.Fprintf(&buf, "%s: %s\r\n", k, v)
		}
	}
	if body != nil && req.Header.Get("Content-Length") == "" {
		fmt.Fprintf(&buf, "Content-Length: %d\r\n", len(body))
	}
	buf.WriteString("\r\n")
	buf.Write(body)
	return buf.Bytes(), nil
}

func newRequest(ctx context.Context, srv *server, o *org, method, path string, body []byte) (*http.Request, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, srv.base+path, rd)
	if err != nil {
		return nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if o.token != "" {
		req.Header.Set("Authorization", "Bearer "+o.token)
		req.Header.Set("X-Client-Id", o.clientID)
	}
	if method == http.MethodPost && o.token != "" {
		req.Header.Set("X-Idempotency-Key", httpsig.NewIdempotencyKey())
	}
	if o.signer != nil {
		if err := o.signer.Sign(req, body); err != nil {
			return nil, err
		}
	}
	return req, nil
}

// call sends one set-up request and decodes the answer into out.
func call(ctx context.Context, c *http.Client, srv *server, o *org, method, path string, body []byte, want int, out any) error {
	req, err := newRequest(ctx, srv, o, method, path, body)
	if err != nil {
		return err
	}
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		return fmt.Errorf("status %d: %s", resp.StatusCode, b[:min(len(b), 300)])
	}
	if out != nil {
		return json.Unmarshal(b, out)
	}
	return nil
}

// start runs a server process and waits for GET /readyz; stop ends it.
func start(ctx context.Context, name, addr, dbName string, env []string, bin string, args ...string) (*server, func(), error) {
	return startReady(ctx, name, addr, dbName, "/readyz", env, bin, args...)
}

// startStripeMock runs stripe-mock on -stripe-mock-addr.
func startStripeMock(ctx context.Context, cfg config) (*server, func(), error) {
	if _, err := os.Stat(cfg.stripeMock); err != nil {
		return nil, nil, fmt.Errorf("get-stripe-mock: no stripe-mock binary at %s (-stripe-mock; make bench installs one)", cfg.stripeMock)
	}
	return startReady(ctx, "stripe-mock", cfg.stripeAddr, "", "", os.Environ(), cfg.stripeMock, "-http-addr", cfg.stripeAddr)
}

// startReady is start with the readiness path ready ("": any HTTP answer).
func startReady(ctx context.Context, name, addr, dbName, ready string, env []string, bin string, args ...string) (*server, func(), error) {
	if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
		c.Close()
		return nil, nil, fmt.Errorf("%s is already in use; pick another address", addr)
	}
	cmd := exec.Command(bin, args...)
	cmd.Env = env
	// The servers' logs go to a file: at the end of each round wrk closes
	// its connections, and the requests still in flight log their
	// canceled contexts.
	logFile, err := os.CreateTemp("", "openvest-bench-"+name+"-*.log")
	if err != nil {
		return nil, nil, err
	}
	defer logFile.Close()
	fmt.Printf("%s log: %s\n", name, logFile.Name())
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		return nil, nil, fmt.Errorf("start %s: %w", bin, err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	stop := func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(15 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
	}
	s := &server{name: name, base: "http://" + addr, host: addr, pid: cmd.Process.Pid, dbName: dbName}
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(s.base + cmp.Or(ready, "/"))
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK || ready == "" {
				return s, stop, nil
			}
		}
		select {
		case <-exited:
			return nil, nil, fmt.Errorf("%s exited before it was ready", bin)
		case <-ctx.Done():
			stop()
			return nil, nil, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			stop()
			return nil, nil, fmt.Errorf("%s not ready within 30s", bin)
		}
	}
}

// saveProfile fetches a CPU profile of d from the server's pprof address
// (OPENVEST_PPROF_ADDR, which openvest serve inherits) into
// openvest-bench-<label>-<time>.pprof in the temporary directory.
func saveProfile(ctx context.Context, addr string, d time.Duration, label string) error {
	resp, err := http.Get(fmt.Sprintf("http://%s/debug/pprof/profile?seconds=%d", addr, int(d/time.Second)))
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET /debug/pprof/profile: %s", resp.Status)
	}
	f, err := os.CreateTemp("", "openvest-bench-"+strings.ReplaceAll(label, "+", "-")+"-*.pprof")
	if err != nil {
		return err
	}
	defer f.Close()
	if _, err := io.Copy(f, resp.Body); err != nil {
		return err
	}
	fmt.Printf("  (CPU profile of the round: %s)\n", f.Name())
	return ctx.Err()
}

// drain waits until no webhook delivery of the server's database is
// pending (its attempt made by the server after the commit, or by a job),
// 3 minutes at most.
func drain(ctx context.Context, dbURL string) (string, error) {
	c, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		return "", err
	}
	defer c.Close(context.Background())
	start := time.Now()
	var first int64 = -1
	for {
		var n int64
		if err := c.QueryRow(ctx, `SELECT count(*) FROM webhook_deliveries WHERE state = 'PENDING'`).Scan(&n); err != nil {
			return "", err
		}
		if first < 0 {
			first = n
		}
		if n == 0 || time.Since(start) > 3*time.Minute {
			return fmt.Sprintf("%d deliveries waiting, %d after %.1fs", first, n, time.Since(start).Seconds()), nil
		}
		select {
		case <-ctx.Done():
			return "", ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// dbBackends lists the PostgreSQL backend pids connected to db.
func dbBackends(ctx context.Context, adminURL, db string) ([]int, error) {
	c, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		return nil, err
	}
	defer c.Close(context.Background())
	rows, err := c.Query(ctx, `SELECT pid FROM pg_stat_activity WHERE datname = $1`, db)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[int])
}

// cpuTicks is utime+stime of a process (clock ticks), 0 if it is gone.
func cpuTicks(pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// the fields after the command name, which is in parentheses
	s := string(b)
	fields := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(fields) < 13 {
		return 0
	}
	var u, k int64
	fmt.Sscan(fields[11], &u)
	fmt.Sscan(fields[12], &k)
	return u + k
}

func sumTicks(pids []int) int64 {
	var n int64
	for _, p := range pids {
		n += cpuTicks(p)
	}
	return n
}

func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	return strings.Join(f[:min(3, len(f))], " ")
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
