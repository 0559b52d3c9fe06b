package auth

import (
	"sync"
	"time"
)

// cache keeps values for a short time. The service caches token and key
// look-ups with it, so that a request costs no database round trip for
// them; changes made through this process (revocations) drop entries at
// once, changes made elsewhere (another instance, the CLI) show within the TTL.
type cache[K comparable, V any] struct {
	mu  sync.Mutex
	ttl time.Duration
	now func() time.Time
	m   map[K]cached[V]
	gen uint64 // counts drops: a look-up that began before one does not cache its stale result
}

type cached[V any] struct {
	v       V
	expires time.Time
}

// maxEntries bounds the cache; past it, expired entries are swept on insert.
const maxEntries = 10000

func newCache[K comparable, V any](ttl time.Duration, now func() time.Time) *cache[K, V] {
	return &cache[K, V]{ttl: ttl, now: now, m: map[K]cached[V]{}}
}

func (c *cache[K, V]) get(k K) (V, bool) {
	var zero V
	if c == nil || c.ttl <= 0 {
		return zero, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[k]
	if !ok || !c.now().Before(e.expires) {
		return zero, false
	}
	return e.v, true
}

// generation is the drop count, read before a look-up whose result goes to putAt.
func (c *cache[K, V]) generation() uint64 {
	if c == nil {
		return 0
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.gen
}

// putAt caches v unless entries were dropped since generation gen (an
// invalidation raced the look-up that read v: v may be stale).
func (c *cache[K, V]) putAt(k K, v V, gen uint64) {
	if c == nil || c.ttl <= 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen != gen {
		return
	}
	now := c.now()
	if len(c.m) >= maxEntries {
		for key, e := range c.m {
			if !now.Before(e.expires) {
				delete(c.m, key)
			}
		}
		if len(c.m) >= maxEntries {
			clear(c.m)
		}
	}
	c.m[k] = cached[V]{v: v, expires: now.Add(c.ttl)}
}

// drop removes the entries for which match is true.
func (c *cache[K, V]) drop(match func(K, V) bool) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	for k, e := range c.m {
		if match(k, e.v) {
			delete(c.m, k)
		}
	}
}
