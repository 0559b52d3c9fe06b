package httpapi

import (
	_ "embed"
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/swaggest/swgui"
	"github.com/swaggest/swgui/v5emb"
)

// openvestJS is the page's additions to Swagger UI: idempotency keys,
// Content-Digest, in-browser signing, the client-credentials form and ids
// carried between calls (README, Swagger UI).
//
//go:embed docs/openvest.js
var openvestJS []byte

// registerDocs serves Swagger UI at /docs/ from the assets inside the
// binary, with openvest.js loaded around it.
func registerDocs(e *echo.Echo) {
	ui := v5emb.NewHandlerWithConfig(swgui.Config{
		Title:       "Openvest API",
		SwaggerJSON: "/openapi.json",
		BasePath:    "/docs/",
		AppendHead:  `<script src="/docs/openvest.js"></script>`,
		SettingsUI: map[string]string{
			"persistAuthorization":   "true",
			"requestInterceptor":     "openvest.requestInterceptor",
			"responseInterceptor":    "openvest.responseInterceptor",
			"plugins":                "[SwaggerUIBundle.plugins.DownloadUrl, openvest.plugin]",
			"displayRequestDuration": "true",
		},
	})
	e.GET("/docs", func(c echo.Context) error { return c.Redirect(http.StatusMovedPermanently, "/docs/") })
	assets := echo.WrapHandler(ui)
	e.GET("/docs/*", func(c echo.Context) error {
		if c.Request().URL.Path == "/docs/openvest.js" {
			c.Response().Header().Set(echo.HeaderCacheControl, "no-cache")
			return c.Blob(http.StatusOK, "text/javascript; charset=utf-8", openvestJS)
		}
		return assets(c)
	})
}
