package testclock_test

import (
	"testing"
	"time"

	"github.com/openvest/openvest/internal/testclock"
	"github.com/stretchr/testify/require"
)

func TestClock(t *testing.T) {
	t.Parallel()
	start := time.Date(2032, 3, 4, 5, 6, 7, 891234567, time.UTC)
	clk := testclock.New(start)
	require.Equal(t, start, clk.Now())
	require.Equal(t, start, clk.Now(), "it stands still")
	clk.Advance(time.Minute)
	require.Equal(t, start.Add(time.Minute), clk.Now())
	clk.Set(start)
	require.Equal(t, start, clk.Now())
}
