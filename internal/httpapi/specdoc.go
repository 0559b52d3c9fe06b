package httpapi

import (
	"context"
	"fmt"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/openvest/openvest/gen/spec"
)

// Spec returns the bundled OpenAPI document (gen/spec/openapi.yaml, the one
// served at /openapi.yaml), validated: a new copy on every call, the caller's
// to change. It is parsed from its JSON form (gen/spec/openapi.json, the
// same document node for node: kin-openapi decodes JSON without its YAML
// parser, about a third faster), not from the copy oapi-codegen embeds in
// gen/api, which capitalizes every operationId.
func Spec() (*openapi3.T, error) {
	doc, err := openapi3.NewLoader().LoadFromData(spec.JSON)
	if err != nil {
		return nil, fmt.Errorf("load the bundled spec: %w", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		return nil, fmt.Errorf("the bundled spec is invalid: %w", err)
	}
	return doc, nil
}

// servedSpec is the document the servers route and validate requests with,
// parsed once per process (every server New builds shares it, read only),
// with no servers, so that requests match on any host. It is not validated
// again: the bundler validated it before writing it, and Spec's tests
// validate the embedded bytes (a fifth of the parse's time saved at start).
var servedSpec = sync.OnceValues(func() (*openapi3.T, error) {
	doc, err := openapi3.NewLoader().LoadFromData(spec.JSON)
	if err != nil {
		return nil, fmt.Errorf("load the bundled spec: %w", err)
	}
	doc.Servers = nil
	return doc, nil
})

// PreloadSpec parses the served document in the background, so that the
// parse (the largest part of New) overlaps whatever the caller does before
// New (openvest serve: connecting to the database and migrating it).
func PreloadSpec() { go func() { _, _ = servedSpec() }() }

// SpecJSON is the bundled document as JSON (gen/spec/openapi.json), so that
// /openapi.json and /openapi.yaml are the same document.
func SpecJSON() ([]byte, error) { return spec.JSON, nil }
