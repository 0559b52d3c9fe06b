package webhook

import (
	"math/rand/v2"
	"time"
)

// retryDelays are the waits before each retry: growing from seconds to
// hours, about three days in all (2 d 15 h 12 min before jitter).
var retryDelays = []time.Duration{
	5 * time.Second, 30 * time.Second, 2 * time.Minute, 10 * time.Minute, 30 * time.Minute,
	time.Hour, 2 * time.Hour, 4 * time.Hour, 8 * time.Hour, 12 * time.Hour, 16 * time.Hour, 20 * time.Hour,
}

// MaxAttempts is the number of attempts of one delivery: the first and
// one per retry delay.
var MaxAttempts = len(retryDelays) + 1

// RetryDelay is the wait after failed attempt n (1-based), with ±10 %
// jitter so that many failed deliveries do not retry in one burst; ok is
// false when no attempt is left.
func RetryDelay(n int) (d time.Duration, ok bool) {
	if n < 1 || n > len(retryDelays) {
		return 0, false
	}
	base := retryDelays[n-1]
	jitter := time.Duration((rand.Float64()*0.2 - 0.1) * float64(base))
	return base + jitter, true
}

// RetryWindow is the total of the retry delays before jitter.
func RetryWindow() time.Duration {
	var total time.Duration
	for _, d := range retryDelays {
		total += d
	}
	return total
}
