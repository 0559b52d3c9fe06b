package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand"
	"net/http"
	"net/url"
	"os"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
	"github.com/google/uuid"
	"github.com/openvest/openvest/internal/apitest"
	"github.com/openvest/openvest/internal/httpapi"
	"github.com/stretchr/testify/require"
)

// TestSchemaFuzz sends, for every operation of the bundled spec, requests
// generated from its schemas (valid ones, and the same mutated: wrong
// types, missing and extra fields, NUL, invalid UTF-8 and lone surrogates,
// huge and odd numbers, malformed JSON and escapes, wrong content types,
// odd query and path parameters) to a real server on PostgreSQL as a
// sandbox organization. Every response is validated against the spec (the
// env's client does it: an undocumented status or a body off its schema
// fails the test); a 5xx fails it, and so does a 2xx to input the spec
// forbids.
//
// `make test` runs OPENVEST_FUZZ_ROUNDS=1 round per operation with seed 1;
// `make fuzz` runs more rounds with a random seed (printed, to replay).
func TestSchemaFuzz(t *testing.T) {
	t.Parallel()
	seed, rounds := int64(1), 1
	if v := os.Getenv("OPENVEST_FUZZ_SEED"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		require.NoError(t, err, "OPENVEST_FUZZ_SEED")
		seed = n
	}
	if v := os.Getenv("OPENVEST_FUZZ_ROUNDS"); v != "" {
		n, err := strconv.Atoi(v)
		require.NoError(t, err, "OPENVEST_FUZZ_ROUNDS")
		rounds = n
	}
	t.Logf("schema fuzz: seed %d, %d rounds (OPENVEST_FUZZ_SEED, OPENVEST_FUZZ_ROUNDS)", seed, rounds)

	for _, db := range []string{"postgres", "sqlite"} {
		t.Run(db, func(t *testing.T) {
			t.Parallel()
			opts := apitest.Options{}
			if db == "sqlite" {
				opts.DatabaseURL = "sqlite://" + t.TempDir() + "/fuzz.db"
			}
			fuzzServer(t, apitest.Start(t, opts), seed, rounds)
		})
	}
}

func fuzzServer(t *testing.T, env *apitest.Env, seed int64, rounds int) {
	tn := env.NewTenant(t, apitest.TenantOptions{Sandbox: true})
	f := newFuzzer(t, tn, seed)

	ops := f.operations()
	require.NotEmpty(t, ops)
	sent := 0
	for round := 0; round < rounds; round++ {
		for _, op := range ops {
			for _, m := range mutations {
				if t.Failed() && f.failures > 20 {
					t.Fatalf("stopping after %d failures (seed %d)", f.failures, seed)
				}
				fr, ok := f.build(op, m)
				if !ok {
					continue
				}
				f.send(t, op, fr)
				sent++
			}
		}
	}
	t.Logf("schema fuzz: %d requests over %d operations; statuses %v", sent, len(ops), f.statuses)
}

// fuzzOp is one operation of the spec.
type fuzzOp struct {
	method, path string
	op           *openapi3.Operation
	item         *openapi3.PathItem
}

// fuzzRequest is one request to send, and whether the spec forbids it.
type fuzzRequest struct {
	mutation    string
	path, query string
	header      http.Header
	body        []byte
	forbidden   bool // by construction: the spec (or its common text rules) refuses it
}

type fuzzer struct {
	t        *testing.T
	tn       *apitest.Tenant
	r        *rand.Rand
	doc      *openapi3.T
	router   routers.Router
	fixtures map[string]string
	failures int
	statuses map[int]int
}

func newFuzzer(t *testing.T, tn *apitest.Tenant, seed int64) *fuzzer {
	doc, err := httpapi.Spec()
	require.NoError(t, err)
	doc.Servers = nil
	router, err := gorillamux.NewRouter(doc)
	require.NoError(t, err)
	f := &fuzzer{t: t, tn: tn, r: rand.New(rand.NewSource(seed)), doc: doc, router: router, fixtures: map[string]string{}, statuses: map[int]int{}}
	f.makeFixtures()
	return f
}

// makeFixtures creates one of each resource that path parameters name, so
// that generated requests reach past the 404s.
func (f *fuzzer) makeFixtures() {
	t, tn := f.t, f.tn
	id := createCustomer(t, tn, customerOpts{})
	f.fixtures["customerId"] = strconv.FormatInt(id, 10)
	accounts := items(t, tn.Do(t, "GET", path("/v1/accounts?customerId=%d", id), nil))
	require.NotEmpty(t, accounts)
	f.fixtures["accountId"] = fmt.Sprint(int64(accounts[0]["accountId"].(float64)))
	portfolios := items(t, tn.Do(t, "GET", path("/v1/portfolio?customerId=%d", id), nil))
	require.NotEmpty(t, portfolios)
	f.fixtures["portfolioId"] = fmt.Sprint(int64(portfolios[0]["portfolioId"].(float64)))
	f.fixtures["symbol"] = "AAPL"
	cp := newCounterparty(t, tn, "Fuzz")
	f.fixtures["counterparty_guid"] = cp
	f.fixtures["customer_guid"] = newWalletCustomer(t, tn, cp, nil)["customer_guid"].(string)
	res := tn.Do(t, "POST", "/applications", map[string]any{"type": "INDIVIDUAL", "email": "fuzz@example.com"})
	require.Equal(t, http.StatusCreated, res.Status, "%s", res.Body)
	f.fixtures["application"] = res.Map(t)["id"].(string)
}

// operations lists the spec's operations in a fixed order.
func (f *fuzzer) operations() []fuzzOp {
	var out []fuzzOp
	paths := f.doc.Paths.InMatchingOrder()
	sort.Strings(paths)
	for _, p := range paths {
		item := f.doc.Paths.Value(p)
		for _, m := range []string{"GET", "POST", "PUT", "PATCH", "DELETE"} {
			if op := item.GetOperation(m); op != nil {
				out = append(out, fuzzOp{method: m, path: p, op: op, item: item})
			}
		}
	}
	return out
}

// mutations are applied to a valid request, one at a time.
var mutations = []string{
	"valid", "valid-minimal", "drop-required", "extra-field", "wrong-type", "nul", "invalid-utf8", "surrogate",
	"huge-number", "odd-number", "malformed-json", "trailing-json", "wrong-content-type", "empty-body",
	"long-string", "oversize-body", "body-on-bodyless",
	"query-empty", "query-bad-escape", "query-nul", "query-odd", "path-signed", "path-odd", "idempotency-key-odd",
}

// build makes the request of op under mutation m; false when m does not
// apply to op.
func (f *fuzzer) build(op fuzzOp, m string) (fuzzRequest, bool) {
	fr := fuzzRequest{mutation: m, header: http.Header{}}
	params := map[string]*openapi3.Parameter{}
	for _, list := range []openapi3.Parameters{op.item.Parameters, op.op.Parameters} {
		for _, p := range list {
			params[p.Value.In+":"+p.Value.Name] = p.Value
		}
	}
	// Path.
	pathParams := map[string]string{}
	var pathNames []string
	for _, p := range params {
		if p.In == "path" {
			pathParams[p.Name] = url.PathEscape(f.paramValue(op, p))
			pathNames = append(pathNames, p.Name)
		}
	}
	sort.Strings(pathNames)
	switch m {
	case "path-signed", "path-odd":
		var ints []string
		for _, n := range pathNames {
			if s := params["path:"+n].Schema; m == "path-odd" || (s != nil && s.Value.Type.Is("integer")) {
				ints = append(ints, n)
			}
		}
		if len(ints) == 0 {
			return fr, false
		}
		n := ints[f.r.Intn(len(ints))]
		if m == "path-signed" {
			pathParams[n] = "+" + pathParams[n]
		} else {
			pathParams[n] = []string{"%00", "%FF", "%C3%28", strings.Repeat("9", 40), "-1", "0", "1e3", "%20", strings.Repeat("a", 2000)}[f.r.Intn(9)]
		}
		fr.forbidden = m == "path-signed" || strings.Contains(pathParams[n], "%00") || strings.Contains(pathParams[n], "%FF") || strings.Contains(pathParams[n], "%C3")
	}
	fr.path = op.path
	for n, v := range pathParams {
		fr.path = strings.ReplaceAll(fr.path, "{"+n+"}", v)
	}

	// Query.
	var query []string
	var queryNames []string
	for _, p := range params {
		if p.In == "query" {
			queryNames = append(queryNames, p.Name)
		}
	}
	sort.Strings(queryNames)
	for _, n := range queryNames {
		p := params["query:"+n]
		if !p.Required && (m == "valid-minimal" || f.r.Intn(2) == 0) {
			continue
		}
		query = append(query, url.QueryEscape(n)+"="+url.QueryEscape(f.scalar(p.Schema.Value, f.paramValue(op, p))))
	}
	switch m {
	case "query-empty", "query-bad-escape", "query-nul", "query-odd":
		if len(queryNames) == 0 {
			return fr, false
		}
		n := queryNames[f.r.Intn(len(queryNames))]
		v := map[string]string{"query-empty": "", "query-bad-escape": "%zz", "query-nul": "a%00b"}[m]
		if m == "query-odd" {
			v = []string{"%FF", "99999999999999999999999", "-1", "1e400", "NaN", "true,false", strings.Repeat("x", 5000), "%E2%80%AE", "0x10"}[f.r.Intn(9)]
		}
		query = append(query, url.QueryEscape(n)+"="+v)
		fr.forbidden = m != "query-odd" || v == "%FF"
	}
	fr.query = strings.Join(query, "&")

	// Headers.
	if m == "idempotency-key-odd" {
		if op.method == "GET" {
			return fr, false
		}
		fr.header.Set("X-Idempotency-Key", []string{strings.Repeat("k", 256), "a b", "k\xff", "ключ"}[f.r.Intn(4)])
		fr.forbidden = true
	} else if op.method != "GET" {
		fr.header.Set("X-Idempotency-Key", uuid.NewString())
	}

	// Body.
	rb := op.op.RequestBody
	bodyMutation := map[string]bool{"drop-required": true, "extra-field": true, "wrong-type": true, "nul": true, "invalid-utf8": true, "surrogate": true,
		"huge-number": true, "odd-number": true, "malformed-json": true, "trailing-json": true, "wrong-content-type": true, "empty-body": true,
		"long-string": true, "oversize-body": true}[m]
	if m == "oversize-body" {
		fr.header.Set("Content-Type", "application/json")
		fr.body = append(append([]byte(`{"a":"`), bytes.Repeat([]byte("x"), 1<<20)...), `"}`...)
		fr.forbidden = true
		return fr, true
	}
	if rb == nil {
		if m == "body-on-bodyless" {
			fr.header.Set("Content-Type", "application/json")
			fr.body = []byte(`{"a":"\u0000"}`)
			return fr, true
		}
		return fr, !bodyMutation
	}
	if m == "body-on-bodyless" {
		return fr, false
	}
	ct := "application/json"
	mt := rb.Value.Content.Get(ct)
	if mt == nil {
		for k, v := range rb.Value.Content {
			ct, mt = k, v
		}
	}
	fr.header.Set("Content-Type", ct)
	v := f.value(mt.Schema.Value, 0, m == "valid-minimal")
	if obj, ok := v.(map[string]any); ok {
		// Real ids and credentials, so that valid requests get past 404 and 401.
		for _, k := range []string{"customerId", "accountId", "portfolioId"} {
			if _, ok := obj[k]; ok {
				n, _ := strconv.ParseInt(f.fixtures[k], 10, 64)
				obj[k] = n
			}
		}
		if strings.EqualFold(op.op.OperationID, "createToken") {
			obj["clientId"], obj["clientSecret"] = f.tn.Org.ClientID, f.tn.ClientSecret
		}
	}
	switch m {
	case "drop-required", "extra-field", "wrong-type", "nul", "invalid-utf8", "surrogate", "huge-number", "odd-number", "long-string":
		obj, ok := v.(map[string]any)
		if !ok {
			return fr, false
		}
		if !f.mutateObject(obj, mt.Schema.Value, m, &fr) {
			return fr, false
		}
	}
	if ct == "application/x-www-form-urlencoded" {
		form := url.Values{}
		if obj, ok := v.(map[string]any); ok {
			for k, x := range obj {
				form.Set(k, fmt.Sprint(x))
			}
		}
		fr.body = []byte(form.Encode())
		if m == "malformed-json" {
			fr.body, fr.forbidden = append(fr.body, "&x=%"...), true
		}
		return fr, !map[string]bool{"trailing-json": true, "surrogate": true}[m]
	}
	data, err := json.Marshal(v)
	require.NoError(f.t, err)
	data = f.rawReplace(data, &fr)
	switch m {
	case "malformed-json":
		data, fr.forbidden = []byte([]string{`{"a":`, `{"a" 1}`, `[`, `{"a":"\x"}`, `nul`, `{"a":1,}`, `{'a':1}`}[f.r.Intn(7)]), true
	case "trailing-json":
		data, fr.forbidden = append(data, []string{"}", " {}", "x", "\n1"}[f.r.Intn(4)]...), true
	case "wrong-content-type":
		fr.header.Set("Content-Type", []string{"text/plain", "application/xml", "multipart/form-data; boundary=x", "application/json;;"}[f.r.Intn(4)])
		fr.forbidden = true
	case "empty-body":
		data = nil
		fr.forbidden = rb.Value.Required
	}
	fr.body = data
	return fr, true
}

// Placeholders that rawReplace turns into raw JSON text json.Marshal
// cannot write.
const (
	phInvalidUTF8 = "\u2603INVALID-UTF8\u2603"
	phSurrogate   = "\u2603SURROGATE\u2603"
	phHuge        = "\u2603HUGE\u2603"
)

func (f *fuzzer) rawReplace(data []byte, fr *fuzzRequest) []byte {
	data = bytes.ReplaceAll(data, []byte(phInvalidUTF8), []byte("a\xff\xfeb"))
	data = bytes.ReplaceAll(data, []byte(phSurrogate), []byte(`a\ud800b`))
	huge := []string{"1e400", "-1e400", "123456789012345678901234567890", "1e-400", "0.0000000000000000000001", "-0", "1E+2", "9223372036854775808"}[f.r.Intn(8)]
	data = bytes.ReplaceAll(data, []byte(`"`+phHuge+`"`), []byte(huge))
	return data
}

// mutateObject changes one field of obj (a value of schema s) by mutation m.
func (f *fuzzer) mutateObject(obj map[string]any, s *openapi3.Schema, m string, fr *fuzzRequest) bool {
	props := flatten(s)
	switch m {
	case "drop-required":
		req := requiredOf(s)
		if len(req) == 0 {
			return false
		}
		delete(obj, req[f.r.Intn(len(req))])
		return true
	case "extra-field":
		obj["zzUnknown"+strconv.Itoa(f.r.Intn(100))] = "x"
		return true
	}
	names := sortedKeys(obj)
	if len(names) == 0 {
		return false
	}
	var strs, nums []string
	for _, n := range names {
		if p, ok := props[n]; ok && p.Value != nil {
			if p.Value.Type.Is("string") || len(p.Value.AllOf) > 0 {
				strs = append(strs, n)
			}
			if p.Value.Type.Is("number") || p.Value.Type.Is("integer") {
				nums = append(nums, n)
			}
		}
	}
	switch m {
	case "wrong-type":
		n := names[f.r.Intn(len(names))]
		obj[n] = []any{map[string]any{"x": 1}, []any{1, "a"}, true, 12345, "str"}[f.r.Intn(5)]
	case "long-string":
		if len(strs) == 0 {
			return false
		}
		obj[strs[f.r.Intn(len(strs))]] = strings.Repeat("ü", 5000+f.r.Intn(50000))
	case "nul", "invalid-utf8", "surrogate":
		if len(strs) == 0 {
			return false
		}
		n := strs[f.r.Intn(len(strs))]
		obj[n] = map[string]string{"nul": "a\x00b", "invalid-utf8": phInvalidUTF8, "surrogate": phSurrogate}[m]
		fr.forbidden = true
	case "huge-number", "odd-number":
		if len(nums) == 0 {
			return false
		}
		n := nums[f.r.Intn(len(nums))]
		if m == "huge-number" {
			obj[n] = phHuge
		} else {
			obj[n] = []any{json.Number("1.5"), json.Number("-1"), json.Number("0"), json.Number("100.123456789"), json.Number("1e2"), "12"}[f.r.Intn(6)]
		}
	}
	return true
}

// flatten returns an object schema's properties, through allOf.
func flatten(s *openapi3.Schema) openapi3.Schemas {
	out := openapi3.Schemas{}
	for k, v := range s.Properties {
		out[k] = v
	}
	for _, a := range s.AllOf {
		for k, v := range flatten(a.Value) {
			out[k] = v
		}
	}
	return out
}

func requiredOf(s *openapi3.Schema) []string {
	req := append([]string(nil), s.Required...)
	for _, a := range s.AllOf {
		req = append(req, requiredOf(a.Value)...)
	}
	sort.Strings(req)
	return req
}

func sortedKeys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// paramValue is a valid value of a parameter: a fixture for ids that name
// one, else the parameter's example or a value of its schema.
func (f *fuzzer) paramValue(op fuzzOp, p *openapi3.Parameter) string {
	name := p.Name
	if p.In == "path" && name == "id" {
		if strings.HasPrefix(op.path, "/applications") || strings.HasPrefix(op.path, "/sandbox/applications") {
			return f.fixtures["application"]
		}
	}
	if v, ok := f.fixtures[name]; ok && p.In == "path" {
		return v
	}
	if p.Example != nil {
		return fmt.Sprint(p.Example)
	}
	if p.Schema == nil {
		return "x"
	}
	return f.scalar(p.Schema.Value, "")
}

// scalar renders a parameter value of schema s (arrays as one item).
func (f *fuzzer) scalar(s *openapi3.Schema, given string) string {
	if given != "" {
		return given
	}
	v := f.value(s, 0, false)
	if a, ok := v.([]any); ok {
		if len(a) == 0 {
			return "x"
		}
		v = a[0]
	}
	return fmt.Sprint(v)
}

// value generates a value of schema s.
func (f *fuzzer) value(s *openapi3.Schema, depth int, minimal bool) any {
	if s.Example != nil && f.r.Intn(3) != 0 {
		return s.Example
	}
	if len(s.Enum) > 0 {
		return s.Enum[f.r.Intn(len(s.Enum))]
	}
	if len(s.OneOf) > 0 {
		return f.value(s.OneOf[f.r.Intn(len(s.OneOf))].Value, depth+1, minimal)
	}
	if len(s.AnyOf) > 0 {
		return f.value(s.AnyOf[f.r.Intn(len(s.AnyOf))].Value, depth+1, minimal)
	}
	if len(s.AllOf) > 0 && len(s.Properties) == 0 {
		if len(s.AllOf) == 1 {
			return f.value(s.AllOf[0].Value, depth+1, minimal)
		}
		out := map[string]any{}
		for _, a := range s.AllOf {
			if m, ok := f.value(a.Value, depth+1, minimal).(map[string]any); ok {
				for k, v := range m {
					out[k] = v
				}
			}
		}
		return out
	}
	switch {
	case s.Type.Is("object") || len(s.Properties) > 0:
		out := map[string]any{}
		req := map[string]bool{}
		for _, r := range s.Required {
			req[r] = true
		}
		for _, k := range sortedSchemaKeys(s.Properties) {
			p := s.Properties[k]
			if p.Value.ReadOnly || (!req[k] && (minimal || depth > 3 || f.r.Intn(2) == 0)) {
				continue
			}
			out[k] = f.value(p.Value, depth+1, minimal)
		}
		return out
	case s.Type.Is("array"):
		n := int(s.MinItems)
		if n == 0 && !minimal {
			n = 1
		}
		out := make([]any, 0, n)
		for i := 0; i < n && s.Items != nil; i++ {
			out = append(out, f.value(s.Items.Value, depth+1, minimal))
		}
		return out
	case s.Type.Is("integer"):
		lo := 1.0
		if s.Min != nil {
			lo = *s.Min
		}
		return int64(lo) + int64(f.r.Intn(3))
	case s.Type.Is("number"):
		lo := 1.0
		if s.Min != nil {
			lo = *s.Min
		}
		return json.Number(strconv.FormatFloat(lo+float64(f.r.Intn(100))+0.5, 'f', -1, 64))
	case s.Type.Is("boolean"):
		return f.r.Intn(2) == 0
	case s.Type.Is("string"):
		switch s.Format {
		case "date":
			return "1990-01-15"
		case "date-time":
			return time.Now().UTC().Format(time.RFC3339)
		case "uuid":
			return uuid.NewString()
		case "email":
			return "fuzz@example.com"
		case "byte":
			return "SGVsbG8="
		case "uri":
			return "https://example.com/hook"
		}
		v := "Fuzz"
		for uint64(len(v)) < s.MinLength {
			v += "z"
		}
		return v
	}
	return "x"
}

func sortedSchemaKeys(m openapi3.Schemas) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// send sends fr and checks the answer.
func (f *fuzzer) send(t *testing.T, op fuzzOp, fr fuzzRequest) {
	target := fr.path
	if fr.query != "" {
		target += "?" + fr.query
	}
	var body any
	if fr.body != nil {
		body = fr.body
	}
	forbidden := fr.forbidden || f.specRefuses(op, target, fr)
	hdr := fr.header.Clone()
	if hdr.Get("Content-Type") == "" {
		hdr.Set("Content-Type", "")
	}
	res := f.tn.DoWith(t, op.method, target, body, apitest.Call{Unsigned: true, NoIdempotencyKey: true, Header: hdr})
	f.statuses[res.Status]++
	fail := ""
	switch {
	case res.Status >= 500:
		fail = "a 5xx"
	case forbidden && res.Status < 300:
		fail = "a 2xx to input the spec forbids"
	}
	if strings.EqualFold(op.op.OperationID, "revokeToken") && res.Status < 300 {
		f.tn.Token = f.tn.NewToken(t) // it may have revoked the fuzzer's own token
	}
	if fail != "" {
		f.failures++
		t.Errorf("%s %s (%s): %s: %d %s\nrequest body: %q", op.method, target, fr.mutation, fail, res.Status, res.Body, fr.body)
	}
}

// specRefuses reports whether kin-openapi, reading the spec, refuses the
// request (the server must then not answer 2xx).
func (f *fuzzer) specRefuses(op fuzzOp, target string, fr fuzzRequest) bool {
	req, err := http.NewRequest(op.method, "http://fuzz"+target, bytes.NewReader(fr.body))
	if err != nil {
		return true
	}
	req.Header = fr.header.Clone()
	req.Header.Set("Authorization", "Bearer x")
	req.Header.Set("X-Client-Id", "x")
	route, params, err := f.router.FindRoute(req)
	if err != nil {
		return false // an odd path that no longer matches its route: the server answers 404 or 400
	}
	in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}}
	return openapi3filter.ValidateRequest(context.Background(), in) != nil
}
