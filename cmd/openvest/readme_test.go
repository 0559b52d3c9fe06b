package main

import (
	"bufio"
	"context"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/openvest/openvest/internal/apitest"
	"github.com/stretchr/testify/require"
)

// doctestMarker, on the line before a ```sh fence of the README, marks the
// block for TestREADMEWalkthrough.
const doctestMarker = "<!-- doctest"

// readmeBlocks returns the README's code blocks marked for testing, in
// order, and fails the test if a fence is left open (the rest of the file
// would render as code) or a heading falls inside a block.
func readmeBlocks(t *testing.T) []string {
	t.Helper()
	f, err := os.Open("../../README.md")
	require.NoError(t, err)
	defer f.Close()
	var (
		blocks  []string
		cur     strings.Builder
		inBlock bool
		marked  bool
		opened  int
		prev    string
	)
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		switch {
		case !inBlock && strings.HasPrefix(line, "```"):
			inBlock, opened = true, n
			marked = strings.HasPrefix(prev, doctestMarker)
			if marked {
				require.Equal(t, "```sh", line, "README.md:%d: a doctest block must be ```sh", n)
			}
			cur.Reset()
		case inBlock && strings.TrimSpace(line) == "```":
			inBlock = false
			if marked {
				blocks = append(blocks, cur.String())
			}
		case inBlock:
			require.False(t, strings.HasPrefix(line, "## ") || strings.HasPrefix(line, "### "),
				"README.md:%d: heading %q inside the code block opened at line %d: a fence is not closed", n, line, opened)
			cur.WriteString(line + "\n")
		}
		prev = line
	}
	require.NoError(t, sc.Err())
	require.False(t, inBlock, "README.md: the code block opened at line %d is never closed", opened)
	return blocks
}

func TestREADMECodeBlocksClose(t *testing.T) {
	require.GreaterOrEqual(t, len(readmeBlocks(t)), 5, "the README's walk-through blocks are marked for the doctest")
}

// TestREADMEWalkthrough runs the README's marked shell blocks, in order, as
// one bash script pasted into a terminal, against a fresh server (this
// test binary serving on an empty SQLite file, with --demo as make run):
// with the sandbox credentials it printed exported as CLIENT_ID and CLIENT_SECRET, and
// http://localhost:8080 pointed at its address. curl fails the script on
// any 4xx or 5xx answer.
func TestREADMEWalkthrough(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a server and the README's walk-through")
	}
	_, err := exec.LookPath("bash")
	require.NoError(t, err)
	_, err = exec.LookPath("curl")
	require.NoError(t, err)
	blocks := readmeBlocks(t)

	addr := freeAddr(t)
	srv := exec.Command(os.Args[0], "-test.run=^$")
	// Started as make run starts it: the sandbox organization has the demo data.
	srv.Env = append(os.Environ(), "OPENVEST_TEST_SERVE=demo", "OPENVEST_ADDR="+addr,
		"OPENVEST_DATABASE_URL=sqlite://"+t.TempDir()+"/openvest.db", "OPENVEST_LOG_LEVEL=warn")
	banner, logs := &apitest.SyncBuffer{}, &apitest.SyncBuffer{}
	srv.Stdout, srv.Stderr = banner, logs
	require.NoError(t, srv.Start())
	t.Cleanup(func() { _ = srv.Process.Kill(); _ = srv.Wait() })
	base := "http://" + addr
	require.Eventually(t, func() bool {
		res, err := http.Get(base + "/readyz")
		if err != nil {
			return false
		}
		res.Body.Close()
		return res.StatusCode == http.StatusOK
	}, 30*time.Second, 50*time.Millisecond)
	// The banner comes through a pipe that a goroutine copies: what the
	// child printed before it served /readyz may still be on its way.
	require.Eventually(t, func() bool { return strings.Contains(banner.String(), "Filled it with demo data") },
		10*time.Second, 20*time.Millisecond, "the walk-through runs beside the demo data: %s", banner)
	clientID := regexp.MustCompile(`clientId:\s+(\S+)`).FindStringSubmatch(banner.String())
	secret := regexp.MustCompile(`clientSecret:\s+(\S+)`).FindStringSubmatch(banner.String())
	require.Len(t, clientID, 2, banner.String())
	require.Len(t, secret, 2, banner.String())

	script := "set -euo pipefail\n" +
		"curl() { command curl --fail-with-body --max-time 10 \"$@\"; echo; }\n" +
		strings.ReplaceAll(strings.Join(blocks, "\n"), "http://localhost:8080", base)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	sh := exec.CommandContext(ctx, "bash", "-c", script)
	sh.Env = append(os.Environ(), "CLIENT_ID="+clientID[1], "CLIENT_SECRET="+secret[1])
	out, err := sh.CombinedOutput()
	t.Logf("walk-through output:\n%s", out)
	require.NoError(t, err, "the README walk-through failed:\n%s\nserver log:\n%s", out, logs.String())
	require.Contains(t, string(out), "COMPLETED", "the purchase completed:\n%s", out)
	require.Regexp(t, `request [0-9]+: COMPLETED`, string(out))
	require.NoError(t, srv.Process.Signal(syscall.SIGTERM))
	require.NoError(t, srv.Wait())
}
