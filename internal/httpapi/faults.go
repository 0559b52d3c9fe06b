package httpapi

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/labstack/echo/v4"
	"github.com/openvest/openvest/internal/auth"
	"github.com/openvest/openvest/internal/sandbox"
)

// faultKey carries the fault rule applied to a request in its context.
const faultKey ctxKey = 100

// FaultHeader names the rule that injected a fault into a response.
const FaultHeader = "Openvest-Fault-Rule"

// InjectedFault is the fault rule applied to a request: its id and
// action. The request inspector records it.
type InjectedFault struct {
	RuleID int64
	Action sandbox.Action
}

// FaultFrom returns the fault injected into the request of ctx, if any.
func FaultFrom(ctx context.Context) (InjectedFault, bool) {
	f, ok := ctx.Value(faultKey).(InjectedFault)
	return f, ok
}

// faultControls are the operations no rule may match: the controls that
// remove rules, and the reset, must keep working.
var faultControls = map[string]bool{
	"createSandboxFault": true, "listSandboxFaults": true, "deleteSandboxFault": true, "resetSandbox": true,
}

// faultInjector applies the request fault rules of sandbox organizations,
// after authentication, the signature and validation and before
// idempotency and the handler: an injected failure writes nothing, not
// even an idempotency record. Requests of other organizations, and of
// sandbox organizations without rules, cost a field test or a map look-up.
type faultInjector struct {
	faults *sandbox.Service
	now    func() time.Time
}

// inject applies the first matching rule. handled is true when the
// response is the fault's (status, closed connection, timeout): the
// request goes no further.
func (f *faultInjector) inject(c echo.Context, org auth.Organization, op *openapi3.Operation, pathTemplate string) (handled bool, err error) {
	if f == nil || f.faults == nil || !org.Sandbox || faultControls[op.OperationID] {
		return false, nil
	}
	req := c.Request()
	rule, ok, err := f.faults.Apply(req.Context(), org.ID, func(r sandbox.Rule) bool {
		return r.MatchesRequest(op.OperationID, req.Method, pathTemplate)
	})
	if err != nil || !ok {
		return false, err
	}
	c.SetRequest(req.WithContext(context.WithValue(req.Context(), faultKey, InjectedFault{RuleID: rule.ID, Action: rule.Action})))
	req = c.Request()
	NoteFault(req.Context(), faultNote(rule))
	c.Response().Header().Set(FaultHeader, strconv.FormatInt(rule.ID, 10))
	switch rule.Action {
	case sandbox.Latency:
		t := time.NewTimer(rule.Latency)
		defer t.Stop()
		select {
		case <-t.C:
		case <-req.Context().Done():
		}
		return false, nil
	case sandbox.Status:
		msg := rule.Message
		if msg == "" {
			msg = fmt.Sprintf("injected by fault rule %d: %d %s", rule.ID, rule.Status, http.StatusText(rule.Status))
		}
		if rule.Status == http.StatusTooManyRequests || rule.Status == http.StatusServiceUnavailable {
			c.Response().Header().Set("Retry-After", "1")
		}
		// Rendered here, not returned: the error handler would replace
		// the message of a 5xx with a generic one.
		return true, renderError(c, &apiError{Status: rule.Status, Message: msg}, f.now())
	case sandbox.Timeout:
		t := time.NewTimer(rule.Latency)
		defer t.Stop()
		select {
		case <-t.C:
		case <-req.Context().Done():
		}
		closeConnection(c)
		return true, nil
	case sandbox.Close:
		closeConnection(c)
		return true, nil
	}
	return false, nil
}

// faultNote is what the request inspector records of an injected fault.
func faultNote(r sandbox.Rule) string {
	switch r.Action {
	case sandbox.Latency:
		return fmt.Sprintf("fault rule %d: latency %s", r.ID, r.Latency)
	case sandbox.Status:
		return fmt.Sprintf("fault rule %d: status %d", r.ID, r.Status)
	case sandbox.Timeout:
		return fmt.Sprintf("fault rule %d: timeout (held up to %s, then the connection closed)", r.ID, r.Latency)
	}
	return fmt.Sprintf("fault rule %d: connection closed without an answer", r.ID)
}

// closeConnection ends the request without an answer: the connection is
// hijacked and closed, or (HTTP/2, a writer that cannot be hijacked) the
// server aborts the stream.
func closeConnection(c echo.Context) {
	if conn, _, err := http.NewResponseController(c.Response().Writer).Hijack(); err == nil {
		_ = conn.Close()
		return
	}
	panic(http.ErrAbortHandler)
}

// operationIndex knows the spec's operations: by operationId, and by
// method and path template, with the statuses each documents.
type operationIndex struct {
	byID   map[string]specOperation
	byPath map[string]string // "METHOD path" → operationId
	events map[string]bool   // the webhook event names (WebhookEventType)
}

type specOperation struct {
	method, path string
	statuses     []int
}

func newOperationIndex(doc *openapi3.T) *operationIndex {
	ix := &operationIndex{byID: map[string]specOperation{}, byPath: map[string]string{}, events: map[string]bool{}}
	if ref := doc.Components.Schemas["WebhookEventType"]; ref != nil && ref.Value != nil {
		for _, v := range ref.Value.Enum {
			if name, ok := v.(string); ok {
				ix.events[name] = true
			}
		}
	}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			var statuses []int
			for code := range op.Responses.Map() {
				if n, err := strconv.Atoi(code); err == nil {
					statuses = append(statuses, n)
				}
			}
			slices.Sort(statuses)
			ix.byID[op.OperationID] = specOperation{method: method, path: path, statuses: statuses}
			ix.byPath[method+" "+path] = op.OperationID
		}
	}
	return ix
}

// check validates the operation and status a request rule names against
// the spec: Invalid naming the field.
func (ix *operationIndex) check(r *sandbox.Rule) error {
	if r.Target == sandbox.Webhook && r.Event != "" && !ix.events[r.Event] {
		return fieldError("event", fmt.Sprintf("%q is not a webhook event (WebhookEventType: CUSTOMER.CREATED, REQUEST.UPDATED, …)", r.Event))
	}
	if r.Target != sandbox.Request {
		return nil
	}
	id := r.OperationID
	if id != "" {
		if _, ok := ix.byID[id]; !ok {
			return fieldError("operationId", "must be the operationId of an operation of this API (see /openapi.json)")
		}
	} else if r.Method != "" && r.Path != "" {
		var ok bool
		if id, ok = ix.byPath[r.Method+" "+r.Path]; !ok {
			return fieldError("path", fmt.Sprintf("no operation %s %s: give the path template as the API document writes it, as in /v1/customers/{customerId}", r.Method, r.Path))
		}
	} else {
		return nil // the domain names what is missing
	}
	if faultControls[id] {
		return fieldError("operationId", fmt.Sprintf("%s cannot be matched: the fault controls and the reset always work", id))
	}
	if r.Action == sandbox.Status && r.Status != 0 {
		op := ix.byID[id]
		if !slices.Contains(op.statuses, r.Status) || r.Status < 400 {
			codes := make([]string, 0, len(op.statuses))
			for _, s := range op.statuses {
				if s >= 400 {
					codes = append(codes, strconv.Itoa(s))
				}
			}
			return fieldError("status", fmt.Sprintf("%s documents the error statuses %s; answer one of them", id, strings.Join(codes, ", ")))
		}
	}
	return nil
}
