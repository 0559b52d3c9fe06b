// Command openvest runs the Openvest service and administers it.
//
//	openvest serve [--demo]               run the HTTP service (applies migrations first)
//	openvest migrate                      apply pending database migrations
//	openvest org create|add-key|keys|revoke-key|set-signature-policy …
//	                                      administer organizations and their signing keys
//	openvest sign …                       print (or send) a signed request as curl
//	openvest counterparty create --client-id ID --name NAME
//	                                      create a wallet counterparty of an organization; prints it as JSON
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
	"syscall"
	"time"

	"github.com/openvest/openvest/internal/app"
	"github.com/openvest/openvest/internal/config"
)

const usage = `usage:
  openvest serve [--demo]         run the HTTP service (applies migrations first); with --demo,
                                  the sandbox organization it creates on an empty database gets demo data
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
  openvest webhook-key rotate     make a new webhook signing key; the previous one stays published for 7 days
  openvest sign --key FILE --key-id KEYID --client-id ID [--token TOKEN] [-X METHOD] [-d BODY] [--exec] URL
                                  print a signed curl command (or, with --exec, send it)
  openvest counterparty create --client-id ID --name NAME
                                  create a wallet counterparty of the organization with
                                  this client id and print it as JSON
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "openvest:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errors.New("no command given")
	}
	cfg, err := config.FromEnv()
	if err != nil {
		return err
	}
	switch args[0] {
	case "serve":
		demo, err := serveFlags(args[1:], stderr)
		if err != nil {
			return err
		}
		return serve(ctx, cfg, demo, stdout)
	case "migrate":
		a, err := app.Open(ctx, cfg, cfg.Logger())
		if err != nil {
			return err
		}
		return a.Close()
	case "org":
		return org(ctx, cfg, args[1:], stdout, stderr)
	case "sign":
		return sign(ctx, args[1:], stdout, stderr)
	case "webhook-key":
		if len(args) < 2 || args[1] != "rotate" {
			fmt.Fprint(stderr, usage)
			return errors.New("unknown webhook-key command; use: openvest webhook-key rotate")
		}
		return withApp(ctx, cfg, func(a *app.App) error {
			k, err := a.Webhooks.RotateKey(ctx)
			if err != nil {
				return err
			}
			return printJSON(stdout, map[string]any{"keyId": k.KeyID, "createdAt": k.CreatedAt.Format(time.RFC3339)})
		})
	case "counterparty":
		if len(args) < 2 || args[1] != "create" {
			fmt.Fprint(stderr, usage)
			return errors.New("unknown counterparty command; use: openvest counterparty create --client-id ID --name NAME")
		}
		return counterpartyCreate(ctx, cfg, args[2:], stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	default:
		fmt.Fprint(stderr, usage)
		return fmt.Errorf("unknown command %q", args[0])
	}
}

func serve(ctx context.Context, cfg config.Config, demo bool, stdout io.Writer) error {
	log := cfg.Logger()
	a, err := app.Open(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer a.Close()
	o, secret, created, err := a.Auth.EnsureSandbox(ctx, []string{"INTERNATIONAL_STOCKS"})
	if err != nil {
		return err
	}
	h, err := a.Handler()
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on OPENVEST_ADDR=%s: %w", cfg.Addr, err)
	}
	if created {
		// The credentials first: they are shown once, whatever happens next.
		printSandbox(stdout, baseURL(cfg, ln), o.ClientID, secret)
		if demo {
			if err := fillDemo(ctx, a, o, stdout); err != nil {
				return err
			}
		}
	}
	// The job queue stops gracefully in a.Close, after the server: not when ctx ends.
	if err := a.Start(context.WithoutCancel(ctx)); err != nil {
		return fmt.Errorf("start the job queue: %w", err)
	}
	go a.PurgeExpired(ctx, 10*time.Minute)
	go a.SweepDormantCustomers(ctx, time.Hour)
	go a.RescheduleOverdue(ctx, 10*time.Minute)
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second, WriteTimeout: 60 * time.Second, IdleTimeout: 120 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	log.Info("openvest listening", "addr", ln.Addr().String(), "database", string(a.Store.Dialect))
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	shutdown, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
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
