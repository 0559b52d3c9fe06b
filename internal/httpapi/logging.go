package httpapi

import (
	"context"
	"log/slog"
	"sync"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"github.com/openvest/openvest/internal/telemetry"
)

// requestLogger is the logger of the request, carrying its id.
func requestLogger(c echo.Context, fallback *slog.Logger) *slog.Logger {
	if l, ok := c.Request().Context().Value(loggerKey).(*lazyLogger); ok {
		return l.get()
	}
	return fallback.With("request_id", requestID(c))
}

// LoggerFrom returns the request logger stored in ctx, or fallback.
func LoggerFrom(ctx context.Context, fallback *slog.Logger) *slog.Logger {
	if l, ok := ctx.Value(loggerKey).(*lazyLogger); ok {
		return l.get()
	}
	return fallback
}

// lazyLogger is the request's logger, made on first use: most requests log
// nothing but their access line, and slog's With formats its attributes
// when it is called (a JSON handler's pre-formatting was an allocation-heavy
// step of every request).
type lazyLogger struct {
	once  sync.Once
	base  *slog.Logger
	attrs []any
	l     *slog.Logger
}

func (z *lazyLogger) get() *slog.Logger {
	z.once.Do(func() { z.l = z.base.With(z.attrs...) })
	return z.l
}

// withRequestLogger stores a logger carrying the request id in the request context.
func withRequestLogger(log *slog.Logger) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			l := &lazyLogger{base: log, attrs: append([]any{"request_id", requestID(c)}, telemetry.LogAttrs(c.Request().Context())...)}
			c.SetRequest(c.Request().WithContext(context.WithValue(c.Request().Context(), loggerKey, l)))
			return next(c)
		}
	}
}

// accessLog logs one structured line per request.
func accessLog(log *slog.Logger) echo.MiddlewareFunc {
	return middleware.RequestLoggerWithConfig(middleware.RequestLoggerConfig{
		LogStatus: true, LogLatency: true, LogMethod: true, LogURIPath: true, LogRequestID: true, LogError: true, HandleError: true,
		LogValuesFunc: func(c echo.Context, v middleware.RequestLoggerValues) error {
			level := slog.LevelInfo
			if v.Status >= 500 {
				level = slog.LevelError
			}
			if !log.Enabled(c.Request().Context(), level) {
				return nil // below OPENVEST_LOG_LEVEL: build no attributes
			}
			log.LogAttrs(c.Request().Context(), level, "request", append([]slog.Attr{
				slog.String("request_id", v.RequestID), slog.String("method", v.Method), slog.String("path", v.URIPath),
				slog.Int("status", v.Status), slog.Float64("latency_ms", float64(v.Latency.Microseconds())/1000)}, callerAttrs(c)...)...)
			return nil
		},
	})
}
