package main

import (
	"bytes"
	"context"
	"net"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// commands is every command and subcommand of openvest.
var commands = [][]string{
	{}, {"serve"}, {"migrate"}, {"healthcheck"}, {"version"}, {"sign"},
	{"org"}, {"org", "create"}, {"org", "add-key"}, {"org", "keys"}, {"org", "revoke-key"}, {"org", "set-signature-policy"},
	{"webhook-key"}, {"webhook-key", "rotate"},
	{"counterparty"}, {"counterparty", "create"},
}

// runBounded runs the command line and fails the test if it does not
// return within 10 seconds (serve --help must not serve).
func runBounded(t *testing.T, args []string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errOut bytes.Buffer
	done := make(chan error, 1)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() { done <- run(ctx, args, &out, &errOut) }()
	select {
	case err = <-done:
	case <-time.After(10 * time.Second):
		cancel()
		<-done
		t.Fatalf("openvest %v did not return within 10s", args)
	}
	return out.String(), errOut.String(), err
}

// TestHelpIsHarmless runs every command with -h and --help against a
// database (and an address) of the test's own: each prints its usage on
// stdout, exits 0, and touches nothing: the SQLite database is never
// created, the address never bound.
func TestHelpIsHarmless(t *testing.T) {
	dir := t.TempDir()
	addr := freeAddr(t)
	t.Setenv("OPENVEST_DATABASE_URL", "sqlite://"+dir+"/openvest.db")
	t.Setenv("OPENVEST_ADDR", addr)
	for _, cmd := range commands {
		for _, help := range []string{"-h", "--help"} {
			args := append(append([]string{}, cmd...), help)
			stdout, stderr, err := runBounded(t, args)
			require.NoError(t, err, "openvest %v", args)
			require.Equal(t, 0, exitCode(err))
			require.Contains(t, stdout, "usage:", "openvest %v prints its usage on stdout", args)
			if len(cmd) > 0 {
				require.Contains(t, stdout, "openvest "+strings.Join(cmd, " "), "openvest %v names the command", args)
			}
			require.Empty(t, stderr, "openvest %v", args)
		}
	}
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Empty(t, entries, "--help created files in the database directory")
}

// TestUnknownFlagExits2 checks that every command refuses an unknown flag
// with exit status 2 and its usage on stderr, touching nothing.
func TestUnknownFlagExits2(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("OPENVEST_DATABASE_URL", "sqlite://"+dir+"/openvest.db")
	for _, cmd := range commands {
		args := append(append([]string{}, cmd...), "--no-such-flag")
		stdout, stderr, err := runBounded(t, args)
		require.Error(t, err, "openvest %v", args)
		require.Equal(t, 2, exitCode(err), "openvest %v: %v", args, err)
		require.Contains(t, stderr, "usage:", "openvest %v prints its usage on stderr", args)
		require.Empty(t, stdout, "openvest %v", args)
	}
	// A missing required flag is a usage error too.
	_, stderr, err := runBounded(t, []string{"org", "keys"})
	require.Equal(t, 2, exitCode(err))
	require.Contains(t, stderr, "--client-id is required")
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Empty(t, entries)
}

func TestVersion(t *testing.T) {
	for _, args := range [][]string{{"version"}, {"--version"}} {
		stdout, _, err := runBounded(t, args)
		require.NoError(t, err)
		require.Regexp(t, `^openvest \S+\ncommit \S+.*\ngo `+runtime.Version()+`\n$`, stdout)
	}
}

// TestServeBusyAddress: when the address is taken, serve fails naming it
// and writes nothing: the database is not even created, so the sandbox
// secret (printed once) is not lost.
func TestServeBusyAddress(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	dir := t.TempDir()
	t.Setenv("OPENVEST_DATABASE_URL", "sqlite://"+dir+"/openvest.db")
	t.Setenv("OPENVEST_ADDR", ln.Addr().String())
	t.Setenv("OPENVEST_LOG_LEVEL", "error")
	stdout, _, err := runBounded(t, []string{"serve"})
	require.Error(t, err)
	require.Contains(t, err.Error(), "OPENVEST_ADDR="+ln.Addr().String())
	require.NotContains(t, stdout, "clientSecret")
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Empty(t, entries, "serve wrote the database although it could not listen")
}
