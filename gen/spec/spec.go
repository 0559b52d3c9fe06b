// Package spec embeds the bundled OpenAPI document that `make generate`
// writes (openapi.yaml, from openapi/*.yaml by cmd/openvest-spec): the one
// the code is generated from and the server serves at /openapi.yaml.
package spec

import _ "embed"

// YAML is the bundled, self-contained OpenAPI document.
//
//go:embed openapi.yaml
var YAML []byte
