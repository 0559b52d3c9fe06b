package httpapi_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestBankingErrorsCarrySourceShape: besides RFC 9457's members, a banking
// error carries the source API's {errors: [{code, description}]}: one item
// for the error, or one per failing field.
func TestBankingErrorsCarrySourceShape(t *testing.T) {
	t.Parallel()
	_, tn := sandboxTenant(t)

	p := requireProblem(t, tn.Do(t, http.MethodGet, "/customers/cust_nobody", nil), http.StatusNotFound)
	require.Len(t, p.Errors, 1)
	require.Equal(t, "NOT_FOUND", p.Errors[0].Code)
	require.Equal(t, p.Detail, p.Errors[0].Description)
	require.Empty(t, p.Errors[0].Field)

	p = requireProblem(t, tn.Do(t, http.MethodPost, "/applications", map[string]any{"type": "INDIVIDUAL", "email": "not an email", "phone": "12"}), http.StatusBadRequest)
	require.ElementsMatch(t, []string{"email", "phone"}, problemFields(p))
	for _, e := range p.Errors {
		require.Equal(t, "VALIDATION_ERROR", e.Code)
		require.Equal(t, e.Field+": "+e.Detail, e.Description)
	}

	id := readyApplication(t, tn, individualApplication("Doe"))
	submit(t, tn, id)
	p = requireProblem(t, tn.Do(t, http.MethodPost, "/applications/"+id+"/submit", nil), http.StatusConflict)
	require.Equal(t, "CONFLICT", p.Errors[0].Code)
}
