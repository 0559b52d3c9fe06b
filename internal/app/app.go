// Package app is the composition root: it opens the database, applies the
// migrations, wires the domain services to their repositories and builds
// the HTTP server. cmd/openvest and the end-to-end tests both start here.
package app

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/openvest/openvest/internal/auth"
	"github.com/openvest/openvest/internal/banking"
	"github.com/openvest/openvest/internal/config"
	"github.com/openvest/openvest/internal/demo"
	"github.com/openvest/openvest/internal/errcode"
	"github.com/openvest/openvest/internal/httpapi"
	"github.com/openvest/openvest/internal/idempotency"
	"github.com/openvest/openvest/internal/inspector"
	"github.com/openvest/openvest/internal/investing"
	"github.com/openvest/openvest/internal/jobs"
	"github.com/openvest/openvest/internal/market"
	"github.com/openvest/openvest/internal/reports"
	"github.com/openvest/openvest/internal/sandbox"
	"github.com/openvest/openvest/internal/store"
	"github.com/openvest/openvest/internal/trading"
	"github.com/openvest/openvest/internal/ussd"
	"github.com/openvest/openvest/internal/wallet"
	"github.com/openvest/openvest/internal/webhook"
)

// App is a wired service.
type App struct {
	Config      config.Config
	Log         *slog.Logger
	Store       *store.Store
	Auth        *auth.Service
	Investing   *investing.Service
	Wallet      *wallet.Service
	Banking     *banking.Service
	Idempotency *idempotency.Service
	Trading     *trading.Service
	Market      market.Feed
	Jobs        *jobs.Queue
	Webhooks    *webhook.Service
	// Dispatch makes the first delivery attempts of this process's
	// changes after their commits, from Start to Close.
	Dispatch *webhook.Dispatcher
	USSD     *ussd.Service
	Reports  *reports.Service
	Sandbox  *sandbox.Service
	// Inspector records the requests of sandbox organizations; nil when
	// OPENVEST_INSPECTOR_ENABLED=false.
	Inspector *inspector.Recorder
	Now       func() time.Time

	metrics    *httpapi.Metrics // built by Metrics, once
	stopListen func()           // stops the auth invalidation listener (scale.go)
}

// Options tune OpenWith.
type Options struct {
	// Now is the clock (time.Now by default); tests move it.
	Now func() time.Time
	// Jobs tunes the job queue; its DatabaseURL and Logger come from the configuration.
	Jobs jobs.Config
	// WebhookSchedule replaces the webhook retry delays (tests shorten them).
	WebhookSchedule webhook.Schedule
	// WebhookResolver replaces the DNS look-up of webhook hosts at creation.
	WebhookResolver webhook.Resolver
}

// Open connects to the configured database, applies pending migrations and
// wires the services.
func Open(ctx context.Context, cfg config.Config, log *slog.Logger) (*App, error) {
	return OpenWithClock(ctx, cfg, log, time.Now)
}

// OpenWithClock is Open with an injected clock (tests move it).
func OpenWithClock(ctx context.Context, cfg config.Config, log *slog.Logger, now func() time.Time) (*App, error) {
	return OpenWith(ctx, cfg, log, Options{Now: now})
}

// OpenWith is Open with options. The job queue is wired but not started:
// Start starts it.
func OpenWith(ctx context.Context, cfg config.Config, log *slog.Logger, opts Options) (*App, error) {
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	appMax := cmp.Or(cfg.DBMaxConns, 32)
	if _, urlMax, _ := store.PoolURL(cfg.DatabaseURL, false); urlMax > 0 && !cfg.Scale.DBMaxConnsSet {
		appMax = urlMax // pool_max_conns in the URL, when OPENVEST_DB_MAX_CONNS is unset
	}
	st, err := store.Open(cfg.DatabaseURL, store.Options{MaxConns: appMax, MaxIdleConns: cfg.Scale.DBMaxIdleConns, IdleTimeout: cfg.Scale.DBIdleTimeout, TransactionPooler: cfg.Scale.Pooler == config.PoolerTransaction, Logger: log})
	if err != nil {
		return nil, err
	}
	fail := func(err error) (*App, error) {
		_ = st.Close()
		return nil, err
	}
	if err := migrateAll(ctx, cfg, st, log); err != nil {
		return fail(err)
	}
	jc := opts.Jobs
	jc.Logger = log
	if jc.DatabaseURL, err = directURL(cfg); err != nil {
		return fail(err)
	}
	jc.PollOnly = jc.PollOnly || cfg.Scale.PollOnly()
	jc.MaxConns = cmp.Or(jc.MaxConns, cfg.Scale.JobMaxConns, jobs.DefaultMaxConns)
	jc.IdleTimeout = cmp.Or(jc.IdleTimeout, cfg.Scale.DBIdleTimeout)
	if jc.PollInterval == 0 {
		jc.PollInterval = cfg.Scale.JobPollInterval
	}
	logBudget(cfg, st, log, appMax, jc.MaxConns, jc.PollOnly)
	if jc.MaxWorkers == 0 {
		jc.MaxWorkers = cfg.JobWorkers
	}
	if jc.DeliveryWorkers == 0 {
		jc.DeliveryWorkers = cfg.WebhookWorkers
	}
	if jc.JobTimeout == 0 {
		jc.JobTimeout = cfg.JobTimeout
	}
	if jc.RescueStuckJobsAfter == 0 {
		jc.RescueStuckJobsAfter = cfg.JobRescueAfter
	}
	queue, err := jobs.New(ctx, st, jc)
	if err != nil {
		return fail(err)
	}
	schedule := opts.WebhookSchedule
	if schedule == nil && cfg.WebhookRetryDelays != nil {
		schedule = webhook.Schedule(cfg.WebhookRetryDelays)
	}
	faults := sandbox.NewService(st.Sandbox(), st, now)
	hooks := webhook.NewService(st.Webhooks(), queue, now, webhook.Config{AllowPrivate: cfg.WebhookAllowPrivate, Schedule: schedule, Resolver: opts.WebhookResolver}).WithFaults(faults)
	if err := serialized(ctx, cfg, st, func(ctx context.Context) error {
		created, err := hooks.EnsureKey(ctx)
		if err == nil && created {
			log.Info("created the webhook signing key")
		}
		return err
	}); err != nil {
		return fail(err)
	}
	queue.RegisterDeliverer(hooks)
	events := httpapi.Events{Webhooks: hooks}
	hooks.WithEvents(events)
	feed := market.NewSandbox()
	tr := trading.NewService(st.Trading(), feed, queue, now).WithEvents(events)
	queue.Register(tr)
	inv := investing.NewService(st.Investing(), now).WithEvents(events)
	reps := httpapi.NewReports(st.Reports(), queue, hooks, inv, tr, events, now, log)
	queue.RegisterReporter(reps)
	return &App{
		Config: cfg, Log: log, Store: st, Now: now, Market: feed, Jobs: queue, Trading: tr, Webhooks: hooks, Reports: reps, Sandbox: faults,
		Dispatch:    webhook.NewDispatcher(hooks, webhook.DispatchConfig{Workers: jc.DeliveryWorkers, Grace: cfg.WebhookDispatchGrace}),
		Inspector:   newInspector(cfg, st, now, log),
		Auth:        auth.NewService(st.Auth(), now, cfg.TokenTTL).WithCache(cfg.AuthCacheTTL).WithEvents(events).WithNotifier(st, log),
		Investing:   inv,
		USSD:        ussd.NewService(inv, tr, st.USSD(), now, cfg.USSDSessionTTL),
		Wallet:      wallet.NewService(st.Wallet(), now).WithEvents(events),
		Banking:     banking.NewService(st.Banking(), now, banking.Options{DormancyMonths: cfg.BankingDormancyMonths}).WithEvents(events),
		Idempotency: idempotency.NewService(st.Idempotency(), st, now, cfg.IdempotencyTTL),
	}, nil
}

// Start listens for the token and key revocations of the other replicas
// and starts working jobs (request executions, webhook deliveries,
// reports and the periodic sweeps) and making the first delivery attempts
// of this process's changes until Close.
func (a *App) Start(ctx context.Context) error {
	if err := a.listenAuth(ctx); err != nil {
		return err
	}
	if err := a.Jobs.Start(ctx); err != nil {
		return err
	}
	a.Dispatch.Start(ctx)
	return nil
}

// Close stops the first delivery attempts and the job queue, waiting up
// to 15 seconds for those under way, and releases the database.
func (a *App) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if a.stopListen != nil {
		a.stopListen()
	}
	var inspectorErr error
	if a.Inspector != nil {
		a.Inspector.Hub().Close()
		inspectorErr = a.Inspector.Close(ctx) // what is buffered is written before the database closes
	}
	dispatchErr := a.Dispatch.Stop(ctx) // before the jobs: a failed attempt queues its retry
	return errors.Join(dispatchErr, a.Jobs.Stop(ctx), inspectorErr, a.Store.Close())
}

// Handler builds the HTTP server. It serves /metrics unless
// OPENVEST_METRICS_ADDR gives it an address of its own (see Metrics).
func (a *App) Handler() (*echo.Echo, error) {
	return httpapi.New(&httpapi.Server{Auth: a.Auth, Investing: a.Investing, Trading: a.Trading, Wallet: a.Wallet, Banking: a.Banking, Idempotency: a.Idempotency, Webhooks: a.Webhooks, USSD: a.USSD, Reports: a.Reports, Inspector: a.Inspector, Sandbox: a.Sandbox}, httpapi.Options{
		Logger: a.Log, MaxBodyBytes: a.Config.MaxBodyBytes, Ready: a.Store.Ping,
		PublicURL: a.Config.PublicURL, SignatureSkew: a.Config.SignatureSkew, Now: a.Now,
		RateLimits: httpapi.RateLimits{
			TokenCallsPerMinute: a.Config.RateLimits.TokenPerMinute, AuthFailuresPerMinute: a.Config.RateLimits.AuthFailuresPerMinute,
			OrgRequestsPerSecond: a.Config.RateLimits.OrgPerSecond, OrgBurst: a.Config.RateLimits.OrgBurst,
		},
		Metrics: a.Metrics(), MetricsElsewhere: a.Config.MetricsAddr != "",
		CORSOrigins: a.Config.CORSOrigins,
	})
}

// Metrics are the service's metrics, with the job queue depth; their
// Handler serves /metrics.
func (a *App) Metrics() *httpapi.Metrics {
	if a.metrics == nil {
		a.metrics = httpapi.NewMetrics(jobs.DepthCollector(a.Store))
	}
	return a.metrics
}

// ParseInvestmentTypes parses a comma-separated list of investment types.
func ParseInvestmentTypes(list string) ([]string, error) {
	var out []string
	seen := map[string]bool{}
	for _, s := range strings.Split(list, ",") {
		t := strings.ToUpper(strings.TrimSpace(s))
		if t == "" || seen[t] {
			continue
		}
		if !investing.InvestmentType(t).Valid() {
			return nil, fmt.Errorf("unknown investment type %q: use one of %v", s, investing.InvestmentTypes)
		}
		seen[t] = true
		out = append(out, t)
	}
	return out, nil
}

func (a *App) purge(ctx context.Context, what string, fn func() (int64, error)) {
	n, err := fn()
	switch {
	case err != nil && ctx.Err() == nil:
		a.Log.Warn("purge expired "+what, "error", err.Error())
	case n > 0:
		a.Log.Info("purged expired "+what, "count", n)
	}
}

// ResetOrganization empties org, a sandbox organization, on every surface
// in one transaction, keeping its credentials, tokens and signing keys,
// and fills it with the demo data again when reseed is set (`openvest org
// reset`; POST /v1/sandbox/reset does the same). Forbidden: org is not a
// sandbox organization.
func (a *App) ResetOrganization(ctx context.Context, org auth.Organization, reseed bool) (map[string]int64, error) {
	if !org.Sandbox {
		return nil, errcode.New(errcode.Forbidden, "%s is not a sandbox organization: only sandbox organizations can be reset", org.ClientID)
	}
	var fill func(ctx context.Context) error
	if reseed {
		fill = func(ctx context.Context) error {
			_, err := demo.Fill(ctx, demo.Services{Investing: a.Investing, Trading: a.Trading, Wallet: a.Wallet, Banking: a.Banking}, org)
			return err
		}
	}
	return a.Sandbox.Reset(ctx, org.ID, fill)
}
