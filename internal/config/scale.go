package config

import (
	"fmt"
	"os"
	"time"
)

// Pooler modes (OPENVEST_DB_POOLER).
const (
	PoolerNone        = "none"
	PoolerTransaction = "transaction"
	PoolerSession     = "session"
)

// Scale is the configuration of running several replicas on one
// PostgreSQL, possibly behind a connection pooler (README, Running at scale).
type Scale struct {
	// NoMigrate skips applying pending migrations at start
	// (OPENVEST_MIGRATE=false or `serve --no-migrate`: deployments that
	// run `openvest migrate` once per release).
	NoMigrate bool
	// Pooler is what OPENVEST_DATABASE_URL points at: none (PostgreSQL
	// itself, the default), transaction or session (a PgBouncer in that pool_mode).
	Pooler string
	// DirectDatabaseURL (OPENVEST_DIRECT_DATABASE_URL) reaches PostgreSQL
	// without the pooler: migrations, the job queue (LISTEN, leader
	// election) and the auth cache invalidations use it. Empty: OPENVEST_DATABASE_URL.
	DirectDatabaseURL string
	// JobPollInterval (OPENVEST_JOB_POLL_INTERVAL) is how often the job
	// queues are polled; 0 keeps the defaults (100ms for executions, 1s for
	// deliveries), which bound a job's start when notifications are off.
	JobPollInterval time.Duration
	// DBMaxIdleConns (OPENVEST_DB_MAX_IDLE_CONNS) is how many idle
	// connections the app pool keeps (default: OPENVEST_DB_MAX_CONNS, or 2
	// behind a session pooler); DBIdleTimeout (OPENVEST_DB_IDLE_TIMEOUT,
	// default 1m, 30s behind a session pooler) closes a connection idle that long.
	DBMaxIdleConns int
	DBIdleTimeout  time.Duration
	// JobMaxConns (OPENVEST_JOB_DB_MAX_CONNS, default 8) is the size of the
	// job queue's own pool.
	JobMaxConns int
	// DBMaxConnsSet: OPENVEST_DB_MAX_CONNS is set (else pool_max_conns in
	// the URL, when present, sizes the app pool).
	DBMaxConnsSet bool
}

// PollOnly reports whether the job queue must poll instead of listening:
// behind a transaction pooler with no direct URL, where LISTEN is lost.
func (s Scale) PollOnly() bool {
	return s.Pooler == PoolerTransaction && s.DirectDatabaseURL == ""
}

// scaleFromEnv reads the Scale settings; maxConns is the app pool size.
func scaleFromEnv(maxConns int) (Scale, error) {
	s := Scale{Pooler: env("OPENVEST_DB_POOLER", PoolerNone), DirectDatabaseURL: os.Getenv("OPENVEST_DIRECT_DATABASE_URL"), JobMaxConns: 8, DBIdleTimeout: time.Minute}
	s.DBMaxConnsSet = os.Getenv("OPENVEST_DB_MAX_CONNS") != ""
	switch v := os.Getenv("OPENVEST_MIGRATE"); v {
	case "", "true", "1":
	case "false", "0":
		s.NoMigrate = true
	default:
		return s, fmt.Errorf("OPENVEST_MIGRATE=%q: use true or false", v)
	}
	switch s.Pooler {
	case PoolerNone, PoolerTransaction:
		s.DBMaxIdleConns = maxConns
	case PoolerSession:
		s.DBMaxIdleConns, s.DBIdleTimeout = min(2, maxConns), 30*time.Second
	default:
		return s, fmt.Errorf("OPENVEST_DB_POOLER=%q: use none, transaction or session", s.Pooler)
	}
	n, err := envInt("OPENVEST_DB_MAX_IDLE_CONNS", int64(s.DBMaxIdleConns))
	if err != nil {
		return s, err
	}
	s.DBMaxIdleConns = int(n)
	if s.DBMaxIdleConns > maxConns {
		return s, fmt.Errorf("OPENVEST_DB_MAX_IDLE_CONNS=%d: at most OPENVEST_DB_MAX_CONNS (%d)", s.DBMaxIdleConns, maxConns)
	}
	if n, err = envInt("OPENVEST_JOB_DB_MAX_CONNS", int64(s.JobMaxConns)); err != nil {
		return s, err
	}
	s.JobMaxConns = int(n)
	if s.JobMaxConns < 4 {
		return s, fmt.Errorf("OPENVEST_JOB_DB_MAX_CONNS=%d: at least 4 (the job queue's fetchers, completer and leader election share it)", s.JobMaxConns)
	}
	for _, d := range []struct {
		key string
		dst *time.Duration
	}{{"OPENVEST_DB_IDLE_TIMEOUT", &s.DBIdleTimeout}, {"OPENVEST_JOB_POLL_INTERVAL", &s.JobPollInterval}} {
		if err := envDuration(d.key, d.dst); err != nil {
			return s, err
		}
	}
	if s.JobPollInterval > 0 && s.JobPollInterval > 10*time.Second {
		return s, fmt.Errorf("OPENVEST_JOB_POLL_INTERVAL=%s: at most 10s", s.JobPollInterval)
	}
	return s, nil
}
