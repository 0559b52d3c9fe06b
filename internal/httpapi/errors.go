package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/openvest/openvest/gen/api"
	"github.com/openvest/openvest/internal/dberr"
	"github.com/openvest/openvest/internal/errcode"
)

// statusOf maps domain error codes to HTTP statuses (the same on every surface).
var statusOf = map[errcode.Code]int{
	errcode.Invalid:         http.StatusBadRequest,
	errcode.Unauthenticated: http.StatusUnauthorized,
	errcode.Forbidden:       http.StatusForbidden,
	errcode.NotFound:        http.StatusNotFound,
	errcode.Conflict:        http.StatusConflict,
	errcode.Unprocessable:   http.StatusUnprocessableEntity,
}

// apiError is an error ready to render: a status, a message and the fields.
// Reason is the domain's machine-readable cause, shown by surfaces whose
// error shape has one (wallet); empty means the status's default.
type apiError struct {
	Status  int
	Message string
	Fields  []errcode.FieldError
	Header  http.Header
	// SignatureBase is the signature base the server computed, shown to
	// sandbox organizations when their signature is refused.
	SignatureBase string
	Reason        string
}

func (e *apiError) Error() string { return fmt.Sprintf("%d %s", e.Status, e.Message) }

func newAPIError(status int, format string, args ...any) *apiError {
	return &apiError{Status: status, Message: fmt.Sprintf(format, args...)}
}

// errorHandler renders every error in the error shape of the surface the
// path belongs to. Anything unexpected is logged with the request id and
// answered 500 without internals. now stamps the wallet shape's timestamp.
func errorHandler(log *slog.Logger, now func() time.Time) echo.HTTPErrorHandler {
	return func(err error, c echo.Context) {
		if c.Response().Committed {
			return
		}
		if clientGone(c, err) {
			// Nobody reads the answer: say so in the log and the metrics
			// (499, as proxies record it) instead of counting a 500.
			requestLogger(c, log).Info("client closed the request before its answer", "method", c.Request().Method, "path", c.Request().URL.Path)
			c.Response().WriteHeader(statusClientClosedRequest)
			return
		}
		ae := toAPIError(err)
		if ae.Status == http.StatusInternalServerError && dberr.Unavailable(err) {
			requestLogger(c, log).Warn("database unavailable", "error", err.Error(), "method", c.Request().Method, "path", c.Request().URL.Path)
			ae = unavailableError()
			ae.Message += "; request id " + requestID(c)
		} else if ae.Status >= 500 {
			requestLogger(c, log).Error("internal error", "error", err.Error(), "method", c.Request().Method, "path", c.Request().URL.Path)
			ae.Message = "internal error; quote request id " + requestID(c) + " when reporting it"
			ae.Fields, ae.Reason = nil, ""
		}
		inspectionFrom(c.Request().Context()).errorFields(ae.Fields)
		for k, vs := range ae.Header {
			for _, v := range vs {
				c.Response().Header().Add(k, v)
			}
		}
		if werr := renderError(c, ae, now()); werr != nil {
			requestLogger(c, log).Error("write error response", "error", werr.Error())
		}
	}
}

// statusClientClosedRequest is the status logged for a request whose
// client went away before the answer (nginx's 499): no client sees it.
const statusClientClosedRequest = 499

// clientGone reports whether err is the cancellation of a request whose
// client closed the connection.
func clientGone(c echo.Context, err error) bool {
	return errors.Is(err, context.Canceled) && errors.Is(c.Request().Context().Err(), context.Canceled)
}

func toAPIError(err error) *apiError {
	var ae *apiError
	if errors.As(err, &ae) {
		return ae
	}
	if de, ok := errcode.As(err); ok {
		return &apiError{Status: statusOf[de.Code], Message: de.Message, Fields: de.Fields, Reason: de.Reason}
	}
	var he *echo.HTTPError
	if errors.As(err, &he) {
		msg := http.StatusText(he.Code)
		if m, ok := he.Message.(string); ok && m != "" {
			msg = m
		}
		return &apiError{Status: he.Code, Message: msg}
	}
	return &apiError{Status: http.StatusInternalServerError, Message: err.Error()}
}

// renderError writes ae in the investing shape `{code, message, errors}`
// under /v1, in the wallet shape `{error, message, statusCode, timestamp,
// errors}` under /counterparty, and as RFC 9457 problem+json elsewhere.
func renderError(c echo.Context, ae *apiError, at time.Time) error {
	path := c.Request().URL.Path
	if isWallet(path) {
		body := api.WalletError{Error: walletReason(ae), Message: ae.Message, StatusCode: ae.Status, Timestamp: at.UTC()}
		if ae.SignatureBase != "" {
			body.SignatureBase = &ae.SignatureBase
		}
		if len(ae.Fields) > 0 {
			fields := apiFieldErrors(ae.Fields)
			body.Errors = &fields
		}
		return c.JSON(ae.Status, body)
	}
	if isInvesting(path) {
		body := api.Error{Code: ae.Status, Message: ae.Message}
		if ae.SignatureBase != "" {
			body.SignatureBase = &ae.SignatureBase
		}
		if len(ae.Fields) > 0 {
			fields := apiFieldErrors(ae.Fields)
			body.Errors = &fields
		}
		return c.JSON(ae.Status, body)
	}
	problem := map[string]any{
		"type":   "about:blank",
		"title":  http.StatusText(ae.Status),
		"status": ae.Status,
		"detail": ae.Message,
	}
	if ae.SignatureBase != "" {
		problem["signature_base"] = ae.SignatureBase
	}
	// errors carries, besides RFC 9457's members, the banking source API's
	// own error list {errors: [{code, description}]}: one item per failing
	// field, or one for the error itself.
	code := walletReason(ae)
	errs := []map[string]string{{"code": code, "description": ae.Message}}
	if len(ae.Fields) > 0 {
		errs = make([]map[string]string, len(ae.Fields))
		for i, f := range ae.Fields {
			errs[i] = map[string]string{"code": code, "description": f.Field + ": " + f.Message, "field": f.Field, "detail": f.Message}
		}
	}
	problem["errors"] = errs
	c.Response().Header().Set(echo.HeaderContentType, "application/problem+json")
	c.Response().WriteHeader(ae.Status)
	return jsonEncode(c.Response(), problem)
}

func apiFieldErrors(in []errcode.FieldError) []api.FieldError {
	fields := make([]api.FieldError, len(in))
	for i, f := range in {
		fields[i] = api.FieldError{Field: f.Field, Message: f.Message}
		if f.In != "" {
			in := api.FieldErrorIn(f.In)
			fields[i].In = &in
		}
	}
	return fields
}

func isInvesting(path string) bool { return path == "/v1" || strings.HasPrefix(path, "/v1/") }

func isWallet(path string) bool {
	return path == "/counterparty" || strings.HasPrefix(path, "/counterparty/")
}

// walletReasonOf is the machine-readable error code of a status (the wallet
// shape's `error`, a problem's `errors[].code`), when the domain gave no
// finer reason.
var walletReasonOf = map[int]string{
	http.StatusBadRequest:            "VALIDATION_ERROR",
	http.StatusUnauthorized:          "UNAUTHORIZED",
	http.StatusForbidden:             "FORBIDDEN",
	http.StatusNotFound:              "NOT_FOUND",
	http.StatusMethodNotAllowed:      "METHOD_NOT_ALLOWED",
	http.StatusConflict:              "CONFLICT",
	http.StatusRequestEntityTooLarge: "PAYLOAD_TOO_LARGE",
	http.StatusUnsupportedMediaType:  "UNSUPPORTED_MEDIA_TYPE",
	http.StatusUnprocessableEntity:   "UNPROCESSABLE_ENTITY",
	http.StatusTooManyRequests:       "TOO_MANY_REQUESTS",
	http.StatusInternalServerError:   "INTERNAL_ERROR",
	http.StatusServiceUnavailable:    "SERVICE_UNAVAILABLE",
}

func walletReason(ae *apiError) string {
	if ae.Reason != "" {
		return ae.Reason
	}
	if r, ok := walletReasonOf[ae.Status]; ok {
		return r
	}
	return strings.ToUpper(strings.ReplaceAll(http.StatusText(ae.Status), " ", "_"))
}

// jsonEncode writes v as JSON.
func jsonEncode(w io.Writer, v any) error {
	return json.NewEncoder(w).Encode(v)
}
