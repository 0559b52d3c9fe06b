package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers/gorillamux"
	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"github.com/openvest/openvest/internal/idempotency"
	"github.com/stretchr/testify/require"
)

// directTx runs fn as is: a 5xx response is never stored, so the
// idempotency service does not reach its repository.
type directTx struct{}

func (directTx) WithTx(ctx context.Context, fn func(ctx context.Context) error) error { return fn(ctx) }

// TestInternalErrorUnderIdempotencyKeyQuotesTheRequestID: a 500 written
// through the idempotency recorder quotes the id of its X-Request-Id
// header, and the log line carries the same id.
func TestInternalErrorUnderIdempotencyKeyQuotesTheRequestID(t *testing.T) {
	t.Parallel()
	var logs strings.Builder
	log := slog.New(slog.NewJSONHandler(&logs, nil))
	svc := idempotency.NewService(nil, directTx{}, time.Now, time.Hour)
	e := echo.New()
	e.HTTPErrorHandler = errorHandler(log, time.Now)
	e.Use(sanitizeRequestID, middleware.RequestIDWithConfig(middleware.RequestIDConfig{Generator: newRequestID}), withRequestLogger(log))
	e.POST("/v1/customers", func(c echo.Context) error {
		return withIdempotency(c, svc, 1, nil, func(echo.Context) error { return errors.New("boom") })
	})

	doc, err := Spec()
	require.NoError(t, err)
	doc.Servers = nil
	router, err := gorillamux.NewRouter(doc)
	require.NoError(t, err)

	for _, callerID := range []string{"", "caller-id-1", strings.Repeat("x", 200)} {
		req := httptest.NewRequest(http.MethodPost, "/v1/customers", nil)
		if callerID != "" {
			req.Header.Set(echo.HeaderXRequestID, callerID)
		}
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, req)
		require.Equal(t, http.StatusInternalServerError, rec.Code)
		id := rec.Header().Get(echo.HeaderXRequestID)
		require.NotEmpty(t, id)
		if callerID == "caller-id-1" {
			require.Equal(t, callerID, id)
		} else {
			require.NotEqual(t, callerID, id)
		}
		var body struct {
			Message string `json:"message"`
		}
		require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &body))
		require.Equal(t, "internal error; quote request id "+id+" when reporting it", body.Message)
		require.Contains(t, logs.String(), `"request_id":"`+id+`"`)

		// The answer is the spec's.
		route, params, err := router.FindRoute(req)
		require.NoError(t, err)
		in := &openapi3filter.ResponseValidationInput{
			RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route},
			Status:                 rec.Code, Header: rec.Header(), Options: &openapi3filter.Options{IncludeResponseStatus: true},
		}
		in.SetBodyBytes(rec.Body.Bytes())
		require.NoError(t, openapi3filter.ValidateResponse(context.Background(), in))
	}
}

// TestClientGoneIsNot500: a handler that fails because its client closed
// the request (the context is cancelled) is logged as 499 at info level,
// not as an internal error, while an unexpected error stays a 500.
func TestClientGoneIsNot500(t *testing.T) {
	t.Parallel()
	var logs strings.Builder
	log := slog.New(slog.NewJSONHandler(&logs, nil))
	e := echo.New()
	e.HTTPErrorHandler = errorHandler(log, time.Now)
	e.Use(sanitizeRequestID, middleware.RequestIDWithConfig(middleware.RequestIDConfig{Generator: newRequestID}), withRequestLogger(log))
	e.GET("/v1/customers", func(c echo.Context) error {
		return fmt.Errorf("list customers of organization 1: %w", c.Request().Context().Err())
	})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/v1/customers", nil).WithContext(ctx))
	require.Equal(t, statusClientClosedRequest, rec.Code)
	require.Empty(t, rec.Body.String())
	require.Contains(t, logs.String(), `"level":"INFO","msg":"client closed the request before its answer"`)
	require.NotContains(t, logs.String(), "internal error")

	// A cancellation the client did not cause (its context is live) is still a 500.
	e.GET("/v1/accounts", func(echo.Context) error { return fmt.Errorf("read: %w", context.Canceled) })
	rec = httptest.NewRecorder()
	e.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/v1/accounts", nil))
	require.Equal(t, http.StatusInternalServerError, rec.Code)
	require.Contains(t, logs.String(), "internal error")
}
