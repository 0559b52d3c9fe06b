// Package spec embeds the bundled OpenAPI document that `make generate`
// writes (openapi.yaml, from openapi/*.yaml by cmd/openvest-spec, and the
// same document as openapi.json): the one the code is generated from and
// the server serves at /openapi.yaml and /openapi.json.
package spec

import _ "embed"

// YAML is the bundled, self-contained OpenAPI document.
//
//go:embed openapi.yaml
var YAML []byte

// JSON is YAML as JSON, node for node (keys sorted).
//
//go:embed openapi.json
var JSON []byte
