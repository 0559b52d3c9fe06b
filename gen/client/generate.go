// Package client is the Go SDK of the Openvest API, generated from
// openapi/openapi.yaml by oapi-codegen. Run `make generate`; never edit
// client.gen.go.
package client

//go:generate go tool oapi-codegen -config config.yaml ../spec/openapi.yaml
