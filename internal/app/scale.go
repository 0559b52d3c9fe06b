package app

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"time"

	"github.com/openvest/openvest/internal/auth"
	"github.com/openvest/openvest/internal/config"
	"github.com/openvest/openvest/internal/jobs"
	"github.com/openvest/openvest/internal/store"
)

// directURL is the PostgreSQL URL that bypasses the pooler
// (OPENVEST_DIRECT_DATABASE_URL), else OPENVEST_DATABASE_URL prepared for
// the pooler: what migrations and the job queue connect with.
func directURL(cfg config.Config) (string, error) {
	if cfg.Scale.DirectDatabaseURL != "" {
		u, _, err := store.PoolURL(cfg.Scale.DirectDatabaseURL, false)
		return u, err
	}
	u, _, err := store.PoolURL(cfg.DatabaseURL, cfg.Scale.Pooler == config.PoolerTransaction)
	return u, err
}

// migrateAll applies the pending migrations of the store and of the job
// queue. On PostgreSQL it holds the migration lock throughout, over the
// direct URL, so that replicas starting together on an empty or outdated
// database migrate one after the other (store.WithMigrationLock).
func migrateAll(ctx context.Context, cfg config.Config, st *store.Store, log *slog.Logger) error {
	if cfg.Scale.NoMigrate {
		log.Info("migrations skipped (OPENVEST_MIGRATE=false or --no-migrate)")
		return nil
	}
	run := func(ctx context.Context, st *store.Store, url string) error {
		n, err := st.Migrate(ctx)
		if err != nil {
			return err
		}
		if n > 0 {
			log.Info("applied migrations", "count", n, "dialect", st.Dialect)
		}
		if n, err = jobs.Migrate(ctx, st, url, log); err != nil {
			return err
		} else if n > 0 {
			log.Info("applied job queue migrations", "count", n, "dialect", st.Dialect)
		}
		return nil
	}
	if st.Dialect != store.Postgres {
		return run(ctx, st, cfg.DatabaseURL)
	}
	direct, err := directURL(cfg)
	if err != nil {
		return err
	}
	return store.WithMigrationLock(ctx, direct, func(ctx context.Context) error {
		if pooled := cfg.Scale.Pooler != "" && cfg.Scale.Pooler != config.PoolerNone; pooled && cfg.Scale.DirectDatabaseURL == "" {
			// A pooler (PgBouncer, in either mode) refuses start-up
			// parameters it does not know.
			return run(ctx, st, direct)
		}
		url, err := asyncCommit(direct)
		if err != nil {
			return err
		}
		mst, err := store.Open(url, store.Options{MaxConns: 2, Logger: log})
		if err != nil {
			return fmt.Errorf("migrations: %w", err)
		}
		defer mst.Close()
		return run(ctx, mst, url)
	})
}

// asyncCommit is databaseURL with synchronous_commit off for its sessions:
// the migrations' two dozen commits then do not each wait for their WAL to
// reach the disk (on a first start, about a third of the time they take).
// Nothing acknowledged is at risk: a crash can lose only the latest
// migrations, which the next start applies again, and the first durable
// commit after them (any write the service acknowledges) flushes their WAL
// with its own.
func asyncCommit(databaseURL string) (string, error) {
	u, err := url.Parse(databaseURL)
	if err != nil {
		return "", fmt.Errorf("migrations: the database URL: %w", err)
	}
	q := u.Query()
	q.Set("synchronous_commit", "off")
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// SchedulePeriodic registers the periodic work of the service as River
// periodic jobs, which the leader alone inserts, so that with N replicas
// each runs once per interval in the cluster: the purge of expired tokens,
// idempotency keys, webhook history and fault rules (10 minutes), the dormancy sweep of
// banking customers (hourly) and the reschedule of long-overdue recurring
// cycles (10 minutes), and the sweep of webhook dispatches that their
// process did not attempt in time (a quarter of
// OPENVEST_WEBHOOK_DISPATCH_GRACE). Call it before Start.
func (a *App) SchedulePeriodic() error {
	for _, t := range []struct {
		name  string
		every time.Duration
		fn    func(context.Context) error
	}{
		{"purge_expired", 10 * time.Minute, a.purgeExpired},
		{"mark_dormant", time.Hour, func(ctx context.Context) error {
			n, err := a.Banking.MarkDormant(ctx)
			if err == nil && n > 0 {
				a.Log.Info("marked banking customers dormant", "count", n)
			}
			return err
		}},
		{"sweep_webhook_dispatches", max(a.Config.WebhookDispatchGrace/4, time.Second), func(ctx context.Context) error {
			n, err := a.Webhooks.SweepDispatches(ctx)
			if err == nil && n > 0 {
				a.Log.Warn("queued the webhook deliveries their process did not attempt in time", "dispatches", n)
			}
			return err
		}},
		{"reschedule_overdue", 10 * time.Minute, func(ctx context.Context) error {
			n, err := a.Trading.RescheduleOverdue(ctx)
			if err == nil && n > 0 {
				a.Log.Warn("rescheduled overdue recurring requests", "count", n)
			}
			return err
		}},
	} {
		if err := a.Jobs.Every(t.name, t.every, t.fn); err != nil {
			return err
		}
	}
	return nil
}

// purgeExpired deletes the tokens that expired more than a day ago, the
// expired idempotency keys, the webhook events and finished deliveries
// past their retention, and the sandbox fault rules expired or used up.
func (a *App) purgeExpired(ctx context.Context) error {
	a.purge(ctx, "tokens", func() (int64, error) { return a.Store.Auth().DeleteExpiredTokens(ctx, a.Now().Add(-24*time.Hour)) })
	a.purge(ctx, "idempotency keys", func() (int64, error) { return a.Idempotency.Purge(ctx) })
	a.purge(ctx, "webhook events and deliveries", func() (int64, error) { return a.Webhooks.Purge(ctx) })
	a.purge(ctx, "fault rules", func() (int64, error) { return a.Sandbox.Purge(ctx) })
	if a.Inspector != nil {
		a.purge(ctx, "inspected requests", func() (int64, error) { return a.Inspector.Prune(ctx) })
	}
	return nil
}

// logBudget logs the connections this replica will use at most.
func logBudget(cfg config.Config, st *store.Store, log *slog.Logger, appMax, jobMax int, pollOnly bool) {
	if st.Dialect != store.Postgres {
		return
	}
	listener := 1 // the auth invalidation listener (listenAuth)
	if cfg.Scale.PollOnly() {
		listener = 0
	}
	log.Info("database connection budget",
		"pooler", cfg.Scale.Pooler, "app_max_conns", appMax, "app_max_idle_conns", min(cfg.Scale.DBMaxIdleConns, appMax),
		"app_idle_timeout", cfg.Scale.DBIdleTimeout.String(), "job_max_conns", jobMax,
		"direct_url", cfg.Scale.DirectDatabaseURL != "", "job_poll_only", pollOnly,
		"auth_listener_conns", listener, "total_per_replica", appMax+jobMax+listener)
}

// serialized runs fn holding the start-up lock on PostgreSQL (the
// migration lock, over the direct URL), so that the one-time set-ups of
// replicas starting together on an empty database (the webhook server key,
// the sandbox organization) happen once; on SQLite it just runs fn.
func serialized(ctx context.Context, cfg config.Config, st *store.Store, fn func(context.Context) error) error {
	if st.Dialect != store.Postgres {
		return fn(ctx)
	}
	direct, err := directURL(cfg)
	if err != nil {
		return err
	}
	return store.WithMigrationLock(ctx, direct, fn)
}

// Serialized runs fn as one replica at a time (see serialized).
func (a *App) Serialized(ctx context.Context, fn func(context.Context) error) error {
	return serialized(ctx, a.Config, a.Store, fn)
}

// listenAuth starts the listener of auth cache invalidations on PostgreSQL
// (over the direct URL), so that a token or key revoked on any replica is
// refused by this one at once; on the same connection it listens for the
// request inspector's records of the other replicas. Behind a transaction pooler with no direct
// URL there is no LISTEN: the cache TTL (OPENVEST_AUTH_CACHE_TTL) bounds it.
func (a *App) listenAuth(ctx context.Context) error {
	if a.Store.Dialect != store.Postgres || a.stopListen != nil {
		return nil
	}
	if a.Config.Scale.PollOnly() {
		a.Log.Info("auth cache invalidations are not listened for behind a transaction pooler without OPENVEST_DIRECT_DATABASE_URL: revocations on other replicas apply within OPENVEST_AUTH_CACHE_TTL", "ttl", a.Config.AuthCacheTTL.String())
		return nil
	}
	direct, err := directURL(a.Config)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	listeners := []store.Listener{{Channel: store.AuthChannel, Lost: auth.InvalidateAll, Fn: a.Auth.Invalidate}}
	if a.Inspector != nil { // the records other replicas write, for the live tails here (one connection for both)
		listeners = append(listeners, store.Listener{Channel: store.InspectorChannel, Fn: func(payload string) {
			if payload != "" {
				a.Inspector.Received(payload)
			}
		}})
	}
	if err := store.ListenChannels(ctx, direct, listeners, a.Log); err != nil {
		cancel()
		return err
	}
	a.stopListen = cancel
	return nil
}
