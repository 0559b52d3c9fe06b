package httpapi

import (
	_ "embed"
	"net/http"

	"github.com/labstack/echo/v4"
)

// inspectorPagePath serves the request inspector's page.
const inspectorPagePath = "/inspector"

// inspectorPage is the request inspector in a browser: sign in with a
// sandbox organization's credentials, list and filter its requests, open
// one, follow the live tail. One file, no CDN: it works offline.
//
//go:embed docs/inspector.html
var inspectorPage []byte

func registerInspectorPage(e *echo.Echo) {
	e.GET(inspectorPagePath, func(c echo.Context) error {
		c.Response().Header().Set(echo.HeaderCacheControl, "no-cache")
		return c.Blob(http.StatusOK, "text/html; charset=utf-8", inspectorPage)
	})
}
