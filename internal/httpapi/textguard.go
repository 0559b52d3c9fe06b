package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/routers"
	"github.com/labstack/echo/v4"
	"github.com/openvest/openvest/internal/errcode"
)

// Rules on text that hold on every surface, checked before authentication
// and before the spec's own validation, so that nothing a database cannot
// store (PostgreSQL refuses NUL and invalid UTF-8 in text) ever reaches one,
// and nothing malformed is silently dropped or reinterpreted:
//
//   - every query parameter, path parameter, form field and JSON string
//     (keys included) is valid UTF-8, without NUL and, in JSON, without
//     lone UTF-16 surrogates (`\ud800`);
//   - every percent-escape in the query and in a form body is well formed;
//   - a query parameter the operation declares has a value (`?limit=` is
//     refused: omit the parameter instead);
//   - an integer path parameter is plain digits (no sign, no spaces);
//   - a form body has only the fields its schema lists when the schema
//     forbids others;
//   - a JSON body is one JSON value, with nothing after it.
const (
	ruleNUL       = "must not contain NUL (U+0000)"
	ruleUTF8      = "must be valid UTF-8"
	ruleSurrogate = "must not contain a lone UTF-16 surrogate (\\ud800-\\udfff)"
	ruleEscape    = "has a malformed percent-escape"
)

func init() {
	// kin-openapi checks dates with a pattern that admits 1990-02-30:
	// check that the day exists.
	openapi3.DefineStringFormatValidator("date", openapi3.NewCallbackValidator(func(s string) error {
		if _, err := time.Parse(time.DateOnly, s); err != nil {
			return errors.New("is not a calendar date (YYYY-MM-DD, a day that exists)")
		}
		return nil
	}))
	openapi3.DefineStringFormatValidator("date-time", openapi3.NewCallbackValidator(func(s string) error {
		if _, err := time.Parse(time.RFC3339Nano, s); err != nil {
			return errors.New("is not an RFC 3339 date-time (a day and time that exist, with a zone)")
		}
		return nil
	}))
}

// checkText applies the rules above to a request whose route is known.
func checkText(req *http.Request, route *routers.Route, pathParams map[string]string, body []byte) error {
	var fields []errcode.FieldError
	add := func(field, in, rule string) {
		fields = append(fields, errcode.FieldError{Field: field, In: in, Message: rule})
	}
	params := operationParams(route)

	for name, v := range pathParams {
		// The router matches the escaped path: the parameters are escaped.
		v, err := url.PathUnescape(v)
		if err != nil {
			add(name, "path", ruleEscape)
			continue
		}
		if r := textRule(v); r != "" {
			add(name, "path", r)
			continue
		}
		if p := params["path\x00"+name]; p != nil && p.Schema != nil && p.Schema.Value != nil && p.Schema.Value.Type.Is("integer") && signed(v) {
			add(name, "path", "must be an integer written with digits only (no sign, spaces or other characters)")
		}
	}

	for _, f := range splitForm(req.URL.RawQuery) {
		name := f.name
		if f.err != "" {
			add(name, "query", f.err)
			continue
		}
		if f.value == "" && params["query\x00"+name] != nil {
			add(name, "query", "must not be empty: give a value or omit the parameter")
		}
	}

	for _, h := range idempotencyKeyHeaders {
		if key := req.Header.Get(h); key != "" {
			if r := idempotencyKeyRule(key); r != "" {
				add(h, "header", r)
			}
		}
	}
	if v := req.Header.Get("X-Client-Id"); v != "" && !visibleASCII(v) {
		add("X-Client-Id", "header", "must be visible ASCII")
	}

	if len(body) > 0 && route.Operation.RequestBody != nil && route.Operation.RequestBody.Value != nil {
		mt, _, _ := mime.ParseMediaType(req.Header.Get(echo.HeaderContentType))
		switch {
		case mt == echo.MIMEApplicationForm:
			fields = append(fields, checkFormBody(body, route.Operation.RequestBody.Value.Content.Get(mt))...)
		case mt == echo.MIMEApplicationJSON || strings.HasSuffix(mt, "+json"):
			if !jsonTextClean(body) {
				fields = append(fields, checkJSONText(body)...)
			}
		}
	}
	if len(fields) == 0 {
		return nil
	}
	return fieldsError(fields)
}

// fieldsError is a 400 naming each failing field and its rule.
func fieldsError(fields []errcode.FieldError) *apiError {
	parts := make([]string, len(fields))
	for i, f := range fields {
		parts[i] = f.Field + ": " + f.Message
	}
	noun := "error"
	if len(fields) > 1 {
		noun = "errors"
	}
	return &apiError{
		Status:  http.StatusBadRequest,
		Message: fmt.Sprintf("request validation failed (%d %s): %s", len(fields), noun, strings.Join(parts, "; ")),
		Fields:  fields,
	}
}

// operationParams indexes the operation's parameters (and its path's) by
// "in\x00name", once per operation (the spec does not change; callers only
// read the index).
func operationParams(route *routers.Route) map[string]*openapi3.Parameter {
	if route.Operation == nil {
		return indexParams(route)
	}
	if m, ok := paramIndexes.Load(route.Operation); ok {
		return m.(map[string]*openapi3.Parameter)
	}
	m := indexParams(route)
	paramIndexes.Store(route.Operation, m)
	return m
}

// paramIndexes are operationParams' indexes by *openapi3.Operation.
var paramIndexes sync.Map

func indexParams(route *routers.Route) map[string]*openapi3.Parameter {
	out := map[string]*openapi3.Parameter{}
	var lists []openapi3.Parameters
	if route.PathItem != nil {
		lists = append(lists, route.PathItem.Parameters)
	}
	if route.Operation != nil {
		lists = append(lists, route.Operation.Parameters)
	}
	for _, ps := range lists {
		for _, p := range ps {
			if p != nil && p.Value != nil {
				out[p.Value.In+"\x00"+p.Value.Name] = p.Value
			}
		}
	}
	return out
}

// textRule is the rule s breaks, or "".
func textRule(s string) string {
	if !utf8.ValidString(s) {
		return ruleUTF8
	}
	if strings.IndexByte(s, 0) >= 0 {
		return ruleNUL
	}
	return ""
}

// signed reports whether s is an integer with a sign (which the spec's
// parser would take); other non-integers are left to the spec's validation.
func signed(s string) bool {
	_, err := strconv.ParseInt(s, 10, 64)
	return err == nil && (s[0] == '+' || s[0] == '-')
}

func visibleASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x21 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

// idempotencyKeyRule is the rule an idempotency key breaks, or "": the
// same on every surface (the database stores 1 to 255 characters).
func idempotencyKeyRule(key string) string {
	switch {
	case len(key) > 255:
		return fmt.Sprintf("must be at most 255 characters (it has %d)", len(key))
	case !visibleASCII(key):
		return "must be visible ASCII (no spaces or control characters)"
	}
	return ""
}

// formField is one name=value pair of a query or form body, decoded, with
// the rule it breaks (err) if any.
type formField struct {
	name, value, err string
}

// splitForm decodes a query or form body pair by pair, keeping what
// url.ParseQuery drops: a pair with a malformed escape.
func splitForm(raw string) []formField {
	var out []formField
	for raw != "" {
		var pair string
		pair, raw, _ = strings.Cut(raw, "&")
		if pair == "" {
			continue
		}
		rawName, rawValue, _ := strings.Cut(pair, "=")
		f := formField{}
		name, nerr := url.QueryUnescape(rawName)
		value, verr := url.QueryUnescape(rawValue)
		switch {
		case nerr != nil:
			f.name, f.err = rawName, ruleEscape
		case verr != nil:
			f.name, f.err = name, ruleEscape
		default:
			f.name, f.value = name, value
		}
		if f.err == "" {
			if r := textRule(name); r != "" {
				f.name, f.err = strconv.QuoteToASCII(name), r
			} else if r := textRule(value); r != "" {
				f.err = r
			}
		} else if !utf8.ValidString(f.name) || strings.IndexByte(f.name, 0) >= 0 {
			f.name = strconv.QuoteToASCII(f.name)
		}
		out = append(out, f)
	}
	return out
}

// checkFormBody checks a form body's text and, when its schema forbids
// other properties, its field names.
func checkFormBody(body []byte, mt *openapi3.MediaType) []errcode.FieldError {
	var schema *openapi3.Schema
	if mt != nil && mt.Schema != nil {
		schema = mt.Schema.Value
	}
	var out []errcode.FieldError
	for _, f := range splitForm(string(body)) {
		if f.err != "" {
			out = append(out, errcode.FieldError{Field: f.name, In: "body", Message: f.err})
			continue
		}
		if schema != nil && schema.AdditionalProperties.Has != nil && !*schema.AdditionalProperties.Has {
			if _, ok := schema.Properties[f.name]; !ok {
				out = append(out, errcode.FieldError{Field: f.name, In: "body", Message: fmt.Sprintf("property %q is unsupported", f.name)})
			}
		}
	}
	return out
}

// jsonTextClean reports that checkJSONText would find nothing in body, in
// one pass that allocates nothing: one JSON value and nothing after it
// (json.Valid), valid UTF-8, and no \u escape of a NUL or of a surrogate
// (an escaped backslash followed by such text, or a well-formed surrogate
// pair, also sends the body to checkJSONText, which tells them apart).
// checkJSONText's walk boxes every token: 40 of a purchase's allocations.
// FuzzJSONTextClean checks that a body it passes is one the walk passes.
func jsonTextClean(body []byte) bool {
	if !utf8.Valid(body) || !json.Valid(body) {
		return false
	}
	for rest := body; ; {
		i := bytes.Index(rest, []byte(`\u`))
		if i < 0 {
			return true
		}
		r, ok := hex4(rest, i+2)
		if !ok || r == 0 || r >= 0xd800 && r <= 0xdfff {
			return false
		}
		rest = rest[i+2:]
	}
}

// checkJSONText walks a JSON body token by token and checks the raw text of
// every string (keys included): valid UTF-8, no \u0000, no lone surrogate;
// and that nothing follows the value. A body that is not JSON is left to
// the spec's validation, which names the syntax error.
func checkJSONText(body []byte) []errcode.FieldError {
	type frame struct {
		obj     bool
		wantKey bool
		key     string
		idx     int
	}
	var (
		out   []errcode.FieldError
		stack []frame
		prev  int64
	)
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	path := func(last string) string {
		var b strings.Builder
		for i, f := range stack {
			if i == len(stack)-1 && last != "" {
				break
			}
			if f.obj {
				if b.Len() > 0 {
					b.WriteByte('.')
				}
				b.WriteString(f.key)
			} else {
				fmt.Fprintf(&b, "[%d]", f.idx)
			}
		}
		if last != "" {
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(last)
		}
		if b.Len() == 0 {
			return "body"
		}
		return b.String()
	}
	advance := func() {
		if n := len(stack); n > 0 {
			if stack[n-1].obj {
				stack[n-1].wantKey = true
			} else {
				stack[n-1].idx++
			}
		}
	}
	for {
		tok, err := dec.Token()
		if err != nil {
			return out // io.EOF at the end of an empty body, or a syntax error
		}
		off := dec.InputOffset()
		raw := body[prev:off]
		prev = off
		switch v := tok.(type) {
		case json.Delim:
			switch v {
			case '{':
				stack = append(stack, frame{obj: true, wantKey: true})
			case '[':
				stack = append(stack, frame{})
			default:
				stack = stack[:len(stack)-1]
				advance()
			}
		case string:
			if n := len(stack); n > 0 && stack[n-1].obj && stack[n-1].wantKey {
				if r := jsonStringRule(raw); r != "" {
					out = append(out, errcode.FieldError{Field: path(strconv.QuoteToASCII(v)), In: "body", Message: "property name " + r})
				}
				stack[n-1].key, stack[n-1].wantKey = v, false
				continue
			}
			if r := jsonStringRule(raw); r != "" {
				out = append(out, errcode.FieldError{Field: path(""), In: "body", Message: r})
			}
			advance()
		default:
			advance()
		}
		if len(stack) == 0 {
			break
		}
	}
	rest := bytes.TrimLeft(body[dec.InputOffset():], " \t\r\n")
	if len(rest) > 0 {
		out = append(out, errcode.FieldError{Field: "body", In: "body", Message: "must be one JSON value with nothing after it (found more data after the value)"})
	}
	return out
}

// jsonStringRule checks the raw bytes of one JSON string token (with what
// precedes it: whitespace, ':' or ','): the rule it breaks, or "".
func jsonStringRule(raw []byte) string {
	if !utf8.Valid(raw) {
		return ruleUTF8
	}
	for i := 0; i < len(raw); i++ {
		if raw[i] != '\\' || i+1 >= len(raw) {
			continue
		}
		if raw[i+1] != 'u' {
			i++ // a two-character escape: skip its second byte (\\ or \")
			continue
		}
		r, ok := hex4(raw, i+2)
		if !ok {
			return "" // a syntax error the decoder has already refused
		}
		i += 5
		switch {
		case r == 0:
			return ruleNUL
		case r >= 0xd800 && r <= 0xdbff:
			// A high surrogate must be followed by a low one.
			if i+6 < len(raw) && raw[i+1] == '\\' && raw[i+2] == 'u' {
				if lo, ok := hex4(raw, i+3); ok && lo >= 0xdc00 && lo <= 0xdfff {
					i += 6
					continue
				}
			}
			return ruleSurrogate
		case r >= 0xdc00 && r <= 0xdfff:
			return ruleSurrogate
		}
	}
	return ""
}

func hex4(b []byte, at int) (rune, bool) {
	if at+4 > len(b) {
		return 0, false
	}
	n, err := strconv.ParseUint(string(b[at:at+4]), 16, 32)
	if err != nil {
		return 0, false
	}
	return rune(n), true
}
