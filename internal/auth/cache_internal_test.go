package auth

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestCacheInvalidationRace: a look-up that began before an invalidation
// does not cache its (possibly stale) result; one that began after does.
func TestCacheInvalidationRace(t *testing.T) {
	t.Parallel()
	c := newCache[string, int](time.Hour, time.Now)
	gen := c.generation()
	// An invalidation arrives while the look-up reads the database.
	c.drop(func(string, int) bool { return true })
	c.putAt("k", 1, gen)
	_, ok := c.get("k")
	require.False(t, ok, "the stale result was cached")

	c.putAt("k", 2, c.generation())
	v, ok := c.get("k")
	require.True(t, ok)
	require.Equal(t, 2, v)
}

// TestInvalidateMessages: each message drops what it names and only that.
func TestInvalidateMessages(t *testing.T) {
	t.Parallel()
	s := NewService(nil, time.Now, time.Hour).WithCache(time.Hour)
	put := func() {
		s.tokens.putAt("a", tokenEntry{token: Token{ID: 1}, org: Organization{ID: 10}}, s.tokens.generation())
		s.tokens.putAt("b", tokenEntry{token: Token{ID: 2}, org: Organization{ID: 20}}, s.tokens.generation())
		s.keys.putAt(keyRef{10, "k1"}, SigningKey{}, s.keys.generation())
		s.keys.putAt(keyRef{10, "k2"}, SigningKey{}, s.keys.generation())
	}
	has := func() (a, b, k1, k2 bool) {
		_, a = s.tokens.get("a")
		_, b = s.tokens.get("b")
		_, k1 = s.keys.get(keyRef{10, "k1"})
		_, k2 = s.keys.get(keyRef{10, "k2"})
		return
	}
	for msg, want := range map[string][4]bool{
		tokenMessage(1):      {false, true, true, true},
		orgMessage(20):       {true, false, true, true},
		keyMessage(10, "k2"): {true, true, true, false},
		InvalidateAll:        {false, false, false, false},
		"token:x":            {false, false, false, false},
	} {
		put()
		s.Invalidate(msg)
		a, b, k1, k2 := has()
		require.Equal(t, want, [4]bool{a, b, k1, k2}, msg)
	}
}
