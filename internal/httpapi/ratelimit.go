package httpapi

import (
	"math"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/openvest/openvest/internal/errcode"
)

// RateLimits configure the limits on credentials and requests (0 turns a
// limit off). Token and failure limits apply per client id and per source
// address alike; each allows a burst of its per-minute count, refilled
// evenly over the minute.
type RateLimits struct {
	// TokenCallsPerMinute bounds POST /v1/oauth/token calls
	// (OPENVEST_RATE_TOKEN_PER_MINUTE, default 60).
	TokenCallsPerMinute int
	// AuthFailuresPerMinute bounds failed authentications per source
	// address (wrong client secrets, invalid bearer tokens and signatures)
	// and failed token calls per client id: once spent, credentials are
	// not even checked until the bucket refills
	// (OPENVEST_RATE_AUTH_FAILURES_PER_MINUTE, default 10).
	AuthFailuresPerMinute int
	// OrgRequestsPerSecond bounds each organization's authenticated
	// requests, with a burst of OrgBurst (OPENVEST_RATE_ORG_PER_SECOND and
	// OPENVEST_RATE_ORG_BURST; off by default).
	OrgRequestsPerSecond float64
	OrgBurst             int
}

// limiters are the token buckets of one kind, by key. Buckets that have
// refilled are dropped when the map grows, so memory stays bounded by the
// keys active within about a minute.
type limiters struct {
	limit rate.Limit
	burst int
	now   func() time.Time

	mu      sync.Mutex
	buckets map[string]*rate.Limiter
	sweepAt int
}

func newLimiters(limit rate.Limit, burst int, now func() time.Time) *limiters {
	if limit <= 0 || burst <= 0 {
		return nil
	}
	return &limiters{limit: limit, burst: burst, now: now, buckets: map[string]*rate.Limiter{}, sweepAt: 1024}
}

func perMinute(n int, now func() time.Time) *limiters {
	return newLimiters(rate.Limit(float64(n)/60), n, now)
}

func (l *limiters) bucket(key string) *rate.Limiter {
	b, ok := l.buckets[key]
	if !ok {
		if len(l.buckets) >= l.sweepAt {
			t := l.now()
			for k, v := range l.buckets {
				if v.TokensAt(t) >= float64(l.burst) {
					delete(l.buckets, k)
				}
			}
			l.sweepAt = max(1024, 2*len(l.buckets))
		}
		b = rate.NewLimiter(l.limit, l.burst)
		l.buckets[key] = b
	}
	return b
}

// take spends one token of key's bucket; when there is none, it spends
// nothing and returns how long until there is one.
func (l *limiters) take(key string) (time.Duration, bool) {
	if l == nil || key == "" {
		return 0, true
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	t := l.now()
	r := l.bucket(key).ReserveN(t, 1)
	if d := r.DelayFrom(t); d > 0 {
		r.CancelAt(t)
		return d, false
	}
	return 0, true
}

// empty reports whether key's bucket has no token left, and for how long.
func (l *limiters) empty(key string) (time.Duration, bool) {
	if l == nil || key == "" {
		return 0, false
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	b, ok := l.buckets[key]
	if !ok {
		return 0, false
	}
	t := l.now()
	tokens := b.TokensAt(t)
	if tokens >= 1 {
		return 0, false
	}
	return time.Duration((1 - tokens) / float64(l.limit) * float64(time.Second)), true
}

// spend takes a token of key's bucket if it has one.
func (l *limiters) spend(key string) {
	if l == nil || key == "" {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.bucket(key).AllowN(l.now(), 1)
}

// rateLimiter applies RateLimits in the pipeline.
type rateLimiter struct {
	tokens, failures, orgs *limiters
}

func newRateLimiter(c RateLimits, now func() time.Time) *rateLimiter {
	return &rateLimiter{
		tokens:   perMinute(c.TokenCallsPerMinute, now),
		failures: perMinute(c.AuthFailuresPerMinute, now),
		orgs:     newLimiters(rate.Limit(c.OrgRequestsPerSecond), max(c.OrgBurst, 1), now),
	}
}

func tooMany(what string, wait time.Duration) *apiError {
	secs := int(math.Ceil(wait.Seconds()))
	if secs < 1 {
		secs = 1
	}
	return &apiError{
		Status:  http.StatusTooManyRequests,
		Message: "too many " + what + "; retry after " + strconv.Itoa(secs) + " seconds",
		Header:  http.Header{"Retry-After": {strconv.Itoa(secs)}},
	}
}

// admit runs before credentials are checked: a source address whose
// failed authentications are spent is refused without a look at its
// credentials, and so is a token call for a client id whose failed token
// calls are spent; a token call spends a token of its address and client id.
// Bearer-token failures count against the address only: a token is not
// guessable, and X-Client-Id is the caller's to set (counting it would let
// anyone lock another organization out).
func (r *rateLimiter) admit(ip, clientID string, tokenCall bool) error {
	if wait, empty := r.failures.empty("ip:" + ip); empty {
		return tooMany("failed authentications from this address", wait)
	}
	if !tokenCall {
		return nil
	}
	if wait, empty := r.failures.empty(clientKey(clientID)); empty {
		return tooMany("failed authentications for this client id", wait)
	}
	if wait, ok := r.tokens.take("ip:" + ip); !ok {
		return tooMany("token requests from this address", wait)
	}
	if wait, ok := r.tokens.take(clientKey(clientID)); !ok {
		return tooMany("token requests for this client id", wait)
	}
	return nil
}

// done counts a failed authentication (401) against the address and, on
// the token call, the client id.
func (r *rateLimiter) done(ip, clientID string, tokenCall bool, err error) {
	if err == nil {
		return
	}
	if ae, ok := err.(*apiError); (ok && ae.Status == http.StatusUnauthorized) || errcode.Is(err, errcode.Unauthenticated) {
		r.failures.spend("ip:" + ip)
		if tokenCall {
			r.failures.spend(clientKey(clientID))
		}
	}
}

// org spends one of the organization's request tokens.
func (r *rateLimiter) org(orgID int64) error {
	if wait, ok := r.orgs.take(strconv.FormatInt(orgID, 10)); !ok {
		return tooMany("requests for this organization", wait)
	}
	return nil
}

func clientKey(clientID string) string {
	if clientID == "" {
		return ""
	}
	return "client:" + clientID
}

// sourceIP is the address the connection comes from (forwarding headers
// are not trusted: they are the client's to set).
func sourceIP(req *http.Request) string {
	host, _, err := net.SplitHostPort(req.RemoteAddr)
	if err != nil {
		return req.RemoteAddr
	}
	return host
}
