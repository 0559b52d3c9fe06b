package httpapi_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/openvest/openvest/internal/apitest"
	"github.com/openvest/openvest/internal/httpapi"
	"github.com/stretchr/testify/require"
)

// TestBankingSpecExamples sends every request example of the banking
// surface (seed 004's individual customer and its corporation with a
// beneficial owner among them) through the onboarding each needs, and
// requires each answer to be the response example the spec pairs with it:
// the same fields, of the same JSON types, with the same values, except
// ids, timestamps and cursors. A spec example that drifts from what the
// server answers fails here.
func TestBankingSpecExamples(t *testing.T) {
	t.Parallel()
	ex := loadSpecExamples(t)
	env := apitest.Start(t, apitest.Options{})
	newTenant := func(t *testing.T) *apitest.Tenant {
		return env.NewTenant(t, apitest.TenantOptions{Sandbox: true})
	}

	// POST /applications → documents → PATCH → submit, for each applicant
	// example; then what the approval created.
	type onboarding struct {
		application string // the request (and response) example of POST /applications
		document    string // the example of POST /applications/{id}/documents
	}
	for _, o := range []onboarding{{"individual", "passport"}, {"corporation", "certificate"}} {
		t.Run(o.application, func(t *testing.T) {
			tn := newTenant(t)
			app := ex.send(t, tn, http.MethodPost, "/applications", "/applications", o.application, http.StatusCreated, o.application)
			id := app["id"].(string)
			ex.send(t, tn, http.MethodPost, "/applications/"+id+"/documents", "/applications/{id}/documents", o.document, http.StatusCreated, o.document)
			if o.application == "individual" {
				// The update example completes what the individual example
				// already has: the answer is the ready application.
				ex.send(t, tn, http.MethodPatch, "/applications/"+id, "/applications/{id}", "", http.StatusOK, "")
			}
			decided := ex.send(t, tn, http.MethodPost, "/applications/"+id+"/submit", "/applications/{id}/submit", "-", http.StatusOK, o.application)
			customer := decided["customer_id"].(string)
			ex.get(t, tn, "/customers/"+customer, "/customers/{id}", o.application)
			if o.application == "corporation" {
				c := getJSON(t, tn, "/customers/"+customer)
				owner := c["individuals"].([]any)[0].(map[string]any)["id"].(string)
				path := "/customers/" + customer + "/individuals/" + owner
				ex.get(t, tn, path, "/customers/{id}/individuals/{individual_id}", "")
				ex.send(t, tn, http.MethodPatch, path, "/customers/{id}/individuals/{individual_id}", "", http.StatusOK, "")
			}
		})
	}

	t.Run("draft", func(t *testing.T) {
		tn := newTenant(t)
		ex.send(t, tn, http.MethodPost, "/applications", "/applications", "draft", http.StatusCreated, "draft")
	})

	// Each customer update example, on a customer of its own.
	for _, name := range ex.requestNames(t, http.MethodPatch, "/customers/{id}") {
		t.Run("customer update "+name, func(t *testing.T) {
			tn := newTenant(t)
			customer := ex.onboardIndividual(t, tn)
			ex.send(t, tn, http.MethodPatch, "/customers/"+customer, "/customers/{id}", name, http.StatusOK, name)
		})
	}

	t.Run("list", func(t *testing.T) {
		// The seed's list: the individual, then the older corporation, and more to come.
		tn := newTenant(t)
		ex.onboardIndividual(t, tn)
		onboard(t, tn, ex.request(t, http.MethodPost, "/applications", "corporation"))
		ex.onboardIndividual(t, tn)
		ex.get(t, tn, "/customers?limit=2", "/customers", "")
	})

	t.Run("manual review", func(t *testing.T) {
		tn := newTenant(t)
		app := ex.send(t, tn, http.MethodPost, "/applications", "/applications", "corporationReview", http.StatusCreated, "corporationReview")
		id := app["id"].(string)
		ex.send(t, tn, http.MethodPost, "/applications/"+id+"/documents", "/applications/{id}/documents", "certificate", http.StatusCreated, "certificate")
		submit(t, tn, id)
		ex.get(t, tn, "/applications/"+id, "/applications/{id}", "")
		ex.send(t, tn, http.MethodPost, "/sandbox/applications/"+id+"/decision", "/sandbox/applications/{id}/decision", "", http.StatusOK, "")
	})

	t.Run("status change", func(t *testing.T) {
		tn := newTenant(t)
		customer := ex.onboardIndividual(t, tn)
		ex.send(t, tn, http.MethodPost, "/sandbox/customers/"+customer+"/status", "/sandbox/customers/{id}/status", "", http.StatusOK, "")
	})

	// Every request example of the surface was sent above.
	for _, want := range ex.allRequests(t) {
		require.Contains(t, ex.sent, want, "request example %s is sent by this test", want)
	}
}

// specExamples reads the examples of the served spec and remembers which
// request examples a test sent.
type specExamples struct {
	doc  *openapi3.T
	sent []string
}

func loadSpecExamples(t *testing.T) *specExamples {
	t.Helper()
	doc, err := httpapi.Spec()
	require.NoError(t, err)
	return &specExamples{doc: doc}
}

func (s *specExamples) op(t *testing.T, method, path string) *openapi3.Operation {
	t.Helper()
	item := s.doc.Paths.Value(path)
	require.NotNil(t, item, "path %s is in the spec", path)
	op := item.GetOperation(method)
	require.NotNil(t, op, "%s %s is in the spec", method, path)
	return op
}

// example picks the example called name of a media type, or its single
// example when name is empty; the value comes back as decoded JSON.
func example(t *testing.T, mt *openapi3.MediaType, what, name string) any {
	t.Helper()
	require.NotNil(t, mt, "%s has an application/json body", what)
	var v any
	if name == "" {
		require.NotNil(t, mt.Example, "%s has a single example", what)
		v = mt.Example
	} else {
		e, ok := mt.Examples[name]
		require.True(t, ok, "%s has the example %q", what, name)
		v = e.Value.Value
	}
	b, err := json.Marshal(v)
	require.NoError(t, err)
	var out any
	require.NoError(t, json.Unmarshal(b, &out))
	return out
}

// request is the request example called name (empty: the single one).
func (s *specExamples) request(t *testing.T, method, path, name string) map[string]any {
	t.Helper()
	op := s.op(t, method, path)
	require.NotNil(t, op.RequestBody, "%s %s has a request body", method, path)
	what := fmt.Sprintf("the request of %s %s", method, path)
	return example(t, op.RequestBody.Value.Content.Get("application/json"), what, name).(map[string]any)
}

func (s *specExamples) requestNames(t *testing.T, method, path string) []string {
	t.Helper()
	mt := s.op(t, method, path).RequestBody.Value.Content.Get("application/json")
	var names []string
	for name := range mt.Examples {
		names = append(names, name)
	}
	require.NotEmpty(t, names, "%s %s has named request examples", method, path)
	return names
}

// response is the response example called name (empty: the single one).
func (s *specExamples) response(t *testing.T, method, path string, status int, name string) any {
	t.Helper()
	res := s.op(t, method, path).Responses.Status(status)
	require.NotNil(t, res, "%s %s documents %d", method, path, status)
	what := fmt.Sprintf("the %d answer of %s %s", status, method, path)
	return example(t, res.Value.Content.Get("application/json"), what, name)
}

// send sends the request example called request ("-": no body) to url,
// requires the status, and requires the answer to match the response
// example called response. It returns the answer.
func (s *specExamples) send(t *testing.T, tn *apitest.Tenant, method, url, path, request string, status int, response string) map[string]any {
	t.Helper()
	var body any
	if request != "-" {
		body = s.request(t, method, path, request)
		s.sent = append(s.sent, method+" "+path+" "+request)
	}
	res := tn.Do(t, method, url, body)
	require.Equal(t, status, res.Status, "%s %s: %s", method, url, res.Body)
	var got any
	res.JSON(t, &got)
	requireSameShape(t, method+" "+path, s.response(t, method, path, status, response), got)
	return got.(map[string]any)
}

// get GETs url and requires the answer to match the 200 example called name.
func (s *specExamples) get(t *testing.T, tn *apitest.Tenant, url, path, name string) {
	t.Helper()
	res := tn.Do(t, http.MethodGet, url, nil)
	require.Equal(t, http.StatusOK, res.Status, "GET %s: %s", url, res.Body)
	var got any
	res.JSON(t, &got)
	requireSameShape(t, "GET "+path, s.response(t, http.MethodGet, path, http.StatusOK, name), got)
}

// onboardIndividual takes the individual example (with the passport
// example) to an approved customer and returns its id.
func (s *specExamples) onboardIndividual(t *testing.T, tn *apitest.Tenant) string {
	t.Helper()
	res := tn.Do(t, http.MethodPost, "/applications", s.request(t, http.MethodPost, "/applications", "individual"))
	require.Equal(t, http.StatusCreated, res.Status, "%s", res.Body)
	id := res.Map(t)["id"].(string)
	res = tn.Do(t, http.MethodPost, "/applications/"+id+"/documents", s.request(t, http.MethodPost, "/applications/{id}/documents", "passport"))
	require.Equal(t, http.StatusCreated, res.Status, "%s", res.Body)
	a := submit(t, tn, id)
	require.Equal(t, "APPROVED", a["status"], "%v", a)
	return a["customer_id"].(string)
}

// allRequests lists "METHOD path name" for every request example of the
// banking surface and its sandbox controls (name empty for a single
// example).
func (s *specExamples) allRequests(t *testing.T) []string {
	t.Helper()
	var out []string
	for path, item := range s.doc.Paths.Map() {
		banking := strings.HasPrefix(path, "/applications") || strings.HasPrefix(path, "/customers") ||
			strings.HasPrefix(path, "/sandbox/applications") || strings.HasPrefix(path, "/sandbox/customers")
		for method, op := range item.Operations() {
			if op.RequestBody == nil || !banking {
				continue
			}
			mt := op.RequestBody.Value.Content.Get("application/json")
			require.NotNil(t, mt, "%s %s takes JSON", method, path)
			if mt.Example != nil {
				out = append(out, method+" "+path+" ")
			}
			for name := range mt.Examples {
				out = append(out, method+" "+path+" "+name)
			}
		}
	}
	require.NotEmpty(t, out)
	return out
}

// requireSameShape requires got to have want's shape: the same fields
// (no more, no fewer), arrays of the same length, values of the same JSON
// type, and the same values but for ids (`id`, `…_id`), timestamps
// (`…_at`) and cursors (`next_cursor`), which the server assigns.
func requireSameShape(t *testing.T, at string, want, got any) {
	t.Helper()
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		require.True(t, ok, "%s: want an object, got %T %v", at, got, got)
		require.ElementsMatch(t, keys(w), keys(g), "%s: the fields of %v", at, g)
		for k, v := range w {
			requireSameShape(t, at+"."+k, v, g[k])
		}
	case []any:
		g, ok := got.([]any)
		require.True(t, ok, "%s: want an array, got %T %v", at, got, got)
		require.Len(t, g, len(w), "%s: the items, %v", at, g)
		for i := range w {
			requireSameShape(t, fmt.Sprintf("%s[%d]", at, i), w[i], g[i])
		}
	default:
		require.IsType(t, want, got, "%s: the type", at)
		field := at[strings.LastIndexAny(at, ".]")+1:]
		if field == "id" || strings.HasSuffix(field, "_id") || strings.HasSuffix(field, "_at") || field == "next_cursor" {
			return
		}
		require.Equal(t, want, got, "%s: the value", at)
	}
}
