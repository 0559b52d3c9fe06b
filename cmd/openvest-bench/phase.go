package main

import (
	"context"
	"fmt"
	"math"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// op performs one request, n being a sequence number unique within the phase,
// and returns an error unless the answer was the expected one.
type op func(ctx context.Context, n int64) error

// runPhase runs fn from cfg.conc workers for cfg.warmup plus cfg.dur, prints
// the line of the requests started after the warm-up and returns whether
// their errors stayed within 1%.
func runPhase(ctx context.Context, name string, cfg config, fn op) bool {
	measureFrom := time.Now().Add(cfg.warmup)
	end := measureFrom.Add(cfg.dur)
	var (
		seq, errs atomic.Int64
		mu        sync.Mutex
		seen      = map[string]bool{}
		wg        sync.WaitGroup
		lats      = make([][]time.Duration, cfg.conc) // per worker, measured requests only
	)
	for w := range lats {
		wg.Go(func() {
			for t0 := time.Now(); t0.Before(end) && ctx.Err() == nil; t0 = time.Now() {
				err := fn(ctx, seq.Add(1))
				lat := time.Since(t0)
				if ctx.Err() != nil {
					return // interrupted: not an error of the server
				}
				measured := !t0.Before(measureFrom)
				if measured {
					lats[w] = append(lats[w], lat)
				}
				if err == nil {
					continue
				}
				if measured {
					errs.Add(1)
				}
				mu.Lock()
				if msg := err.Error(); len(seen) < 3 && !seen[msg] {
					seen[msg] = true
					fmt.Fprintf(os.Stderr, "%s: unexpected answer: %s\n", name, msg)
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(measureFrom)
	if ctx.Err() != nil {
		return false
	}
	all := slices.Concat(lats...)
	slices.Sort(all)
	n := len(all)
	pct := func(q float64) string {
		if n == 0 {
			return "-"
		}
		i := int(math.Ceil(q*float64(n))) - 1 // nearest rank
		return fmt.Sprintf("%.2fms", float64(all[i])/float64(time.Millisecond))
	}
	fmt.Printf("%-30s  c=%d d=%s  requests=%d  errors=%d  rps=%.0f  p50=%s  p90=%s  p99=%s\n",
		name, cfg.conc, cfg.dur, n, errs.Load(), float64(n)/elapsed.Seconds(), pct(0.50), pct(0.90), pct(0.99))
	return n > 0 && float64(errs.Load()) <= 0.01*float64(n)
}
