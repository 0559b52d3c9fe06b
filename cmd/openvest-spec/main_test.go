package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/require"
)

func TestBundleIsSelfContained(t *testing.T) {
	t.Parallel()
	out := filepath.Join(t.TempDir(), "openapi.yaml")
	require.NoError(t, bundle("../../openapi/openapi.yaml", out))
	data, err := os.ReadFile(out)
	require.NoError(t, err)
	require.NotContains(t, string(data), ".yaml#", "an external $ref survived")
	require.True(t, strings.HasPrefix(string(data), "# Generated"))

	doc, err := openapi3.NewLoader().LoadFromData(data) // external refs not allowed
	require.NoError(t, err)
	require.NoError(t, doc.Validate(t.Context()))
	require.NotNil(t, doc.Paths.Find("/v1/customers"))
	require.Contains(t, doc.Components.Schemas, "Customer")
	require.Contains(t, doc.Components.Schemas, "Error")
	require.Contains(t, doc.Components.Schemas, "Problem")
}

func TestBundleRefusesClashingNames(t *testing.T) {
	t.Parallel()
	err := bundle("testdata/clash/root.yaml", filepath.Join(t.TempDir(), "out.yaml"))
	require.ErrorContains(t, err, `component "Thing" is defined in both`)
}
