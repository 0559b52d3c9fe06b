package config

import (
	"fmt"
	"os"
	"strconv"
)

// RateLimits are the limits on credentials and requests (0 turns one off).
type RateLimits struct {
	// TokenPerMinute bounds POST /v1/oauth/token calls per client id and
	// per source address (OPENVEST_RATE_TOKEN_PER_MINUTE, default 60).
	TokenPerMinute int
	// AuthFailuresPerMinute bounds failed authentications per source
	// address and failed token calls per client id
	// (OPENVEST_RATE_AUTH_FAILURES_PER_MINUTE, default 10).
	AuthFailuresPerMinute int
	// OrgPerSecond bounds each organization's authenticated requests
	// (OPENVEST_RATE_ORG_PER_SECOND, default 0: off), with bursts of
	// OrgBurst (OPENVEST_RATE_ORG_BURST, default twice the rate, at least 1).
	OrgPerSecond float64
	OrgBurst     int
}

func rateLimitsFromEnv() (RateLimits, error) {
	r := RateLimits{TokenPerMinute: 60, AuthFailuresPerMinute: 10}
	for _, v := range []struct {
		key string
		dst *int
	}{
		{"OPENVEST_RATE_TOKEN_PER_MINUTE", &r.TokenPerMinute},
		{"OPENVEST_RATE_AUTH_FAILURES_PER_MINUTE", &r.AuthFailuresPerMinute},
		{"OPENVEST_RATE_ORG_BURST", &r.OrgBurst},
	} {
		if s := os.Getenv(v.key); s != "" {
			n, err := strconv.Atoi(s)
			if err != nil || n < 0 {
				return r, fmt.Errorf("%s=%q: use a whole number, 0 or more (0 turns the limit off)", v.key, s)
			}
			*v.dst = n
		}
	}
	if s := os.Getenv("OPENVEST_RATE_ORG_PER_SECOND"); s != "" {
		f, err := strconv.ParseFloat(s, 64)
		if err != nil || f < 0 || f != f {
			return r, fmt.Errorf("OPENVEST_RATE_ORG_PER_SECOND=%q: use a number of requests per second, 0 or more (0 turns the limit off)", s)
		}
		r.OrgPerSecond = f
	}
	if r.OrgBurst == 0 {
		r.OrgBurst = max(1, int(2*r.OrgPerSecond))
	}
	return r, nil
}
