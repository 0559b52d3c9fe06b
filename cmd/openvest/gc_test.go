package main

import (
	"io"
	"log/slog"
	"runtime/debug"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestServingGC: serving raises the collector's target to servingGCPercent
// when GOGC is unset, and leaves an operator's GOGC alone.
func TestServingGC(t *testing.T) {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	prev := debug.SetGCPercent(100)
	t.Cleanup(func() { debug.SetGCPercent(prev) })

	t.Setenv("GOGC", "")
	servingGC(log)
	require.Equal(t, servingGCPercent, debug.SetGCPercent(100), "GOGC unset: serving runs at servingGCPercent")

	t.Setenv("GOGC", "150")
	debug.SetGCPercent(150) // what the runtime read from GOGC at start
	servingGC(log)
	require.Equal(t, 150, debug.SetGCPercent(100), "an operator's GOGC wins")
}
