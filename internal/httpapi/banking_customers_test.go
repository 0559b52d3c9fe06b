package httpapi_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/openvest/openvest/internal/apitest"
	"github.com/stretchr/testify/require"
)

// TestCustomerCursorPagination walks 250 customers a page at a time while
// new customers are onboarded between pages: each customer that existed
// when the walk began comes exactly once, in order, newest first.
func TestCustomerCursorPagination(t *testing.T) {
	t.Parallel()
	_, tn := sandboxTenant(t)
	existing := map[string]bool{}
	for i := range 250 {
		body := individualApplication("Doe")
		if i%5 == 0 {
			body = corporateApplication("Smith")
		}
		existing[onboard(t, tn, body)] = true
	}

	var seen []string
	cursor := ""
	for page := 0; ; page++ {
		require.Less(t, page, 10, "paging does not end: the cursor does not move on (250 customers are 7 pages)")
		list := getJSON(t, tn, "/customers?limit=37"+cursor)
		for _, item := range list["data"].([]any) {
			c := item.(map[string]any)
			require.ElementsMatch(t, []string{"id", "type", "status", "email", "created_at"}, keys(c), "the documented list shape")
			seen = append(seen, c["id"].(string))
		}
		// Customers created while the walk goes on are newer than its start.
		onboard(t, tn, individualApplication("Doe"))
		pagination := list["pagination"].(map[string]any)
		if !pagination["has_more"].(bool) {
			require.Nil(t, pagination["next_cursor"])
			require.Equal(t, 6, page, "250 customers make 7 pages of 37")
			break
		}
		cursor = "&cursor=" + url.QueryEscape(pagination["next_cursor"].(string))
	}
	require.Len(t, seen, 250)
	once := map[string]bool{}
	for _, id := range seen {
		require.True(t, existing[id], "%s existed when the walk began", id)
		require.False(t, once[id], "%s came twice", id)
		once[id] = true
	}

	// The default page is 20, and a later walk sees the newer customers first.
	list := getJSON(t, tn, "/customers")
	require.Len(t, list["data"], 20)
	require.True(t, list["pagination"].(map[string]any)["has_more"].(bool))
	require.False(t, existing[list["data"].([]any)[0].(map[string]any)["id"].(string)])
}

func keys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// TestCustomerFilters checks every combination of type and status.
func TestCustomerFilters(t *testing.T) {
	t.Parallel()
	_, tn := sandboxTenant(t)
	type made struct{ id, typ, status string }
	var all []made
	for _, m := range []struct{ typ, status string }{
		{"INDIVIDUAL", "ACTIVE"}, {"INDIVIDUAL", "PENDING"}, {"INDIVIDUAL", "FROZEN"}, {"INDIVIDUAL", "DORMANT"},
		{"CORPORATION", "ACTIVE"}, {"CORPORATION", "EDD"}, {"CORPORATION", "CLOSED"}, {"CORPORATION", "ACTIVE"},
	} {
		last := "Doe"
		if m.status == "PENDING" {
			last = "Pending"
		}
		body := individualApplication(last)
		if m.typ == "CORPORATION" {
			body = corporateApplication(last)
		}
		id := onboard(t, tn, body)
		if m.status != "ACTIVE" && m.status != "PENDING" {
			res := tn.Do(t, "POST", "/sandbox/customers/"+id+"/status", map[string]any{"status": m.status})
			require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		}
		all = append([]made{{id, m.typ, m.status}}, all...) // newest first
	}

	for _, typ := range []string{"", "INDIVIDUAL", "CORPORATION"} {
		for _, status := range []string{"", "PENDING", "ACTIVE", "EDD", "FROZEN", "DORMANT", "CLOSED"} {
			q := url.Values{}
			var want []string
			if typ != "" {
				q.Set("type", typ)
			}
			if status != "" {
				q.Set("status", status)
			}
			for _, m := range all {
				if (typ == "" || m.typ == typ) && (status == "" || m.status == status) {
					want = append(want, m.id)
				}
			}
			var got []string
			for _, item := range getJSON(t, tn, "/customers?"+q.Encode())["data"].([]any) {
				c := item.(map[string]any)
				got = append(got, c["id"].(string))
				if typ != "" {
					require.Equal(t, typ, c["type"])
				}
				if status != "" {
					require.Equal(t, status, c["status"])
				}
			}
			require.Equal(t, want, got, "type=%q status=%q", typ, status)
		}
	}
}

func TestPatchCustomerMergesAndRefusesMajorChanges(t *testing.T) {
	t.Parallel()
	_, tn := sandboxTenant(t)
	person := onboard(t, tn, individualApplication("Doe"))
	corp := onboard(t, tn, corporateApplication("Smith"))

	res := tn.Do(t, "PATCH", "/customers/"+person, map[string]any{
		"email": "john.newemail@example.com", "address": map[string]any{"line1": "125 Main St", "line2": "Apt 4B"},
	})
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	c := res.Map(t)
	require.Equal(t, "john.newemail@example.com", c["email"])
	require.Equal(t, "+1234567890", c["phone"], "not given, not changed")
	require.Equal(t, map[string]any{"line1": "125 Main St", "line2": "Apt 4B", "city": "New York", "state": "NY", "postal_code": "10001", "country": "US"},
		c["individual"].(map[string]any)["address"])
	require.Equal(t, c, getJSON(t, tn, "/customers/"+person), "stored as answered")

	res = tn.Do(t, "PATCH", "/customers/"+corp, map[string]any{"phone": "+14155550199", "address": map[string]any{"city": "Oakland"}})
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	c = res.Map(t)
	require.Equal(t, "+14155550199", c["phone"])
	require.Equal(t, "Oakland", c["corporation"].(map[string]any)["address"].(map[string]any)["city"])
	require.Equal(t, "123 Main St", c["corporation"].(map[string]any)["address"].(map[string]any)["line1"])

	// A major change needs a new application: 422 naming each field, nothing changed.
	for _, tc := range []struct {
		body   map[string]any
		fields []string
	}{
		{map[string]any{"first_name": "Johnny"}, []string{"first_name"}},
		{map[string]any{"email": "x@example.com", "last_name": "Roe", "date_of_birth": "1991-01-01"}, []string{"last_name", "date_of_birth"}},
		{map[string]any{"type": "CORPORATION"}, []string{"type"}},
		{map[string]any{"legal_name": "Acme Holdings", "registration_number": "C7"}, []string{"legal_name", "registration_number"}},
	} {
		p := requireProblem(t, tn.Do(t, "PATCH", "/customers/"+person, tc.body), http.StatusUnprocessableEntity)
		require.Equal(t, tc.fields, problemFields(p))
		require.Contains(t, p.Detail, "new application (POST /applications)")
	}
	require.Equal(t, "john.newemail@example.com", getJSON(t, tn, "/customers/"+person)["email"])

	p := requireProblem(t, tn.Do(t, "PATCH", "/customers/"+person, map[string]any{"address": map[string]any{"city": ""}}), http.StatusBadRequest)
	require.Equal(t, []string{"address.city"}, problemFields(p))
	p = requireProblem(t, tn.Do(t, "PATCH", "/customers/"+person, map[string]any{"nickname": "JD"}), http.StatusBadRequest)
	require.Equal(t, []string{"nickname"}, problemFields(p))

	require.Equal(t, http.StatusOK, tn.Do(t, "POST", "/sandbox/customers/"+person+"/status", map[string]any{"status": "CLOSED"}).Status)
	p = requireProblem(t, tn.Do(t, "PATCH", "/customers/"+person, map[string]any{"email": "y@example.com"}), http.StatusConflict)
	require.Contains(t, p.Detail, "CLOSED")
}

func TestIndividualsOfCorporationsOnly(t *testing.T) {
	t.Parallel()
	_, tn := sandboxTenant(t)
	person := onboard(t, tn, individualApplication("Doe"))
	corp := getJSON(t, tn, "/customers/"+onboard(t, tn, corporateApplication("Smith")))
	corpID := corp["id"].(string)
	owner := corp["individuals"].([]any)[0].(map[string]any)
	ownerID := owner["id"].(string)

	// An individual customer has no individuals, not even another customer's.
	p := requireProblem(t, tn.Do(t, "GET", "/customers/"+person+"/individuals/"+ownerID, nil), http.StatusNotFound)
	require.Contains(t, p.Detail, "INDIVIDUAL customer")
	requireProblem(t, tn.Do(t, "PATCH", "/customers/"+person+"/individuals/"+ownerID, map[string]any{"email": "x@example.com"}), http.StatusNotFound)
	requireProblem(t, tn.Do(t, "GET", "/customers/"+corpID+"/individuals/ind_unknown", nil), http.StatusNotFound)

	res := tn.Do(t, "PATCH", "/customers/"+corpID+"/individuals/"+ownerID, map[string]any{
		"email": "jane.smith@acme.example", "phone": "+14155550123", "address": map[string]any{"line1": "500 Howard St", "postal_code": "94105"},
	})
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	ind := res.Map(t)
	require.Equal(t, "jane.smith@acme.example", ind["email"])
	require.Equal(t, "+14155550123", ind["phone"])
	require.Equal(t, map[string]any{"line1": "500 Howard St", "city": "New York", "state": "NY", "postal_code": "94105", "country": "US"}, ind["address"])
	require.Equal(t, owner["first_name"], ind["first_name"])
	require.Equal(t, ind, getJSON(t, tn, "/customers/"+corpID+"/individuals/"+ownerID))

	p = requireProblem(t, tn.Do(t, "PATCH", "/customers/"+corpID+"/individuals/"+ownerID, map[string]any{"ownership_percentage": 40, "role": "CONTROLLING_PERSON"}), http.StatusUnprocessableEntity)
	require.Equal(t, []string{"role", "ownership_percentage"}, problemFields(p))
}

// TestAnotherOrganizationsIDsAre404: every banking path answers 404 (never
// 403) for another organization's ids, and changes nothing.
func TestAnotherOrganizationsIDsAre404(t *testing.T) {
	t.Parallel()
	env, owner := sandboxTenant(t)
	other := env.NewTenant(t, apitest.TenantOptions{Sandbox: true})

	draft := owner.Do(t, "POST", "/applications", map[string]any{"type": "CORPORATION"}).Map(t)["id"].(string)
	docID := owner.Do(t, "POST", "/applications/"+draft+"/documents", pdfDocument("CERTIFICATE_OF_INCORPORATION")).Map(t)["id"].(string)
	review := submit(t, owner, readyApplication(t, owner, individualApplication("Review")))["id"].(string)
	corp := getJSON(t, owner, "/customers/"+onboard(t, owner, corporateApplication("Smith")))
	corpID := corp["id"].(string)
	indID := corp["individuals"].([]any)[0].(map[string]any)["id"].(string)

	for _, tc := range []struct {
		method, path string
		body         any
	}{
		{"GET", "/applications/" + draft, nil},
		{"PATCH", "/applications/" + draft, map[string]any{"email": "x@example.com"}},
		{"POST", "/applications/" + draft + "/documents", pdfDocument("PASSPORT")},
		{"GET", "/applications/" + draft + "/documents/" + docID, nil},
		{"POST", "/applications/" + draft + "/submit", nil},
		{"POST", "/sandbox/applications/" + review + "/decision", map[string]any{"decision": "APPROVED"}},
		{"GET", "/customers/" + corpID, nil},
		{"PATCH", "/customers/" + corpID, map[string]any{"email": "x@example.com"}},
		{"PATCH", "/customers/" + corpID, map[string]any{"first_name": "X"}},
		{"GET", "/customers/" + corpID + "/individuals/" + indID, nil},
		{"PATCH", "/customers/" + corpID + "/individuals/" + indID, map[string]any{"email": "x@example.com"}},
		{"POST", "/sandbox/customers/" + corpID + "/status", map[string]any{"status": "FROZEN"}},
	} {
		requireProblem(t, other.Do(t, tc.method, tc.path, tc.body), http.StatusNotFound)
	}
	require.Empty(t, getJSON(t, other, "/customers")["data"])
	require.Empty(t, getJSON(t, other, "/applications")["data"])

	// Untouched for their owner.
	require.Equal(t, "DRAFT", getJSON(t, owner, "/applications/"+draft)["status"])
	require.Equal(t, "MANUAL_REVIEW", getJSON(t, owner, "/applications/"+review)["status"])
	c := getJSON(t, owner, "/customers/"+corpID)
	require.Equal(t, "ACTIVE", c["status"])
	require.Equal(t, "contact@acmecorp.com", c["email"])
}

func TestSandboxControlsAre404ForProduction(t *testing.T) {
	t.Parallel()
	env := apitest.Start(t, apitest.Options{})
	prod := env.NewTenant(t, apitest.TenantOptions{})
	id := onboard(t, prod, individualApplication("Pending")) // a name like any other in production
	require.Equal(t, "ACTIVE", getJSON(t, prod, "/customers/"+id)["status"])
	p := requireProblem(t, prod.Do(t, "POST", "/sandbox/customers/"+id+"/status", map[string]any{"status": "FROZEN"}), http.StatusNotFound)
	require.Contains(t, p.Detail, "sandbox")
	require.Equal(t, "ACTIVE", getJSON(t, prod, "/customers/"+id)["status"])
}

func TestBankingNeedsAuthentication(t *testing.T) {
	t.Parallel()
	env := apitest.Start(t, apitest.Options{})
	p := requireProblem(t, env.Do(t, "GET", "/customers", nil, nil), http.StatusUnauthorized)
	require.Contains(t, p.Detail, "bearer token")
	requireProblem(t, env.Do(t, "DELETE", "/customers/cust_1", nil, nil), http.StatusMethodNotAllowed)
}
