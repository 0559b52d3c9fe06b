package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestREADMELayoutMatchesTheTree: the README's Layout section names every
// package directory under cmd/ and internal/ (and the other top-level
// folders), and every folder it names exists.
func TestREADMELayoutMatchesTheTree(t *testing.T) {
	t.Parallel()
	readme, err := os.ReadFile("../../README.md")
	require.NoError(t, err)
	_, section, ok := strings.Cut(string(readme), "## Layout\n\n```\n")
	require.True(t, ok, "the README has a Layout section with a code block")
	section, _, ok = strings.Cut(section, "```\n")
	require.True(t, ok)
	listed := map[string]bool{}
	for _, line := range strings.Split(strings.TrimSpace(section), "\n") {
		dir, _, _ := strings.Cut(line, " ")
		require.True(t, strings.HasSuffix(dir, "/"), "a layout line starts with a folder: %q", line)
		listed[strings.TrimSuffix(dir, "/")] = true
		info, err := os.Stat(filepath.Join("../..", dir))
		require.NoError(t, err, "the layout names %s", dir)
		require.True(t, info.IsDir(), dir)
	}
	for _, parent := range []string{"cmd", "internal", "test"} {
		entries, err := os.ReadDir(filepath.Join("../..", parent))
		require.NoError(t, err)
		for _, e := range entries {
			if e.IsDir() {
				require.True(t, listed[parent+"/"+e.Name()], "the README's Layout section does not describe %s/%s/", parent, e.Name())
			}
		}
	}
	for _, dir := range []string{"openapi", "httpsig", "db/migrations", "sdk/ts", "gen/api", "gen/client", "gen/spec", "gen/ts"} {
		require.True(t, listed[dir], "the README's Layout section does not describe %s/", dir)
	}
}
