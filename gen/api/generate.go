// Package api is generated from openapi/openapi.yaml by oapi-codegen: the
// models, the Echo strict-server interface and the embedded spec. Run
// `make generate`; never edit api.gen.go.
package api

//go:generate go tool oapi-codegen -config config.yaml ../spec/openapi.yaml
