package httpapi

import (
	"crypto/rand"
	"encoding/hex"

	"github.com/labstack/echo/v4"
)

// maxRequestIDLen is the longest caller's X-Request-Id that is kept.
const maxRequestIDLen = 128

// sanitizeRequestID drops a caller's X-Request-Id that is longer than 128
// characters or not visible ASCII, so that the request id middleware
// replaces it with one of ours instead of echoing it (into logs, headers
// and error messages).
func sanitizeRequestID(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Request().Header
		if id := h.Get(echo.HeaderXRequestID); id != "" && (len(id) > maxRequestIDLen || !visibleASCII(id)) {
			h.Del(echo.HeaderXRequestID)
		}
		return next(c)
	}
}

func newRequestID() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
