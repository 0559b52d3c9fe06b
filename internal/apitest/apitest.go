// Package apitest runs the real HTTP server over a real PostgreSQL database
// for tests, and checks every response against the OpenAPI document: a
// status the operation does not document, or a body that does not match
// its schema, fails the test.
package apitest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
	"github.com/openvest/openvest/internal/app"
	"github.com/openvest/openvest/internal/auth"
	"github.com/openvest/openvest/internal/config"
	"github.com/openvest/openvest/internal/httpapi"
	"github.com/openvest/openvest/internal/testdb"
	"github.com/stretchr/testify/require"
)

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
	if isInfra(req.URL.Path) {
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

func isInfra(path string) bool {
	switch path {
	case "/healthz", "/readyz", "/metrics", "/openapi.json", "/openapi.yaml", "/docs":
		return true
	}
	return strings.HasPrefix(path, "/docs/")
}

// Env is a running server on the package's PostgreSQL database.
type Env struct {
	App    *app.App
	Server *httptest.Server
	HTTP   *http.Client // validates every response against the spec
}

// Options tune Start.
type Options struct {
	Logger       *slog.Logger
	MaxBodyBytes int64
}

// Start serves the full application on a real listener for the test.
func Start(t testing.TB, opts Options) *Env {
	t.Helper()
	cfg, err := config.FromEnv()
	require.NoError(t, err)
	cfg.DatabaseURL = testdb.URL()
	cfg.DBMaxConns = 8
	if opts.MaxBodyBytes > 0 {
		cfg.MaxBodyBytes = opts.MaxBodyBytes
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	a, err := app.Open(context.Background(), cfg, log)
	require.NoError(t, err)
	t.Cleanup(func() { _ = a.Close() })
	h, err := a.Handler()
	require.NoError(t, err)
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &Env{App: a, Server: srv, HTTP: &http.Client{Transport: NewValidatingTransport(t, nil)}}
}

// Tenant is an organization with a token, ready to call the API.
type Tenant struct {
	Env          *Env
	Org          auth.Organization
	ClientSecret string
	Token        string
}

// TenantOptions tune NewTenant.
type TenantOptions struct {
	InvestmentTypes        []string // default INTERNATIONAL_STOCKS
	DefaultInvestmentTypes []string // default: all of InvestmentTypes
	Sandbox                bool
}

// NewTenant creates an organization and gets a token through the API.
func (e *Env) NewTenant(t testing.TB, opts TenantOptions) *Tenant {
	t.Helper()
	if opts.InvestmentTypes == nil {
		opts.InvestmentTypes = []string{"INTERNATIONAL_STOCKS"}
	}
	o, secret, err := e.App.Auth.CreateOrganization(context.Background(), auth.NewOrganization{
		Name: t.Name(), InvestmentTypes: opts.InvestmentTypes, DefaultInvestmentTypes: opts.DefaultInvestmentTypes, Sandbox: opts.Sandbox,
	})
	require.NoError(t, err)
	form := url.Values{"clientId": {o.ClientID}, "clientSecret": {secret}}
	res, err := e.HTTP.Post(e.Server.URL+"/v1/oauth/token", "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
	require.NoError(t, err)
	var out struct {
		Data struct {
			Token string `json:"token"`
		} `json:"data"`
	}
	require.Equal(t, http.StatusCreated, res.StatusCode)
	require.NoError(t, json.NewDecoder(res.Body).Decode(&out))
	return &Tenant{Env: e, Org: o, ClientSecret: secret, Token: out.Data.Token}
}

// Response is a decoded response.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body into v.
func (r Response) JSON(t testing.TB, v any) {
	t.Helper()
	require.NoError(t, json.Unmarshal(r.Body, v), "body: %s", r.Body)
}

// Map decodes the body into a generic map.
func (r Response) Map(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	r.JSON(t, &m)
	return m
}

// Do sends a request with the tenant's credentials. A non-nil body that is
// not a string or []byte is sent as JSON.
func (tn *Tenant) Do(t testing.TB, method, path string, body any) Response {
	t.Helper()
	return tn.Env.Do(t, method, path, body, http.Header{
		"Authorization": {"Bearer " + tn.Token},
		"X-Client-Id":   {tn.Org.ClientID},
	})
}

// Do sends a request with the given headers (Content-Type defaults to JSON
// when there is a body).
func (e *Env) Do(t testing.TB, method, path string, body any, header http.Header) Response {
	t.Helper()
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		r = strings.NewReader(b)
	case []byte:
		r = bytes.NewReader(b)
	default:
		data, err := json.Marshal(b)
		require.NoError(t, err)
		r = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, e.Server.URL+path, r)
	require.NoError(t, err)
	for k, vs := range header {
		req.Header[k] = vs
	}
	if body != nil && req.Header.Get("Content-Type") == "" {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := e.HTTP.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return Response{Status: res.StatusCode, Header: res.Header, Body: data}
}
