package apitest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
	"github.com/openvest/openvest/internal/httpapi"
	"github.com/stretchr/testify/require"
)

// A live tail (text/event-stream) is text: its body validates as a string.
func init() { openapi3filter.RegisterBodyDecoder("text/event-stream", openapi3filter.PlainBodyDecoder) }

// ValidatingTransport checks each response against the spec before handing
// it to the caller.
type ValidatingTransport struct {
	T      testing.TB
	Base   http.RoundTripper
	doc    *openapi3.T
	router routers.Router
}

// NewValidatingTransport wraps base (http.DefaultTransport when nil).
func NewValidatingTransport(t testing.TB, base http.RoundTripper) *ValidatingTransport {
	t.Helper()
	doc, err := httpapi.Spec()
	require.NoError(t, err)
	doc.Servers = nil
	router, err := gorillamux.NewRouter(doc)
	require.NoError(t, err)
	if base == nil {
		base = http.DefaultTransport
	}
	return &ValidatingTransport{T: t, Base: base, doc: doc, router: router}
}

// RoundTrip implements http.RoundTripper.
func (v *ValidatingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	res, err := v.Base.RoundTrip(req)
	if err != nil {
		return res, err
	}
	body, err := io.ReadAll(res.Body)
	_ = res.Body.Close()
	if err != nil {
		return nil, err
	}
	res.Body = io.NopCloser(bytes.NewReader(body))
	if err := v.Check(req, res.StatusCode, res.Header, body); err != nil {
		v.T.Errorf("response to %s %s (%d) does not match the spec: %v\nbody: %s", req.Method, req.URL.Path, res.StatusCode, err, body)
	}
	return res, nil
}

// Check validates one response. Responses to paths outside the spec (docs,
// health, metrics) are not checked; responses to unknown API routes (404,
// 405) must still be in the surface's error shape.
func (v *ValidatingTransport) Check(req *http.Request, status int, header http.Header, body []byte) error {
	if httpapi.IsInfra(req.URL.Path) {
		return nil
	}
	route, params, err := v.router.FindRoute(req)
	if err != nil {
		return v.checkError(req.URL.Path, status, body)
	}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route},
		Status:                 status,
		Header:                 header,
		Options:                &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
	}
	in.SetBodyBytes(body)
	return openapi3filter.ValidateResponse(context.Background(), in)
}

func (v *ValidatingTransport) checkError(path string, status int, body []byte) error {
	if status != http.StatusNotFound && status != http.StatusMethodNotAllowed {
		return &unexpected{status}
	}
	var doc any
	if err := json.Unmarshal(body, &doc); err != nil {
		return err
	}
	schema := "Problem"
	switch {
	case path == "/v1" || strings.HasPrefix(path, "/v1/"):
		schema = "Error"
	case path == "/counterparty" || strings.HasPrefix(path, "/counterparty/"):
		schema = "WalletError"
	}
	return v.doc.Components.Schemas[schema].Value.VisitJSON(doc)
}

type unexpected struct{ status int }

func (u *unexpected) Error() string {
	return "an unknown route answered " + http.StatusText(u.status) + "; only 404 or 405 are expected"
}
