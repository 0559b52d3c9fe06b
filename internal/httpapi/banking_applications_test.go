package httpapi_test

import (
	"encoding/base64"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/openvest/openvest/internal/apitest"
	"github.com/stretchr/testify/require"
)

// rfc3339UTC is how the banking surface writes times.
var rfc3339UTC = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$`)

func TestIndividualOnboardingFromDraftToCustomer(t *testing.T) {
	t.Parallel()
	_, tn := sandboxTenant(t)

	// A draft with only an email: everything else is missing.
	res := tn.Do(t, "POST", "/applications", map[string]any{"type": "INDIVIDUAL", "email": "john.doe@example.com"})
	require.Equal(t, http.StatusCreated, res.Status, "%s", res.Body)
	app := res.Map(t)
	id := app["id"].(string)
	require.Regexp(t, `^app_`, id)
	require.Equal(t, "DRAFT", app["status"])
	require.Regexp(t, rfc3339UTC, app["created_at"])
	require.Len(t, app["missing"], 9)

	// Completing it: the address merges field by field across calls.
	body := individualApplication("Doe")
	delete(body, "type")
	body["individual"].(map[string]any)["address"] = map[string]any{"line1": "123 Main St", "city": "New York"}
	res = tn.Do(t, "PATCH", "/applications/"+id, body)
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	res = tn.Do(t, "PATCH", "/applications/"+id, map[string]any{"individual": map[string]any{"address": map[string]any{"postal_code": "10001", "country": "US"}}})
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	app = res.Map(t)
	require.Equal(t, "DRAFT", app["status"])
	require.Equal(t, []any{map[string]any{"field": "documents", "detail": "an identity document (PASSPORT, DRIVERS_LICENSE or NATIONAL_ID) is required"}}, app["missing"])
	require.Equal(t, map[string]any{"line1": "123 Main St", "city": "New York", "postal_code": "10001", "country": "US"}, app["individual"].(map[string]any)["address"])

	// The document makes it complete.
	res = tn.Do(t, "POST", "/applications/"+id+"/documents", pdfDocument("PASSPORT"))
	require.Equal(t, http.StatusCreated, res.Status, "%s", res.Body)
	doc := res.Map(t)
	require.Regexp(t, `^doc_`, doc["id"])
	require.EqualValues(t, len(pdfContent), doc["size"])
	require.Equal(t, "273b05a94802e0b87d1554fd2cd349196554fda9bdd07491ac54063a06e71f5c", doc["sha256"])
	require.NotContains(t, doc, "content")
	got := getJSON(t, tn, "/applications/"+id+"/documents/"+doc["id"].(string))
	require.Equal(t, base64.StdEncoding.EncodeToString(pdfContent), got["content"])

	app = getJSON(t, tn, "/applications/"+id)
	require.Equal(t, "READY_FOR_SUBMISSION", app["status"])
	require.Empty(t, app["missing"])
	require.Len(t, app["documents"], 1)

	app = submit(t, tn, id)
	require.Equal(t, "APPROVED", app["status"])
	require.Regexp(t, rfc3339UTC, app["submitted_at"])
	require.Regexp(t, rfc3339UTC, app["decided_at"])
	customerID := app["customer_id"].(string)
	require.Regexp(t, `^cust_`, customerID)

	c := getJSON(t, tn, "/customers/"+customerID)
	require.Equal(t, "INDIVIDUAL", c["type"])
	require.Equal(t, "ACTIVE", c["status"])
	require.Equal(t, "john.doe@example.com", c["email"])
	require.Equal(t, "+1234567890", c["phone"])
	require.Equal(t, id, c["application_id"])
	require.Equal(t, map[string]any{
		"first_name": "John", "last_name": "Doe", "date_of_birth": "1990-01-15",
		"address": map[string]any{"line1": "123 Main St", "city": "New York", "postal_code": "10001", "country": "US"},
	}, c["individual"])
	require.NotContains(t, c, "individuals")
	require.NotContains(t, c, "corporation")
	accounts := c["accounts"].([]any)
	require.Len(t, accounts, 1)
	account := accounts[0].(map[string]any)
	require.Regexp(t, `^acc_`, account["id"])
	require.Equal(t, "USD", account["currency"])
	require.Equal(t, "ACTIVE", account["status"])

	// Submitted once, changed never again.
	requireProblem(t, tn.Do(t, "POST", "/applications/"+id+"/submit", nil), http.StatusConflict)
	requireProblem(t, tn.Do(t, "PATCH", "/applications/"+id, map[string]any{"phone": "+1234567899"}), http.StatusConflict)
	requireProblem(t, tn.Do(t, "POST", "/applications/"+id+"/documents", pdfDocument("PASSPORT")), http.StatusConflict)
}

func TestCorporateOnboardingFromDraftToCustomer(t *testing.T) {
	t.Parallel()
	env := apitest.Start(t, apitest.Options{})
	tn := env.NewTenant(t, apitest.TenantOptions{}) // a production organization: no sandbox rules

	body := corporateApplication("Smith")
	res := tn.Do(t, "POST", "/applications", body)
	require.Equal(t, http.StatusCreated, res.Status, "%s", res.Body)
	app := res.Map(t)
	id := app["id"].(string)
	require.Equal(t, "DRAFT", app["status"])
	require.Equal(t, []any{map[string]any{"field": "documents", "detail": "a CERTIFICATE_OF_INCORPORATION document is required"}}, app["missing"])
	require.Len(t, app["individuals"], 2)
	require.EqualValues(t, 30, app["individuals"].([]any)[0].(map[string]any)["ownership_percentage"])

	require.Equal(t, http.StatusCreated, tn.Do(t, "POST", "/applications/"+id+"/documents", pdfDocument("CERTIFICATE_OF_INCORPORATION")).Status)
	app = submit(t, tn, id)
	require.Equal(t, "APPROVED", app["status"])

	c := getJSON(t, tn, "/customers/"+app["customer_id"].(string))
	require.Equal(t, "CORPORATION", c["type"])
	require.Equal(t, "ACTIVE", c["status"])
	require.Equal(t, "Acme Corp", c["corporation"].(map[string]any)["legal_name"])
	require.Equal(t, "C1234567", c["corporation"].(map[string]any)["registration_number"])
	require.NotContains(t, c, "individual")
	require.NotContains(t, c, "phone", "the corporation gave none")
	people := c["individuals"].([]any)
	require.Len(t, people, 2)
	owner := people[0].(map[string]any)
	require.Regexp(t, `^ind_`, owner["id"])
	require.Equal(t, c["id"], owner["customer_id"])
	require.Equal(t, "BENEFICIAL_OWNER", owner["role"])
	require.Equal(t, "Smith", owner["last_name"])
	require.EqualValues(t, 30, owner["ownership_percentage"])
	require.Equal(t, "CONTROLLING_PERSON", people[1].(map[string]any)["role"])
	require.NotContains(t, people[1], "ownership_percentage")
	require.Len(t, c["accounts"], 1)

	// The individual is there at its own path, in its documented shape.
	ind := getJSON(t, tn, "/customers/"+c["id"].(string)+"/individuals/"+owner["id"].(string))
	require.Equal(t, owner, ind)
}

// TestIncompleteSubmitAnswers409WithWhatIsMissing: the problem names each
// missing field, and nothing changes.
func TestIncompleteSubmitAnswers409WithWhatIsMissing(t *testing.T) {
	t.Parallel()
	_, tn := sandboxTenant(t)
	body := individualApplication("Doe")
	delete(body["individual"].(map[string]any), "date_of_birth")
	delete(body, "phone")
	res := tn.Do(t, "POST", "/applications", body)
	require.Equal(t, http.StatusCreated, res.Status, "%s", res.Body)
	id := res.Map(t)["id"].(string)

	p := requireProblem(t, tn.Do(t, "POST", "/applications/"+id+"/submit", nil), http.StatusConflict)
	require.Equal(t, []string{"phone", "individual.date_of_birth", "documents"}, problemFields(p))
	require.Equal(t, "is required", p.Errors[0].Detail)
	require.Contains(t, p.Detail, "not complete")
	require.Equal(t, "DRAFT", getJSON(t, tn, "/applications/"+id)["status"])
}

func TestDeniedApplicationCreatesNothing(t *testing.T) {
	t.Parallel()
	_, tn := sandboxTenant(t)
	for _, body := range []map[string]any{individualApplication("Deny"), corporateApplication("deny")} {
		app := submit(t, tn, readyApplication(t, tn, body))
		require.Equal(t, "DENIED", app["status"])
		require.NotContains(t, app, "customer_id")
		require.Contains(t, app["decision_reason"], "Deny")
	}
	list := getJSON(t, tn, "/customers")
	require.Empty(t, list["data"])
	require.Equal(t, map[string]any{"has_more": false, "next_cursor": nil}, list["pagination"])
}

func TestManualReviewDecidedThroughTheSandbox(t *testing.T) {
	t.Parallel()
	env, tn := sandboxTenant(t)
	id := readyApplication(t, tn, corporateApplication("Review"))
	app := submit(t, tn, id)
	require.Equal(t, "MANUAL_REVIEW", app["status"])
	require.NotContains(t, app, "decided_at")

	// The decision control needs a decision it knows, and a sandbox.
	p := requireProblem(t, tn.Do(t, "POST", "/sandbox/applications/"+id+"/decision", map[string]any{"decision": "MAYBE"}), http.StatusBadRequest)
	require.Equal(t, []string{"decision"}, problemFields(p))
	prod := env.NewTenant(t, apitest.TenantOptions{})
	prodID := submit(t, prod, readyApplication(t, prod, corporateApplication("Review")))["id"].(string)
	requireProblem(t, prod.Do(t, "POST", "/sandbox/applications/"+prodID+"/decision", map[string]any{"decision": "APPROVED"}), http.StatusNotFound)

	res := tn.Do(t, "POST", "/sandbox/applications/"+id+"/decision", map[string]any{"decision": "APPROVED", "reason": "verified by hand"})
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	app = res.Map(t)
	require.Equal(t, "APPROVED", app["status"])
	require.Equal(t, "verified by hand", app["decision_reason"])
	c := getJSON(t, tn, "/customers/"+app["customer_id"].(string))
	require.Len(t, c["individuals"], 2)

	p = requireProblem(t, tn.Do(t, "POST", "/sandbox/applications/"+id+"/decision", map[string]any{"decision": "DENIED"}), http.StatusConflict)
	require.Contains(t, p.Detail, "MANUAL_REVIEW")
}

func TestPendingCustomerMovedThroughTheSandbox(t *testing.T) {
	t.Parallel()
	_, tn := sandboxTenant(t)
	id := onboard(t, tn, individualApplication("Pending"))
	require.Equal(t, "PENDING", getJSON(t, tn, "/customers/"+id)["status"])

	res := tn.Do(t, "POST", "/sandbox/customers/"+id+"/status", map[string]any{"status": "ACTIVE"})
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	require.Equal(t, "ACTIVE", res.Map(t)["status"])

	res = tn.Do(t, "POST", "/sandbox/customers/"+id+"/status", map[string]any{"status": "CLOSED"})
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	c := res.Map(t)
	require.Equal(t, "CLOSED", c["accounts"].([]any)[0].(map[string]any)["status"], "closing the customer closed its account")

	p := requireProblem(t, tn.Do(t, "POST", "/sandbox/customers/"+id+"/status", map[string]any{"status": "ACTIVE"}), http.StatusConflict)
	require.Contains(t, p.Detail, "from CLOSED to ACTIVE")
	require.Equal(t, []string{"status"}, problemFields(p))
	p = requireProblem(t, tn.Do(t, "POST", "/sandbox/customers/"+id+"/status", map[string]any{"status": "SUSPENDED"}), http.StatusBadRequest)
	require.Equal(t, []string{"status"}, problemFields(p))
}

// TestBankingValidationNamesEachField: 400 problems list each failing field,
// whether the spec or a domain rule refused it.
func TestBankingValidationNamesEachField(t *testing.T) {
	t.Parallel()
	_, tn := sandboxTenant(t)
	tomorrow := time.Now().UTC().AddDate(0, 0, 2).Format(time.DateOnly)
	appID := readyApplication(t, tn, map[string]any{"type": "INDIVIDUAL"})
	for _, tc := range []struct {
		name         string
		method, path string
		body         any
		fields       []string
	}{
		{"missing type", "POST", "/applications", map[string]any{"email": "a@b.co"}, []string{"type"}},
		{"bad email, phone and country", "POST", "/applications", map[string]any{
			"type": "INDIVIDUAL", "email": "not-an-email", "phone": "12345",
			"individual": map[string]any{"address": map[string]any{"country": "usa"}},
		}, []string{"email", "phone", "individual.address.country"}},
		{"bad date and unknown field", "POST", "/applications", map[string]any{
			"type": "INDIVIDUAL", "individual": map[string]any{"date_of_birth": "15/01/1990", "middle_name": "Q"},
		}, []string{"individual.date_of_birth", "individual.middle_name"}},
		{"born in the future", "POST", "/applications", map[string]any{
			"type": "INDIVIDUAL", "individual": map[string]any{"date_of_birth": tomorrow},
		}, []string{"individual.date_of_birth"}},
		{"a person on a corporation", "POST", "/applications", map[string]any{
			"type": "CORPORATION", "individual": map[string]any{"first_name": "X"},
		}, []string{"individual"}},
		{"small beneficial owner", "POST", "/applications", map[string]any{
			"type": "CORPORATION", "individuals": []any{map[string]any{"role": "BENEFICIAL_OWNER", "ownership_percentage": 10}},
		}, []string{"individuals[0].ownership_percentage"}},
		{"ownership over 100", "POST", "/applications", map[string]any{
			"type": "CORPORATION", "individuals": []any{map[string]any{"role": "BENEFICIAL_OWNER", "ownership_percentage": 100.5}},
		}, []string{"individuals[0].ownership_percentage"}},
		{"type does not change", "PATCH", "/applications/" + appID, map[string]any{"type": "CORPORATION"}, []string{"type"}},
		{"empty patch", "PATCH", "/applications/" + appID, map[string]any{}, []string{"body"}},
		{"document type and content", "POST", "/applications/" + appID + "/documents", map[string]any{
			"type": "SELFIE", "file_name": "a.pdf", "content_type": "application/pdf", "content": "not base64!",
		}, []string{"type", "content"}},
		{"document content not of its type", "POST", "/applications/" + appID + "/documents", map[string]any{
			"type": "PASSPORT", "file_name": "a.png", "content_type": "image/png", "content": base64.StdEncoding.EncodeToString(pdfContent),
		}, []string{"content"}},
		{"bad ids", "GET", "/customers/acc_123", nil, []string{"id"}},
		{"limit and filters", "GET", "/customers?limit=101&type=PERSON&status=SUSPENDED", nil, []string{"type", "status", "limit"}},
		{"cursor", "GET", "/customers?cursor=cursor_abc123", nil, []string{"cursor"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := requireProblem(t, tn.Do(t, tc.method, tc.path, tc.body), http.StatusBadRequest)
			require.ElementsMatch(t, tc.fields, problemFields(p), "%+v", p)
			for _, f := range tc.fields {
				require.Contains(t, p.Detail, f)
			}
		})
	}
}

func TestDocumentSizeLimit(t *testing.T) {
	t.Parallel()
	_, tn := sandboxTenant(t)
	id := readyApplication(t, tn, map[string]any{"type": "INDIVIDUAL"})
	big := append([]byte("%PDF-"), make([]byte, 512<<10)...)
	res := tn.Do(t, "POST", "/applications/"+id+"/documents", map[string]any{
		"type": "OTHER", "file_name": "big.pdf", "content_type": "application/pdf", "content": base64.StdEncoding.EncodeToString(big),
	})
	p := requireProblem(t, res, http.StatusBadRequest)
	require.Equal(t, []string{"content"}, problemFields(p))

	exact := append([]byte("%PDF-"), make([]byte, 512<<10-5)...)
	res = tn.Do(t, "POST", "/applications/"+id+"/documents", map[string]any{
		"type": "OTHER", "file_name": "exact.pdf", "content_type": "application/pdf", "content": base64.StdEncoding.EncodeToString(exact),
	})
	require.Equal(t, http.StatusCreated, res.Status, "%s", res.Body)
	require.EqualValues(t, 512<<10, res.Map(t)["size"])
}

func TestApplicationsListPages(t *testing.T) {
	t.Parallel()
	_, tn := sandboxTenant(t)
	var want []string
	for range 5 {
		res := tn.Do(t, "POST", "/applications", map[string]any{"type": "CORPORATION"})
		require.Equal(t, http.StatusCreated, res.Status)
		want = append([]string{res.Map(t)["id"].(string)}, want...)
	}
	var got []string
	cursor := ""
	for pages := 0; ; pages++ {
		require.LessOrEqual(t, pages, len(want), "paging does not end: the cursor does not move on")
		list := getJSON(t, tn, "/applications?limit=2"+cursor)
		for _, a := range list["data"].([]any) {
			got = append(got, a.(map[string]any)["id"].(string))
		}
		pagination := list["pagination"].(map[string]any)
		if !pagination["has_more"].(bool) {
			require.Nil(t, pagination["next_cursor"])
			break
		}
		cursor = "&cursor=" + pagination["next_cursor"].(string)
	}
	require.Equal(t, want, got, "newest first, each once")
	require.Empty(t, getJSON(t, tn, "/applications?status=APPROVED")["data"])
	require.Len(t, getJSON(t, tn, "/applications?status=DRAFT")["data"], 5)
	require.True(t, strings.HasPrefix(want[0], "app_"))
}
