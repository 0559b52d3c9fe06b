package httpapi

import (
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/routers"
	"github.com/labstack/echo/v4"
)

// routeIndex finds a request's spec operation from the route Echo already
// matched (the generated handlers are registered under the spec's paths,
// {name} written :name), instead of trying the spec's paths one regular
// expression after another (gorillamux, ~60 allocations on a customer
// read). It answers only where the two routers agree by construction: a
// matched Echo route of a spec operation, a path without escaped
// characters (the spec router matches the escaped path), and path
// parameters that are one non-empty segment (Echo's last parameter also
// takes an empty value or the rest of a longer path:
// /v1/customers/12/nothing is its GET customer "12/nothing"); for anything
// else the pipeline asks the spec router, whose errors (404, 405) it
// renders. TestRouteIndexAgreesWithTheSpecRouter compares them on every
// operation.
type routeIndex map[string]*routers.Route

func newRouteIndex(doc *openapi3.T) routeIndex {
	idx := routeIndex{}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			idx[method+" "+echoPath(path)] = &routers.Route{Spec: doc, Path: path, PathItem: item, Method: method, Operation: op}
		}
	}
	return idx
}

// echoPath writes a spec path template as Echo's: /v1/customers/{customerId} → /v1/customers/:customerId.
func echoPath(path string) string {
	var b strings.Builder
	for {
		i := strings.IndexByte(path, '{')
		j := strings.IndexByte(path, '}')
		if i < 0 || j < i {
			b.WriteString(path)
			return b.String()
		}
		b.WriteString(path[:i])
		b.WriteByte(':')
		b.WriteString(path[i+1 : j])
		path = path[j+1:]
	}
}

// find returns the request's operation and path parameters; ok is false
// when the spec router must decide.
func (idx routeIndex) find(c echo.Context) (*routers.Route, map[string]string, bool) {
	req := c.Request()
	if req.URL.RawPath != "" {
		return nil, nil, false
	}
	route, found := idx[req.Method+" "+c.Path()]
	if !found {
		return nil, nil, false
	}
	names, values := c.ParamNames(), c.ParamValues()
	params := make(map[string]string, len(names))
	for i, n := range names {
		if values[i] == "" || strings.IndexByte(values[i], '/') >= 0 {
			return nil, nil, false
		}
		params[n] = values[i]
	}
	return route, params, true
}
