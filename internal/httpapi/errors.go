package httpapi

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/openvest/openvest/gen/api"
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
type apiError struct {
	Status  int
	Message string
	Fields  []errcode.FieldError
	Header  http.Header
	// SignatureBase is the signature base the server computed, shown to
	// sandbox organizations when their signature is refused.
	SignatureBase string
}

func (e *apiError) Error() string { return fmt.Sprintf("%d %s", e.Status, e.Message) }

func newAPIError(status int, format string, args ...any) *apiError {
	return &apiError{Status: status, Message: fmt.Sprintf(format, args...)}
}

// errorHandler renders every error in the error shape of the surface the
// path belongs to. Anything unexpected is logged with the request id and
// answered 500 without internals.
func errorHandler(log *slog.Logger) echo.HTTPErrorHandler {
	return func(err error, c echo.Context) {
		if c.Response().Committed {
			return
		}
		ae := toAPIError(err)
		if ae.Status >= 500 {
			requestLogger(c, log).Error("internal error", "error", err.Error(), "method", c.Request().Method, "path", c.Request().URL.Path)
			ae.Message = "internal error; quote request id " + requestID(c) + " when reporting it"
			ae.Fields = nil
		}
		for k, vs := range ae.Header {
			for _, v := range vs {
				c.Response().Header().Add(k, v)
			}
		}
		if werr := renderError(c, ae); werr != nil {
			requestLogger(c, log).Error("write error response", "error", werr.Error())
		}
	}
}

func toAPIError(err error) *apiError {
	var ae *apiError
	if errors.As(err, &ae) {
		return ae
	}
	if de, ok := errcode.As(err); ok {
		return &apiError{Status: statusOf[de.Code], Message: de.Message, Fields: de.Fields}
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
// under /v1 and as RFC 9457 problem+json elsewhere.
func renderError(c echo.Context, ae *apiError) error {
	if isInvesting(c.Request().URL.Path) {
		body := api.Error{Code: ae.Status, Message: ae.Message}
		if ae.SignatureBase != "" {
			body.SignatureBase = &ae.SignatureBase
		}
		if len(ae.Fields) > 0 {
			fields := make([]api.FieldError, len(ae.Fields))
			for i, f := range ae.Fields {
				fields[i] = api.FieldError{Field: f.Field, Message: f.Message}
				if f.In != "" {
					in := api.FieldErrorIn(f.In)
					fields[i].In = &in
				}
			}
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
	if len(ae.Fields) > 0 {
		errs := make([]map[string]string, len(ae.Fields))
		for i, f := range ae.Fields {
			errs[i] = map[string]string{"field": f.Field, "detail": f.Message}
		}
		problem["errors"] = errs
	}
	c.Response().Header().Set(echo.HeaderContentType, "application/problem+json")
	c.Response().WriteHeader(ae.Status)
	return jsonEncode(c.Response(), problem)
}

func isInvesting(path string) bool { return path == "/v1" || strings.HasPrefix(path, "/v1/") }
