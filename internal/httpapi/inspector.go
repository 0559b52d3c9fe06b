package httpapi

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"
	"github.com/openvest/openvest/gen/api"
	"github.com/openvest/openvest/httpsig"
	"github.com/openvest/openvest/internal/auth"
	"github.com/openvest/openvest/internal/errcode"
	"github.com/openvest/openvest/internal/inspector"
)

// The request inspector's side of the pipeline: inspectRequests puts an
// *inspection in the request's context, the pipeline's steps fill it in
// (the caller and route, the Content-Digest and signature verdicts, the
// idempotency outcome, the fields an error names, a fault a rule
// injected), and once the request is answered the inspection of a sandbox
// organization is handed to the recorder, which writes it off the
// request's path.

type inspectionKeyType struct{}

var inspectionKey inspectionKeyType

// inspection is the record of one request in the making. Its methods do
// nothing on a nil inspection (the inspector is off, or the path is not
// the API's), so the pipeline calls them unconditionally.
type inspection struct {
	rec     inspector.Capture
	sandbox bool // the caller is a sandbox organization: record
	skip    bool // the inspector's own operations are not recorded
	start   time.Time
}

// inspectionFrom returns the request's inspection, or nil.
func inspectionFrom(ctx context.Context) *inspection {
	in, _ := ctx.Value(inspectionKey).(*inspection)
	return in
}

// inspectorOperations are not recorded: reading the journal would fill it.
var inspectorOperations = map[string]bool{
	"listInspectedRequests": true, "getInspectedRequest": true, "streamInspectedRequests": true,
}

// caller notes the calling organization, the route it matched and the body it sent.
func (in *inspection) caller(org auth.Organization, route, operationID string, body []byte) {
	if in == nil {
		return
	}
	in.sandbox = org.Sandbox
	in.skip = inspectorOperations[operationID]
	in.rec.OrganizationID, in.rec.Route, in.rec.OperationID, in.rec.RequestBody = org.ID, route, operationID, body
}

func (in *inspection) recording() bool { return in != nil && in.sandbox && !in.skip }

// digest notes the Content-Digest verdict.
func (in *inspection) digest(verdict string) {
	if in != nil {
		in.rec.ContentDigest = verdict
	}
}

// signature notes the signature verdict: v is what verified, err why not.
func (in *inspection) signature(verdict string, v httpsig.Verified, err error) {
	if in == nil {
		return
	}
	s := inspector.Signature{Verdict: verdict, KeyID: v.KeyID, Base: v.Base, Components: v.Components}
	if verdict == inspector.SignatureVerified {
		s.Form = "rfc9421"
		if v.Form == httpsig.FormSHA512 {
			s.Form = "sha512"
		}
	}
	var se *httpsig.Error
	if errors.As(err, &se) {
		s.Reason = se.Reason
		if se.Base != "" {
			s.Base = se.Base
		}
	} else if err != nil {
		s.Reason = err.Error()
	}
	in.rec.Signature = s
}

// idempotency notes what the request's idempotency key did.
func (in *inspection) idempotency(key string, replayed bool, err error) {
	if in == nil {
		return
	}
	in.rec.IdempotencyKey = key
	switch {
	case replayed && err == nil:
		in.rec.IdempotencyResult = inspector.IdempotencyReplayed
	case errcode.Is(err, errcode.Conflict), errcode.Is(err, errcode.Unprocessable):
		in.rec.IdempotencyResult = inspector.IdempotencyConflict
	case err == nil:
		in.rec.IdempotencyResult = inspector.IdempotencyFirst
	}
}

// errorFields notes the failing fields an error answer names.
func (in *inspection) errorFields(fields []errcode.FieldError) {
	if in != nil && len(fields) > 0 {
		in.rec.ValidationErrors = append([]errcode.FieldError(nil), fields...)
	}
}

// NoteFault records, on the inspector's record of the request ctx
// belongs to, that a fault was injected into it ("latency 2s", "status
// 503", "connection closed"): a sandbox fault rule calls it. It does
// nothing when the request is not recorded.
func NoteFault(ctx context.Context, what string) {
	if in := inspectionFrom(ctx); in != nil {
		if in.rec.Fault != "" {
			in.rec.Fault += "; "
		}
		in.rec.Fault += what
	}
}

// inspectRequests records the API requests of sandbox organizations
// (rec, when the inspector is on): it wraps the pipeline, so that what
// the pipeline refuses (a bad signature, a validation error) is recorded
// as it was answered.
func inspectRequests(rec *inspector.Recorder, now func() time.Time) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			req := c.Request()
			if IsInfra(req.URL.Path) {
				return next(c)
			}
			received := now()
			in := &inspection{start: time.Now()}
			in.rec.ReceivedAt = received
			in.rec.Method, in.rec.Path, in.rec.Query = req.Method, req.URL.Path, req.URL.RawQuery // as sent: validation adds defaults
			c.SetRequest(req.WithContext(context.WithValue(req.Context(), inspectionKey, in)))
			res := c.Response()
			tee := &teeWriter{ResponseWriter: res.Writer, in: in}
			res.Writer = tee
			err := next(c)
			if err != nil && in.recording() {
				c.Error(err) // answer now, so that the record holds the answer
			}
			res.Writer = tee.ResponseWriter
			if !in.recording() {
				return err
			}
			r := &in.rec
			r.ID = inspector.NewID(received) // ordered by arrival
			r.RequestID = res.Header().Get(echo.HeaderXRequestID)
			r.Status = res.Status
			if r.IdempotencyKey == "" {
				r.IdempotencyKey = idempotencyKey(req) // refused before the key was looked at
			}
			r.Latency = time.Since(in.start)
			r.RequestHeader = req.Header.Clone()
			r.ResponseHeader = res.Header().Clone()
			r.ResponseBody = tee.body.Bytes()
			r.ResponseBodySize = tee.size
			rec.Capture(r)
			return err
		}
	}
}

// teeWriter keeps the first inspector.BodyLimit bytes of the answer of a
// recorded request.
type teeWriter struct {
	http.ResponseWriter
	in   *inspection
	body bytes.Buffer
	size int64
}

func (w *teeWriter) Write(b []byte) (int, error) {
	if w.in.recording() {
		if room := inspector.BodyLimit - w.body.Len(); room > 0 {
			w.body.Write(b[:min(room, len(b))])
		}
		w.size += int64(len(b))
	}
	return w.ResponseWriter.Write(b)
}

// Flush implements http.Flusher (the live tail flushes each event).
func (w *teeWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap lets http.ResponseController reach the connection.
func (w *teeWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// sandboxOrg is the calling organization when the inspector can serve
// it: NotFound for production organizations and when it is off.
func (s *Server) inspectorOrg(ctx context.Context) (auth.Organization, error) {
	p, ok := principalFrom(ctx)
	if !ok {
		return auth.Organization{}, errcode.New(errcode.Unauthenticated, "not authenticated")
	}
	if !p.Org.Sandbox {
		return auth.Organization{}, errcode.New(errcode.NotFound, "not found: the sandbox controls exist for sandbox organizations only")
	}
	if s.Inspector == nil {
		return auth.Organization{}, errcode.New(errcode.NotFound, "not found: the request inspector is off on this server (OPENVEST_INSPECTOR_ENABLED=false)")
	}
	return p.Org, nil
}

// ListInspectedRequests implements GET /v1/sandbox/requests.
func (s *Server) ListInspectedRequests(ctx context.Context, req api.ListInspectedRequestsRequestObject) (api.ListInspectedRequestsResponseObject, error) {
	org, err := s.inspectorOrg(ctx)
	if err != nil {
		return nil, err
	}
	p := req.Params
	f := inspector.Filter{
		Status: valueOf(p.Status), Path: valueOf(p.Path), OperationID: valueOf(p.OperationId), IdempotencyKey: valueOf(p.IdempotencyKey),
		RequestID: valueOf(p.RequestId), Limit: 20,
	}
	if p.From != nil {
		f.From = *p.From
	}
	if p.To != nil {
		f.To = *p.To
	}
	if p.Limit != nil {
		f.Limit = int(*p.Limit)
	}
	if p.Cursor != nil {
		if f.Before, err = decodeInspectorCursor(*p.Cursor); err != nil {
			return nil, err
		}
	}
	want := f.Limit
	f.Limit++ // one more tells whether another page follows
	recs, err := s.Inspector.Records(ctx, org.ID, f)
	if err != nil {
		return nil, err
	}
	out := api.ListInspectedRequests200JSONResponse{Code: 200, Message: "Success", Data: make([]api.InspectedRequestSummary, 0, min(len(recs), want))}
	if len(recs) > want {
		recs = recs[:want]
		next := base64.RawURLEncoding.EncodeToString([]byte("ir1." + recs[want-1].ID.String()))
		out.Pagination = api.InspectedRequestPagination{HasMore: true, NextCursor: &next}
	}
	for i := range recs {
		out.Data = append(out.Data, inspectedSummary(&recs[i]))
	}
	return out, nil
}

func decodeInspectorCursor(c string) (uuid.UUID, error) {
	bad := errcode.New(errcode.Invalid, "cursor: not a cursor of this list; pass pagination.nextCursor of the previous page as it was")
	bad.Fields = []errcode.FieldError{{Field: "cursor", In: "query", Message: "must be the pagination.nextCursor of a previous page"}}
	raw, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return uuid.UUID{}, bad
	}
	rest, ok := strings.CutPrefix(string(raw), "ir1.")
	if !ok {
		return uuid.UUID{}, bad
	}
	id, err := uuid.Parse(rest)
	if err != nil {
		return uuid.UUID{}, bad
	}
	return id, nil
}

// GetInspectedRequest implements GET /v1/sandbox/requests/{inspectedRequestId}.
func (s *Server) GetInspectedRequest(ctx context.Context, req api.GetInspectedRequestRequestObject) (api.GetInspectedRequestResponseObject, error) {
	org, err := s.inspectorOrg(ctx)
	if err != nil {
		return nil, err
	}
	r, err := s.Inspector.Record(ctx, org.ID, uuid.UUID(req.InspectedRequestId))
	if err != nil {
		return nil, err
	}
	return api.GetInspectedRequest200JSONResponse{Code: 200, Message: "Success", Data: inspectedDetail(&r)}, nil
}

// StreamInspectedRequests implements GET /v1/sandbox/requests/stream.
func (s *Server) StreamInspectedRequests(ctx context.Context, req api.StreamInspectedRequestsRequestObject) (api.StreamInspectedRequestsResponseObject, error) {
	org, err := s.inspectorOrg(ctx)
	if err != nil {
		return nil, err
	}
	p := req.Params
	timeout := 300 * time.Second
	if p.Timeout != nil {
		timeout = time.Duration(*p.Timeout) * time.Second
	}
	f := inspector.Filter{Status: valueOf(p.Status), Path: valueOf(p.Path), OperationID: valueOf(p.OperationId), IdempotencyKey: valueOf(p.IdempotencyKey)}
	hub := s.Inspector.Hub()
	return inspectorStream{ctx: ctx, sub: hub.Subscribe(org.ID, f), done: hub.Done(), timeout: timeout}, nil
}

// keepAlive is how often an idle live tail sends a comment line.
const keepAlive = 15 * time.Second

// inspectorStream writes the live tail as Server-Sent Events until the
// client leaves, the timeout passes or the server shuts down.
type inspectorStream struct {
	ctx     context.Context
	sub     *inspector.Subscription
	done    <-chan struct{} // the server is shutting down
	timeout time.Duration
}

func (st inspectorStream) VisitStreamInspectedRequestsResponse(w http.ResponseWriter) error {
	defer st.sub.Close()
	rc := http.NewResponseController(w)
	_ = rc.SetWriteDeadline(time.Time{}) // the server's write timeout does not end a stream; timeout does
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	if _, err := fmt.Fprint(w, ": connected\n\n"); err != nil {
		return nil
	}
	if rc.Flush() != nil {
		return nil
	}
	end := time.NewTimer(st.timeout)
	defer end.Stop()
	tick := time.NewTicker(keepAlive)
	defer tick.Stop()
	for {
		var chunk []byte
		select {
		case <-st.ctx.Done():
			return nil
		case <-st.done:
			return nil
		case <-end.C:
			return nil
		case <-tick.C:
			chunk = []byte(": keep-alive\n\n")
		case r := <-st.sub.C:
			data, err := json.Marshal(inspectedSummary(&r))
			if err != nil {
				return nil
			}
			chunk = []byte("id: " + r.ID.String() + "\nevent: request\ndata: " + string(data) + "\n\n")
		}
		if _, err := w.Write(chunk); err != nil {
			return nil // the client left
		}
		if rc.Flush() != nil {
			return nil
		}
	}
}

func inspectedSummary(r *inspector.Record) api.InspectedRequestSummary {
	out := api.InspectedRequestSummary{
		Id: r.ID, RequestId: r.RequestID, ReceivedAt: r.ReceivedAt.UTC().Truncate(time.Millisecond),
		Method: r.Method, Path: r.Path, Query: r.Query, Route: optional(r.Route), OperationId: optional(r.OperationID),
		Status: r.Status, LatencyMs: float64(r.Latency.Microseconds()) / 1000,
		Signature:     inspectedSignature(r.Signature, false),
		ContentDigest: api.InspectedRequestSummaryContentDigest(r.ContentDigest),
		Idempotency:   api.InspectedIdempotency{Outcome: api.InspectedIdempotencyOutcome(r.IdempotencyResult), Key: optional(r.IdempotencyKey)},
		FaultInjected: optional(r.Fault),
	}
	return out
}

func inspectedSignature(s inspector.Signature, full bool) api.InspectedSignature {
	out := api.InspectedSignature{Verdict: api.InspectedSignatureVerdict(s.Verdict), KeyId: optional(s.KeyID), Form: optional(s.Form), Reason: optional(s.Reason)}
	if full {
		out.Base = optional(s.Base)
		if s.Components != nil {
			out.Components = &s.Components
		}
	}
	return out
}

func inspectedDetail(r *inspector.Record) api.InspectedRequest {
	sum := inspectedSummary(r)
	out := api.InspectedRequest{
		Id: sum.Id, RequestId: sum.RequestId, ReceivedAt: sum.ReceivedAt, Method: sum.Method, Path: sum.Path, Query: sum.Query,
		Route: sum.Route, OperationId: sum.OperationId, Status: sum.Status, LatencyMs: sum.LatencyMs,
		Signature: inspectedSignature(r.Signature, true), ContentDigest: api.InspectedRequestContentDigest(r.ContentDigest),
		Idempotency: sum.Idempotency, FaultInjected: sum.FaultInjected,
		RequestHeaders: orEmpty(r.RequestHeaders), ResponseHeaders: orEmpty(r.ResponseHeaders),
		RequestBodySize: r.RequestBodySize, RequestBodyTruncated: r.RequestBodyTruncated,
		ResponseBodySize: r.ResponseBodySize, ResponseBodyTruncated: r.ResponseBodyTruncated,
		ValidationErrors: make([]api.FieldError, 0, len(r.ValidationErrors)),
	}
	reqBody, reqEnc := bodyText(r.RequestBody)
	out.RequestBody = reqBody
	if reqEnc != "" {
		e := api.InspectedRequestRequestBodyEncoding(reqEnc)
		out.RequestBodyEncoding = &e
	}
	resBody, resEnc := bodyText(r.ResponseBody)
	out.ResponseBody = resBody
	if resEnc != "" {
		e := api.InspectedRequestResponseBodyEncoding(resEnc)
		out.ResponseBodyEncoding = &e
	}
	for _, fe := range r.ValidationErrors {
		item := api.FieldError{Field: fe.Field, Message: fe.Message}
		if fe.In != "" {
			in := api.FieldErrorIn(fe.In)
			item.In = &in
		}
		out.ValidationErrors = append(out.ValidationErrors, item)
	}
	return out
}

// bodyText is a body as JSON text: as is when it is UTF-8, else base64
// (with its encoding named); nil when empty.
func bodyText(b []byte) (*string, string) {
	if len(b) == 0 {
		return nil, ""
	}
	if utf8.Valid(b) {
		s := string(b)
		return &s, ""
	}
	s := base64.StdEncoding.EncodeToString(b)
	return &s, "base64"
}

func orEmpty(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}

func valueOf[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}
