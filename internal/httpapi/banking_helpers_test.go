package httpapi_test

import (
	"encoding/base64"
	"net/http"
	"testing"

	"github.com/openvest/openvest/internal/apitest"
	"github.com/stretchr/testify/require"
)

// problem is an RFC 9457 problem document.
type problem struct {
	Type   string `json:"type"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	Detail string `json:"detail"`
	Errors []struct {
		Code        string `json:"code"`
		Description string `json:"description"`
		Field       string `json:"field"`
		Detail      string `json:"detail"`
	} `json:"errors"`
}

// requireProblem requires a problem+json answer with the status and
// returns it.
func requireProblem(t *testing.T, res apitest.Response, status int) problem {
	t.Helper()
	require.Equal(t, status, res.Status, "%s", res.Body)
	require.Equal(t, "application/problem+json", res.Header.Get("Content-Type"))
	var p problem
	res.JSON(t, &p)
	require.Equal(t, status, p.Status)
	require.NotEmpty(t, p.Detail)
	// The banking source API's {errors: [{code, description}]}: one item
	// per field, or one for the error.
	require.NotEmpty(t, p.Errors, "%s", res.Body)
	for _, e := range p.Errors {
		require.NotEmpty(t, e.Code, "%s", res.Body)
		if e.Field == "" {
			require.Len(t, p.Errors, 1, "%s", res.Body)
			require.Equal(t, p.Detail, e.Description)
		} else {
			require.Equal(t, e.Field+": "+e.Detail, e.Description)
		}
	}
	return p
}

// problemFields lists the fields a problem names.
func problemFields(p problem) []string {
	var out []string
	for _, e := range p.Errors {
		if e.Field != "" {
			out = append(out, e.Field)
		}
	}
	return out
}

// sandboxTenant is a sandbox organization on a fresh server.
func sandboxTenant(t *testing.T) (*apitest.Env, *apitest.Tenant) {
	t.Helper()
	env := apitest.Start(t, apitest.Options{})
	return env, env.NewTenant(t, apitest.TenantOptions{Sandbox: true})
}

var (
	address     = map[string]any{"line1": "123 Main St", "city": "New York", "state": "NY", "postal_code": "10001", "country": "US"}
	pdfContent  = []byte("%PDF-1.7\n% passport scan\n")
	pdfDocument = func(typ string) map[string]any {
		return map[string]any{"type": typ, "file_name": "scan.pdf", "content_type": "application/pdf", "content": base64.StdEncoding.EncodeToString(pdfContent)}
	}
)

// individualApplication is the body of a complete INDIVIDUAL application
// (but for its identity document).
func individualApplication(lastName string) map[string]any {
	return map[string]any{
		"type": "INDIVIDUAL", "email": "john.doe@example.com", "phone": "+1234567890",
		"individual": map[string]any{"first_name": "John", "last_name": lastName, "date_of_birth": "1990-01-15", "address": address},
	}
}

// corporateApplication is the body of a complete CORPORATION application
// (but for its certificate of incorporation).
func corporateApplication(lastName string) map[string]any {
	return map[string]any{
		"type": "CORPORATION", "email": "contact@acmecorp.com",
		"corporation": map[string]any{"legal_name": "Acme Corp", "registration_number": "C1234567", "address": address},
		"individuals": []any{
			map[string]any{"role": "BENEFICIAL_OWNER", "first_name": "Jane", "last_name": lastName, "date_of_birth": "1985-04-02",
				"email": "jane.smith@acmecorp.com", "ownership_percentage": 30, "address": address},
			map[string]any{"role": "CONTROLLING_PERSON", "first_name": "Sam", "last_name": "Lee", "date_of_birth": "1978-11-23", "address": address},
		},
	}
}

// readyApplication creates an application from body, attaches the document
// it needs, and returns its id.
func readyApplication(t *testing.T, tn *apitest.Tenant, body map[string]any) string {
	t.Helper()
	res := tn.Do(t, http.MethodPost, "/applications", body)
	require.Equal(t, http.StatusCreated, res.Status, "%s", res.Body)
	id := res.Map(t)["id"].(string)
	doc := "PASSPORT"
	if body["type"] == "CORPORATION" {
		doc = "CERTIFICATE_OF_INCORPORATION"
	}
	res = tn.Do(t, http.MethodPost, "/applications/"+id+"/documents", pdfDocument(doc))
	require.Equal(t, http.StatusCreated, res.Status, "%s", res.Body)
	return id
}

// submit submits an application and returns the decided application.
func submit(t *testing.T, tn *apitest.Tenant, id string) map[string]any {
	t.Helper()
	res := tn.Do(t, http.MethodPost, "/applications/"+id+"/submit", nil)
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	return res.Map(t)
}

// onboard takes an application from creation to an approved customer and
// returns the customer's id.
func onboard(t *testing.T, tn *apitest.Tenant, body map[string]any) string {
	t.Helper()
	a := submit(t, tn, readyApplication(t, tn, body))
	require.Equal(t, "APPROVED", a["status"], "%v", a)
	return a["customer_id"].(string)
}

// getJSON GETs url and decodes a 200 answer.
func getJSON(t *testing.T, tn *apitest.Tenant, url string) map[string]any {
	t.Helper()
	res := tn.Do(t, http.MethodGet, url, nil)
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	return res.Map(t)
}
