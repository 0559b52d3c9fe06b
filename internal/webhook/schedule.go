package webhook

import (
	"math/rand/v2"
	"time"
)

// Schedule is the waits before each retry of a failed delivery.
type Schedule []time.Duration

// DefaultSchedule grows from seconds to hours, about three days in all
// (2 d 15 h 12 min before jitter): 13 attempts.
var DefaultSchedule = Schedule{
	5 * time.Second, 30 * time.Second, 2 * time.Minute, 10 * time.Minute, 30 * time.Minute,
	time.Hour, 2 * time.Hour, 4 * time.Hour, 8 * time.Hour, 12 * time.Hour, 16 * time.Hour, 20 * time.Hour,
}

// MaxAttempts is the number of attempts of one delivery: the first and
// one per retry delay.
func (s Schedule) MaxAttempts() int { return len(s) + 1 }

// Delay is the wait after failed attempt n (1-based), with ±10 % jitter so
// that many failed deliveries do not retry in one burst; ok is false when
// no attempt is left.
func (s Schedule) Delay(n int) (d time.Duration, ok bool) {
	if n < 1 || n > len(s) {
		return 0, false
	}
	base := s[n-1]
	jitter := time.Duration((rand.Float64()*0.2 - 0.1) * float64(base))
	return base + jitter, true
}

// Window is the total of the retry delays before jitter.
func (s Schedule) Window() time.Duration {
	var total time.Duration
	for _, d := range s {
		total += d
	}
	return total
}
