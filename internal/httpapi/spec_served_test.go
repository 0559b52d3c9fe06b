package httpapi_test

import (
	"encoding/json"
	"testing"
	"unicode"

	"github.com/openvest/openvest/internal/apitest"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"
)

// TestServedSpecsAreOneDocument: /openapi.json is /openapi.yaml in JSON,
// node for node, so that SDKs generated from either get the same
// (camelCase) operation names.
func TestServedSpecsAreOneDocument(t *testing.T) {
	t.Parallel()
	env := apitest.Start(t, apitest.Options{})
	resJSON := env.Do(t, "GET", "/openapi.json", nil, nil)
	require.Equal(t, 200, resJSON.Status)
	resYAML := env.Do(t, "GET", "/openapi.yaml", nil, nil)
	require.Equal(t, 200, resYAML.Status)

	var fromJSON, fromYAML any
	require.NoError(t, json.Unmarshal(resJSON.Body, &fromJSON))
	require.NoError(t, yaml.Unmarshal(resYAML.Body, &fromYAML))
	// Round-trip the YAML tree through JSON so both sides hold the same Go types.
	b, err := json.Marshal(fromYAML)
	require.NoError(t, err)
	var yamlAsJSON any
	require.NoError(t, json.Unmarshal(b, &yamlAsJSON))
	require.Equal(t, yamlAsJSON, fromJSON, "/openapi.json and /openapi.yaml differ")

	paths := fromJSON.(map[string]any)["paths"].(map[string]any)
	ids := 0
	for path, item := range paths {
		for method, op := range item.(map[string]any) {
			o, ok := op.(map[string]any)
			if !ok || method == "parameters" {
				continue
			}
			id, _ := o["operationId"].(string)
			require.NotEmpty(t, id, "%s %s has no operationId", method, path)
			require.True(t, unicode.IsLower(rune(id[0])), "%s %s: operationId %q is not camelCase", method, path, id)
			ids++
		}
	}
	require.Greater(t, ids, 50)
	require.Contains(t, string(resJSON.Body), `"operationId":"createToken"`)
}
