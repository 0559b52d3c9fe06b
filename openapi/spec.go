// Package openapi embeds the source of the Openvest OpenAPI document, as
// written, so that /openapi.yaml serves exactly this file.
package openapi

import _ "embed"

// YAML is openapi.yaml.
//
//go:embed openapi.yaml
var YAML []byte
