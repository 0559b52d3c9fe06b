package httpapi

import (
	"bytes"
	"context"
	"io"
	"net/http"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/labstack/echo/v4"
	"github.com/openvest/openvest/httpsig"
	"github.com/openvest/openvest/internal/dberr"
	"github.com/openvest/openvest/internal/errcode"
	"github.com/openvest/openvest/internal/idempotency"
)

// idempotencyKeyHeaders are the header names an idempotency key is read
// from, the first present winning: the current investing name, the old
// one the vendor's endpoint pages still send, the IETF draft's, and the
// banking vendor's.
var idempotencyKeyHeaders = httpsig.IdempotencyHeaders

// idempotencyKey returns the request's key, from the first of
// idempotencyKeyHeaders it carries.
func idempotencyKey(req *http.Request) string {
	for _, h := range idempotencyKeyHeaders {
		if k := req.Header.Get(h); k != "" {
			return k
		}
	}
	return ""
}

// requireIdempotencyKey answers 400 naming X-Idempotency-Key when op
// declares that header (every investing mutation does: one of its names is
// required, which a list of optional header parameters cannot say) and the
// request carries none of the names.
func requireIdempotencyKey(req *http.Request, op *openapi3.Operation) error {
	if idempotencyKey(req) != "" {
		return nil
	}
	if optional, _ := op.Extensions["x-idempotency-optional"].(bool); optional {
		return nil // the USSD mutations: the docs send no key
	}
	for _, p := range op.Parameters {
		if p.Value != nil && p.Value.In == openapi3.ParameterInHeader && http.CanonicalHeaderKey(p.Value.Name) == "X-Idempotency-Key" {
			return &apiError{
				Status:  http.StatusBadRequest,
				Message: "request validation failed (1 error): X-Idempotency-Key: value is required but missing (send X-Idempotency-Key or X-Idempotency-Id: a UUID per mutation)",
				Fields:  []errcode.FieldError{{Field: "X-Idempotency-Key", In: "header", Message: "value is required but missing (send X-Idempotency-Key or X-Idempotency-Id: a UUID per mutation)"}},
			}
		}
	}
	return nil
}

// withIdempotency runs next under the request's idempotency key: in one
// transaction with the stored response, or not at all when an earlier
// response is replayed (with Idempotent-Replayed: true).
func withIdempotency(c echo.Context, svc *idempotency.Service, orgID int64, body []byte, next echo.HandlerFunc) error {
	req := c.Request()
	in := idempotency.Request{OrganizationID: orgID, Key: idempotencyKey(req), Method: req.Method, Path: req.URL.RequestURI(), Body: body}
	res := c.Response()
	real := res.Writer
	var rec *recorder
	resp, replayed, err := svc.Do(req.Context(), in, func(ctx context.Context) idempotency.Response {
		// Each run (a retry after an expired key is deleted runs again)
		// starts from a fresh recorder and the whole body.
		// The recorder starts with the headers set so far (X-Request-Id
		// among them, which an error message quotes).
		rec = &recorder{header: real.Header().Clone()}
		res.Writer = rec
		res.Committed, res.Status, res.Size = false, 0, 0
		defer func() { res.Writer = real }()
		req.Body = io.NopCloser(bytes.NewReader(body))
		c.SetRequest(req.WithContext(ctx))
		err := next(c)
		if err != nil {
			c.Echo().HTTPErrorHandler(err, c)
		}
		return idempotency.Response{Status: rec.status, ContentType: rec.header.Get(echo.HeaderContentType), Body: rec.body.Bytes(), Transient: dberr.Transient(err)}
	})
	c.SetRequest(req)
	countIdempotency(replayed, err)
	inspectionFrom(req.Context()).idempotency(in.Key, replayed, err)
	if err != nil || replayed {
		// The handler may have run and lost to an earlier request with the
		// same key: forget what it wrote to the recorder.
		res.Committed, res.Status, res.Size = false, 0, 0
	}
	if err != nil {
		return err
	}
	if replayed {
		res.Header().Set("Idempotent-Replayed", "true")
		return c.Blob(resp.Status, resp.ContentType, resp.Body)
	}
	// The handler wrote to the recorder (and marked the response
	// committed): copy what it wrote to the client.
	for k, vs := range rec.header {
		real.Header()[k] = vs
	}
	real.WriteHeader(rec.status)
	_, err = real.Write(rec.body.Bytes())
	return err
}

// recorder buffers a response until its transaction has committed.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header { return r.header }

func (r *recorder) WriteHeader(status int) {
	if r.status == 0 {
		r.status = status
	}
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.body.Write(b)
}
