package httpapi

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/openvest/openvest/gen/spec"
	"gopkg.in/yaml.v3"
)

// Spec returns the bundled OpenAPI document (gen/spec/openapi.yaml, the one
// served at /openapi.yaml), validated. It is read from the YAML itself, not
// from the copy oapi-codegen embeds in gen/api, which capitalizes every
// operationId.
func Spec() (*openapi3.T, error) {
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(spec.YAML)
	if err != nil {
		return nil, fmt.Errorf("load the bundled spec: %w", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		return nil, fmt.Errorf("the bundled spec is invalid: %w", err)
	}
	return doc, nil
}

// SpecJSON is the bundled YAML document converted node for node to JSON,
// so that /openapi.json and /openapi.yaml are the same document.
func SpecJSON() ([]byte, error) {
	var doc any
	if err := yaml.Unmarshal(spec.YAML, &doc); err != nil {
		return nil, fmt.Errorf("parse the bundled spec: %w", err)
	}
	out, err := json.Marshal(doc)
	if err != nil {
		return nil, fmt.Errorf("convert the bundled spec to JSON: %w", err)
	}
	return out, nil
}
