// Command openvest runs the Openvest service and administers it.
//
//	openvest serve [--demo]               run the HTTP service (applies migrations first)
//	openvest migrate                      apply pending database migrations
//	openvest org create|add-key|keys|revoke-key|set-signature-policy …
//	                                      administer organizations and their signing keys
//	openvest webhook-key rotate           make a new server webhook signing key (the previous one stays published)
//	openvest sign …                       print (or send) a signed request as curl
//	openvest counterparty create --client-id ID --name NAME
//	                                      create a wallet counterparty of an organization; prints it as JSON
//	openvest healthcheck                  exit 0 when /readyz answers 200 on OPENVEST_ADDR
//	openvest version                      print the version, commit and Go version
//
// Configuration comes from the environment (OPENVEST_ADDR,
// OPENVEST_DATABASE_URL, …); see the README.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"
	"time"

	"github.com/openvest/openvest/internal/app"
	"github.com/openvest/openvest/internal/config"
	"github.com/openvest/openvest/internal/httpapi"
	"github.com/openvest/openvest/internal/telemetry"
)

const usage = `usage:
  openvest serve [--demo] [--no-migrate]
                                  run the HTTP service (applies migrations first, unless --no-migrate
                                  or OPENVEST_MIGRATE=false); with --demo, the sandbox organization
                                  it creates on an empty database gets demo data
  openvest migrate                apply pending database migrations
  openvest org create --name NAME [--investment-types INTERNATIONAL_STOCKS,...]
                      [--default-investment-types ...] [--sandbox [--demo]] [--signature-policy required|optional]
                                  create an organization and print its credentials as JSON
  openvest org add-key --client-id ID --key-id KEYID --public-key FILE
                                  register an ed25519 public key (PEM) for signing requests
  openvest org keys --client-id ID
                                  list the organization's signing keys
  openvest org revoke-key --client-id ID --key-id KEYID
                                  revoke a signing key
  openvest org set-signature-policy --client-id ID --policy required|optional
                                  demand signatures, or verify them only when present
  openvest webhook-key rotate     make a new server webhook key (it signs only webhooks without a key of their own);
                                  the previous one stays published for 7 days
  openvest sign --key FILE --key-id KEYID --client-id ID [--token TOKEN] [-X METHOD] [-d BODY] [--exec] URL
                                  print a signed curl command (or, with --exec, send it)
  openvest counterparty create --client-id ID --name NAME
                                  create a wallet counterparty of the organization with
                                  this client id and print it as JSON
  openvest healthcheck [--timeout 3s]
                                  exit 0 when /readyz on OPENVEST_ADDR answers 200 (for container health checks)
  openvest version                print the version, the commit and the Go version (also: openvest --version)

Every command answers -h/--help with its usage. Configuration comes from the
environment (OPENVEST_ADDR, OPENVEST_DATABASE_URL, ...); see the README. The
request inspector of sandbox organizations: OPENVEST_INSPECTOR_ENABLED (true),
OPENVEST_INSPECTOR_MAX_RECORDS (1000 per organization), OPENVEST_INSPECTOR_MAX_AGE
(24h), OPENVEST_INSPECTOR_BUFFER (4096 records waiting to be written).
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "openvest:", err)
	}
	stop()
	os.Exit(exitCode(err))
}

// run runs one command. Asking for help (-h, --help) prints the usage on
// stdout and returns nil, doing nothing else; a command-line mistake
// returns a usageError (exit 2). The configuration is read only once the
// command line is understood.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	err := dispatch(ctx, args, stdout, stderr)
	if errors.Is(err, errHelp) {
		return nil
	}
	return err
}

func dispatch(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return usageErrorf("no command given")
	}
	simple := func(synopsis, about string, fn func(config.Config) error) error {
		c := newCommand(synopsis, about, stdout, stderr)
		if err := c.parse(args[1:], 0); err != nil {
			return err
		}
		cfg, err := config.FromEnv()
		if err != nil {
			return err
		}
		return fn(cfg)
	}
	switch args[0] {
	case "serve":
		return serveCommand(ctx, args[1:], stdout, stderr)
	case "migrate":
		return simple("migrate", "Apply pending database migrations.", func(cfg config.Config) error {
			cfg.Scale.NoMigrate = false // OPENVEST_MIGRATE=false is for serve
			a, err := app.Open(ctx, cfg, cfg.Logger())
			if err != nil {
				return err
			}
			return a.Close()
		})
	case "healthcheck":
		return healthcheck(ctx, args[1:], stdout, stderr)
	case "version":
		c := newCommand("version", "Print the version, the commit and the Go version of this binary.", stdout, stderr)
		if err := c.parse(args[1:], 0); err != nil {
			return err
		}
		fmt.Fprint(stdout, versionText())
		return nil
	case "--version", "-version":
		fmt.Fprint(stdout, versionText())
		return nil
	case "org":
		return org(ctx, args[1:], stdout, stderr)
	case "sign":
		return sign(ctx, args[1:], stdout, stderr)
	case "webhook-key":
		return group("webhook-key", webhookKeyUsage, args[1:], stdout, stderr, map[string]func([]string) error{
			"rotate": func(args []string) error {
				c := newCommand("webhook-key rotate", "Make a new webhook signing key; the previous one stays published for 7 days.", stdout, stderr)
				if err := c.parse(args, 0); err != nil {
					return err
				}
				return withApp(ctx, func(a *app.App) error {
					k, err := a.Webhooks.RotateKey(ctx)
					if err != nil {
						return err
					}
					return printJSON(stdout, map[string]any{"keyId": k.KeyID, "createdAt": k.CreatedAt.Format(time.RFC3339)})
				})
			},
		})
	case "counterparty":
		return group("counterparty", counterpartyUsage, args[1:], stdout, stderr, map[string]func([]string) error{
			"create": func(args []string) error { return counterpartyCreate(ctx, args, stdout, stderr) },
		})
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return errHelp
	default:
		fmt.Fprint(stderr, usage)
		if strings.HasPrefix(args[0], "-") {
			return usageErrorf("unknown flag %q", args[0])
		}
		return usageErrorf("unknown command %q", args[0])
	}
}

const webhookKeyUsage = `usage:
  openvest webhook-key rotate     make a new webhook signing key; the previous one stays published for 7 days
`

const counterpartyUsage = `usage:
  openvest counterparty create --client-id ID --name NAME
                                  create a wallet counterparty of the organization with
                                  this client id and print it as JSON
  openvest healthcheck [--timeout 3s]
                                  exit 0 when /readyz on OPENVEST_ADDR answers 200 (for container health checks)
  openvest version                print the version, the commit and the Go version (also: openvest --version)

Every command answers -h/--help with its usage. Configuration comes from the
environment (OPENVEST_ADDR, OPENVEST_DATABASE_URL, ...); see the README.
`

func serve(ctx context.Context, cfg config.Config, demo bool, stdout io.Writer) error {
	log := cfg.Logger()
	// Bind first: when the address is taken nothing is migrated or created
	// (the sandbox secret is printed once, so it must not be lost).
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on OPENVEST_ADDR=%s: %w", cfg.Addr, err)
	}
	defer ln.Close()
	var metricsLn net.Listener
	if cfg.MetricsAddr != "" {
		if metricsLn, err = net.Listen("tcp", cfg.MetricsAddr); err != nil {
			return fmt.Errorf("listen on OPENVEST_METRICS_ADDR=%s: %w", cfg.MetricsAddr, err)
		}
		defer metricsLn.Close()
	}
	if cfg.PprofAddr != "" {
		// Profiles of the running server (go tool pprof http://ADDR/debug/pprof/profile),
		// on an address of its own that the API never shares.
		pprofLn, err := net.Listen("tcp", cfg.PprofAddr)
		if err != nil {
			return fmt.Errorf("listen on OPENVEST_PPROF_ADDR=%s: %w", cfg.PprofAddr, err)
		}
		pprofSrv := &http.Server{Handler: pprofMux(), ReadHeaderTimeout: 10 * time.Second}
		go func() { _ = pprofSrv.Serve(pprofLn) }()
		defer pprofSrv.Close()
		log.Info("pprof listening", "addr", pprofLn.Addr().String())
	}
	stopTracing, err := telemetry.Setup(ctx, buildVersion(), log)
	if err != nil {
		return err
	}
	defer func() {
		flush, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := stopTracing(flush); err != nil {
			log.Warn("stop tracing", "error", err.Error())
		}
	}()
	// The spec's parse (most of the handler's build) runs while the
	// database is opened and migrated.
	httpapi.PreloadSpec()
	a, err := app.Open(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer a.Close()
	h, err := a.Handler()
	if err != nil {
		return err
	}
	// One replica at a time, so that replicas starting together on an empty
	// database create one sandbox organization.
	if err := a.Serialized(ctx, func(ctx context.Context) error {
		o, secret, created, err := a.Auth.EnsureSandbox(ctx, []string{"INTERNATIONAL_STOCKS"})
		if err != nil || !created {
			return err
		}
		// The credentials first: they are shown once, whatever happens next.
		printSandbox(stdout, baseURL(cfg, ln), o.ClientID, secret)
		if demo {
			return fillDemo(ctx, a, o, stdout)
		}
		return nil
	}); err != nil {
		return err
	}
	// Purges, dormancy and overdue reschedules: once per cluster, on the leader.
	if err := a.SchedulePeriodic(); err != nil {
		return err
	}
	// The job queue stops gracefully in a.Close, after the server: not when ctx ends.
	if err := a.Start(context.WithoutCancel(ctx)); err != nil {
		return fmt.Errorf("start the job queue: %w", err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second, WriteTimeout: 60 * time.Second, IdleTimeout: 120 * time.Second}
	if a.Inspector != nil {
		srv.RegisterOnShutdown(a.Inspector.Hub().Close) // live tails end (they are long requests)
	}
	// Start-up (migrations, the spec's parse, demo data) leaves garbage the
	// service never needs again: hand its pages back before serving, so an
	// idle replica's resident memory is what serving uses.
	debug.FreeOSMemory()
	errc := make(chan error, 2)
	go func() { errc <- srv.Serve(ln) }()
	var metricsSrv *http.Server
	if metricsLn != nil {
		mux := http.NewServeMux()
		mux.Handle("GET /metrics", a.Metrics().Handler())
		metricsSrv = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, WriteTimeout: 30 * time.Second}
		go func() { errc <- metricsSrv.Serve(metricsLn) }()
		log.Info("metrics listening", "addr", metricsLn.Addr().String())
	}
	log.Info("openvest listening", "addr", ln.Addr().String(), "database", string(a.Store.Dialect))
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	shutdown, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if metricsSrv != nil {
		_ = metricsSrv.Shutdown(shutdown)
	}
	return srv.Shutdown(shutdown)
}

func baseURL(cfg config.Config, ln net.Listener) string {
	if cfg.PublicURL != "" {
		return cfg.PublicURL
	}
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	return "http://localhost:" + port
}

func printSandbox(w io.Writer, base, clientID, secret string) {
	fmt.Fprintf(w, `
Created the sandbox organization (shown once; keep the secret):
  clientId:     %s
  clientSecret: %s

Get a token:
  curl -s -X POST %s/v1/oauth/token \
    -d clientId=%s -d clientSecret=%s

`, clientID, secret, base, clientID, secret)
}
