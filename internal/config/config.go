// Package config reads the service configuration from the environment.
// Every variable is documented in the README's configuration table.
package config

import (
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"time"
)

// Config is the service configuration.
type Config struct {
	Addr         string        // OPENVEST_ADDR, default ":8080"
	DatabaseURL  string        // OPENVEST_DATABASE_URL, default "sqlite://openvest.db"
	PublicURL    string        // OPENVEST_PUBLIC_URL, the external base URL when behind a proxy
	MetricsAddr  string        // OPENVEST_METRICS_ADDR: serve /metrics there (and not on Addr); empty: on Addr
	PprofAddr    string        // OPENVEST_PPROF_ADDR: serve net/http/pprof there (/debug/pprof/); empty: not at all
	LogLevel     slog.Level    // OPENVEST_LOG_LEVEL: debug, info, warn, error
	LogFormat    string        // OPENVEST_LOG_FORMAT: json or text
	MaxBodyBytes int64         // OPENVEST_MAX_BODY_BYTES, default 1 MiB
	DBMaxConns   int           // OPENVEST_DB_MAX_CONNS, default 32 (PostgreSQL)
	TokenTTL     time.Duration // OPENVEST_TOKEN_TTL, default 1h
	// SignatureSkew is the clock skew allowed on signature created/expires
	// (OPENVEST_SIGNATURE_SKEW, default 60s).
	SignatureSkew time.Duration
	// IdempotencyTTL is how long a response is replayed for its key
	// (OPENVEST_IDEMPOTENCY_TTL, default 24h).
	IdempotencyTTL time.Duration
	// AuthCacheTTL is how long token and signing-key look-ups are cached
	// (OPENVEST_AUTH_CACHE_TTL, default 5s; 0 turns the cache off).
	AuthCacheTTL time.Duration
	// USSDSessionTTL is how long a USSD session lives after its last step
	// (OPENVEST_USSD_SESSION_TTL, default 5m).
	USSDSessionTTL time.Duration

	// BankingDormancyMonths is OPENVEST_BANKING_DORMANCY_MONTHS, default 12:
	// the inactivity period after which an ACTIVE banking customer becomes DORMANT.
	BankingDormancyMonths int
	// JobWorkers is how many request executions run at once
	// (OPENVEST_JOB_WORKERS, default 32); WebhookWorkers how many webhook
	// deliveries, on a queue of their own (OPENVEST_WEBHOOK_WORKERS, default 50).
	JobWorkers, WebhookWorkers int
	// WebhookDispatchGrace is how long after its commit a change's first
	// delivery attempts stay with the process that made it (which makes
	// them at once) before the sweep queues them as jobs
	// (OPENVEST_WEBHOOK_DISPATCH_GRACE, default 2m; the sweep runs every
	// quarter of it): how late a delivery is when its process died.
	WebhookDispatchGrace time.Duration
	// WebhookAllowPrivate lets webhooks use plain http and deliver to
	// loopback and private addresses (OPENVEST_WEBHOOK_ALLOW_PRIVATE=true;
	// local testing only).
	WebhookAllowPrivate bool
	// JobTimeout bounds one job run (OPENVEST_JOB_TIMEOUT, default 1m);
	// JobRescueAfter is how long a job may stay running before it is taken
	// to have died with its process and run again (OPENVEST_JOB_RESCUE_AFTER,
	// default JobTimeout + 10s; at least JobTimeout).
	JobTimeout, JobRescueAfter time.Duration
	// WebhookRetryDelays are the waits before each retry of a failed
	// delivery (OPENVEST_WEBHOOK_RETRY_DELAYS, comma-separated durations;
	// empty means the default schedule of about three days).
	WebhookRetryDelays []time.Duration
	// RateLimits: OPENVEST_RATE_* (ratelimits.go).
	RateLimits RateLimits
	// CORSOrigins (OPENVEST_CORS_ORIGINS, comma-separated) are the browser
	// origins allowed to call the API cross-origin: "*" for any, or
	// scheme://host[:port] with "*" wildcards ("http://localhost:*").
	// Empty (the default) allows none.
	CORSOrigins []string
	// Scale: replicas, poolers and the connection budget (scale.go).
	Scale Scale
	// Inspector: the request inspector of sandbox organizations (OPENVEST_INSPECTOR_*).
	Inspector Inspector
}

// Inspector configures the request inspector.
type Inspector struct {
	Enabled    bool          // OPENVEST_INSPECTOR_ENABLED, default true
	MaxRecords int           // OPENVEST_INSPECTOR_MAX_RECORDS, kept per organization, default 1000
	MaxAge     time.Duration // OPENVEST_INSPECTOR_MAX_AGE, default 24h
	Buffer     int           // OPENVEST_INSPECTOR_BUFFER, captures waiting to be written, default 4096
}

// FromEnv reads the configuration; a malformed value is an error naming the variable.
func FromEnv() (Config, error) {
	c := Config{
		Addr:         env("OPENVEST_ADDR", ":8080"),
		DatabaseURL:  env("OPENVEST_DATABASE_URL", "sqlite://openvest.db"),
		PublicURL:    strings.TrimRight(os.Getenv("OPENVEST_PUBLIC_URL"), "/"),
		MetricsAddr:  os.Getenv("OPENVEST_METRICS_ADDR"),
		PprofAddr:    os.Getenv("OPENVEST_PPROF_ADDR"),
		LogFormat:    env("OPENVEST_LOG_FORMAT", "json"),
		MaxBodyBytes: 1 << 20,
		DBMaxConns:   32,
		TokenTTL:     time.Hour,

		SignatureSkew:         time.Minute,
		IdempotencyTTL:        24 * time.Hour,
		AuthCacheTTL:          5 * time.Second,
		USSDSessionTTL:        5 * time.Minute,
		BankingDormancyMonths: 12,
		JobWorkers:            32,
		WebhookWorkers:        50,
		WebhookDispatchGrace:  2 * time.Minute,
		Inspector:             Inspector{Enabled: true, MaxRecords: 1000, MaxAge: 24 * time.Hour, Buffer: 4096},
	}
	if err := c.LogLevel.UnmarshalText([]byte(env("OPENVEST_LOG_LEVEL", "info"))); err != nil {
		return c, fmt.Errorf("OPENVEST_LOG_LEVEL: %w (use debug, info, warn or error)", err)
	}
	if c.LogFormat != "json" && c.LogFormat != "text" {
		return c, fmt.Errorf("OPENVEST_LOG_FORMAT=%q: use json or text", c.LogFormat)
	}
	var err error
	if c.RateLimits, err = rateLimitsFromEnv(); err != nil {
		return c, err
	}
	if c.MaxBodyBytes, err = envInt("OPENVEST_MAX_BODY_BYTES", c.MaxBodyBytes); err != nil {
		return c, err
	}
	n, err := envInt("OPENVEST_DB_MAX_CONNS", int64(c.DBMaxConns))
	if err != nil {
		return c, err
	}
	c.DBMaxConns = int(n)
	if c.Scale, err = scaleFromEnv(c.DBMaxConns); err != nil {
		return c, err
	}
	months, err := envInt("OPENVEST_BANKING_DORMANCY_MONTHS", int64(c.BankingDormancyMonths))
	if err != nil {
		return c, err
	}
	c.BankingDormancyMonths = int(months)
	if n, err = envInt("OPENVEST_JOB_WORKERS", int64(c.JobWorkers)); err != nil {
		return c, err
	}
	c.JobWorkers = int(n)
	if n, err = envInt("OPENVEST_WEBHOOK_WORKERS", int64(c.WebhookWorkers)); err != nil {
		return c, err
	}
	c.WebhookWorkers = int(n)
	for _, d := range []struct {
		key string
		dst *time.Duration
	}{
		{"OPENVEST_TOKEN_TTL", &c.TokenTTL},
		{"OPENVEST_SIGNATURE_SKEW", &c.SignatureSkew},
		{"OPENVEST_IDEMPOTENCY_TTL", &c.IdempotencyTTL},
		{"OPENVEST_JOB_TIMEOUT", &c.JobTimeout},
		{"OPENVEST_JOB_RESCUE_AFTER", &c.JobRescueAfter},
		{"OPENVEST_WEBHOOK_DISPATCH_GRACE", &c.WebhookDispatchGrace},
		{"OPENVEST_USSD_SESSION_TTL", &c.USSDSessionTTL},
		{"OPENVEST_INSPECTOR_MAX_AGE", &c.Inspector.MaxAge},
	} {
		if err := envDuration(d.key, d.dst); err != nil {
			return c, err
		}
	}
	if c.WebhookDispatchGrace < 2*time.Second {
		return c, fmt.Errorf("OPENVEST_WEBHOOK_DISPATCH_GRACE=%s: use at least 2s (a delivery worker stops sending a tenth of it before the sweep may take its deliveries)", c.WebhookDispatchGrace)
	}
	if v := os.Getenv("OPENVEST_AUTH_CACHE_TTL"); v == "0" {
		c.AuthCacheTTL = 0
	} else if err := envDuration("OPENVEST_AUTH_CACHE_TTL", &c.AuthCacheTTL); err != nil {
		return c, err
	}
	if v := os.Getenv("OPENVEST_WEBHOOK_RETRY_DELAYS"); v != "" {
		for _, part := range strings.Split(v, ",") {
			d, err := time.ParseDuration(strings.TrimSpace(part))
			if err != nil || d <= 0 {
				return c, fmt.Errorf("OPENVEST_WEBHOOK_RETRY_DELAYS=%q: use comma-separated positive durations such as 5s,1m,1h", v)
			}
			c.WebhookRetryDelays = append(c.WebhookRetryDelays, d)
		}
	}
	if c.CORSOrigins, err = ParseCORSOrigins(os.Getenv("OPENVEST_CORS_ORIGINS")); err != nil {
		return c, err
	}
	if n, err = envInt("OPENVEST_INSPECTOR_MAX_RECORDS", int64(c.Inspector.MaxRecords)); err != nil {
		return c, err
	}
	c.Inspector.MaxRecords = int(n)
	if n, err = envInt("OPENVEST_INSPECTOR_BUFFER", int64(c.Inspector.Buffer)); err != nil {
		return c, err
	}
	c.Inspector.Buffer = int(n)
	switch v := os.Getenv("OPENVEST_INSPECTOR_ENABLED"); v {
	case "", "true", "1":
	case "false", "0":
		c.Inspector.Enabled = false
	default:
		return c, fmt.Errorf("OPENVEST_INSPECTOR_ENABLED=%q: use true or false", v)
	}
	switch v := os.Getenv("OPENVEST_WEBHOOK_ALLOW_PRIVATE"); v {
	case "", "false", "0":
	case "true", "1":
		c.WebhookAllowPrivate = true
	default:
		return c, fmt.Errorf("OPENVEST_WEBHOOK_ALLOW_PRIVATE=%q: use true or false", v)
	}
	return c, nil
}

func envDuration(key string, dst *time.Duration) error {
	v := os.Getenv(key)
	if v == "" {
		return nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return fmt.Errorf("%s=%q: use a positive Go duration such as 1h or 90s", key, v)
	}
	*dst = d
	return nil
}

// Logger builds the process logger.
func (c Config) Logger() *slog.Logger {
	opts := &slog.HandlerOptions{Level: c.LogLevel}
	if c.LogFormat == "text" {
		return slog.New(slog.NewTextHandler(os.Stderr, opts))
	}
	return slog.New(slog.NewJSONHandler(os.Stderr, opts))
}

func env(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}

func envInt(key string, def int64) (int64, error) {
	v := os.Getenv(key)
	if v == "" {
		return def, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("%s=%q: use a positive integer", key, v)
	}
	return n, nil
}
