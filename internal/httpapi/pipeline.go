package httpapi

import (
	"bytes"
	"context"
	"errors"
	"io"
	"mime"
	"net/http"
	"sort"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/labstack/echo/v4"
	"github.com/openvest/openvest/internal/auth"
	"github.com/openvest/openvest/internal/errcode"
	"github.com/openvest/openvest/internal/idempotency"
)

// apiPipeline is what every API request goes through, in this order: match
// the route in the spec (404/405), read the body once within the limit
// (413), check the content type (415), authenticate (401), check the
// Content-Digest (400) and the signature (401), validate the request
// against the spec (400), then run the handler under its idempotency key
// (replay, or 422 for a reused key). Paths outside the spec (docs, health,
// metrics) skip it.
type apiPipeline struct {
	router       routers.Router
	routes       routeIndex // the operations by Echo's route, before router
	doc          *openapi3.T
	auth         *auth.Service
	integrity    *integrity
	idempotency  *idempotency.Service
	maxBodyBytes int64
	skip         func(path string) bool
	limits       *rateLimiter
	faults       *faultInjector
}

func (p *apiPipeline) middleware(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) (retErr error) {
		req := c.Request()
		if p.skip(req.URL.Path) {
			return next(c)
		}
		route, pathParams, ok := p.routes.find(c)
		if !ok {
			var err error
			if route, pathParams, err = p.router.FindRoute(req); err != nil {
				return p.routeError(req, err)
			}
		}
		c.Set(routeKey, route.Path)
		body, err := p.readBody(c)
		if err != nil {
			return err
		}
		op := route.Operation
		if op.RequestBody != nil && len(body) > 0 {
			if err := checkContentType(req, op.RequestBody.Value); err != nil {
				return err
			}
		}
		if err := checkText(req, route, pathParams, body); err != nil {
			return err
		}
		tokenCall := tokenCall(op.OperationID)
		if tokenCall || requiresAuth(p.doc, op) {
			ip, clientID := sourceIP(req), req.Header.Get("X-Client-Id")
			if tokenCall {
				creds, _ := tokenCredentials(req, body)
				clientID = creds.ClientID
			}
			if err := p.limits.admit(ip, clientID, tokenCall); err != nil {
				return err
			}
			defer func() { p.limits.done(ip, clientID, tokenCall, retErr) }()
		}
		var (
			org   auth.Organization
			known bool
		)
		if requiresAuth(p.doc, op) {
			principal, err := p.auth.Authenticate(req.Context(), bearerToken(req), req.Header.Get("X-Client-Id"))
			if err != nil {
				return err
			}
			req = req.WithContext(context.WithValue(req.Context(), principalKey, principal))
			c.SetRequest(req)
			org, known = principal.Org, true
			if err := p.limits.org(org.ID); err != nil {
				return err
			}
		}
		if tokenCall {
			creds, _ := tokenCredentials(req, body)
			req = req.WithContext(context.WithValue(req.Context(), credentialsKey, creds))
			c.SetRequest(req)
			if o, err := p.auth.OrganizationByClientID(req.Context(), creds.ClientID); err == nil {
				org, known = o, true
			} else if !errcode.Is(err, errcode.NotFound) {
				return err
			}
		}
		if known {
			c.Set(callerKey, org) // for the access log, metrics and the trace
			inspectionFrom(req.Context()).caller(org, route.Path, op.OperationID, body)
		}
		if err := p.integrity.check(req.Context(), req, body, org, known, tokenCall); err != nil {
			return err
		}
		in := &openapi3filter.RequestValidationInput{
			Request: req, PathParams: pathParams, Route: route,
			Options: &openapi3filter.Options{MultiError: true, AuthenticationFunc: openapi3filter.NoopAuthenticationFunc},
		}
		if err := openapi3filter.ValidateRequest(req.Context(), in); err != nil {
			return validationError(err)
		}
		if err := requireIdempotencyKey(req, op); err != nil {
			return err
		}
		if known && !tokenCall {
			if handled, err := p.faults.inject(c, org, op, route.Path); handled || err != nil {
				return err
			}
			req = c.Request()
		}
		req.Body = io.NopCloser(bytes.NewReader(body))
		if known && !tokenCall && idempotency.Mutating(req.Method) && idempotencyKey(req) != "" {
			return withIdempotency(c, p.idempotency, org.ID, body, next)
		}
		return next(c)
	}
}

func (p *apiPipeline) routeError(req *http.Request, err error) error {
	var re *routers.RouteError
	if errors.As(err, &re) && errors.Is(err, routers.ErrMethodNotAllowed) {
		ae := newAPIError(http.StatusMethodNotAllowed, "method %s is not allowed on %s", req.Method, req.URL.Path)
		if allow := p.allowed(req); len(allow) > 0 {
			ae.Message += "; allowed: " + strings.Join(allow, ", ")
			ae.Header = http.Header{"Allow": {strings.Join(allow, ", ")}}
		}
		return ae
	}
	return newAPIError(http.StatusNotFound, "no route %s %s; the API is described at /openapi.json and /docs", req.Method, req.URL.Path)
}

// allowed lists the methods the spec defines on the request's path.
func (p *apiPipeline) allowed(req *http.Request) []string {
	var out []string
	for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		r := req.Clone(req.Context())
		r.Method = m
		if _, _, err := p.router.FindRoute(r); err == nil {
			out = append(out, m)
		}
	}
	sort.Strings(out)
	return out
}

// readBody reads the whole body once, within the size limit, and puts the
// bytes back so that every later step (validation, handler) reads them again.
func (p *apiPipeline) readBody(c echo.Context) ([]byte, error) {
	req := c.Request()
	if req.Body == nil || req.Body == http.NoBody {
		return nil, nil
	}
	tooLarge := newAPIError(http.StatusRequestEntityTooLarge, "request body is larger than %d bytes", p.maxBodyBytes)
	if req.ContentLength > p.maxBodyBytes {
		return nil, tooLarge
	}
	body, err := io.ReadAll(io.LimitReader(req.Body, p.maxBodyBytes+1))
	if err != nil {
		return nil, newAPIError(http.StatusBadRequest, "could not read the request body: %v", err)
	}
	if int64(len(body)) > p.maxBodyBytes {
		return nil, tooLarge
	}
	req.Body = io.NopCloser(bytes.NewReader(body))
	return body, nil
}

func checkContentType(req *http.Request, rb *openapi3.RequestBody) error {
	mt, _, err := mime.ParseMediaType(req.Header.Get(echo.HeaderContentType))
	if err == nil && rb.Content.Get(mt) != nil {
		return nil
	}
	accepted := make([]string, 0, len(rb.Content))
	for ct := range rb.Content {
		accepted = append(accepted, ct)
	}
	sort.Strings(accepted)
	got := req.Header.Get(echo.HeaderContentType)
	if got == "" {
		return newAPIError(http.StatusUnsupportedMediaType, "the request has a body but no Content-Type; send one of: %s", strings.Join(accepted, ", "))
	}
	return newAPIError(http.StatusUnsupportedMediaType, "content type %q is not supported here; send one of: %s", got, strings.Join(accepted, ", "))
}

// requiresAuth reports whether the operation has a non-empty security requirement.
func requiresAuth(doc *openapi3.T, op *openapi3.Operation) bool {
	sec := doc.Security
	if op.Security != nil {
		sec = *op.Security
	}
	return len(sec) > 0
}

func bearerToken(req *http.Request) string {
	h := req.Header.Get(echo.HeaderAuthorization)
	if len(h) > 7 && strings.EqualFold(h[:7], "bearer ") {
		return strings.TrimSpace(h[7:])
	}
	return ""
}
