// Package testclock is the clock tests inject into services: it stands
// still until the test moves it, so that schedules, expiries and stored
// times are tested exactly.
//
//	clk := testclock.New(time.Date(2032, 3, 4, 5, 6, 7, 0, time.UTC))
//	svc := investing.NewService(repo, clk.Now)
//	clk.Advance(time.Minute)
package testclock

import (
	"sync"
	"time"
)

// Clock is a settable time source, safe for concurrent use.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// New returns a clock that reads now.
func New(now time.Time) *Clock { return &Clock{now: now} }

// Now returns the clock's time; pass the method value (clk.Now) as a
// service's clock.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock on by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// Set moves the clock to now.
func (c *Clock) Set(now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = now
}
