package httpapi_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestReferenceIDAsInteger: the customers guide sends referenceId as a JSON
// number; it is stored and answered as its decimal string, finds the
// customer by ?referenceId=, and clashes with the same string.
func TestReferenceIDAsInteger(t *testing.T) {
	t.Parallel()
	b := setup(t)
	res := b.tenant.Do(t, "POST", "/v1/customers", json.RawMessage(`{"firstName": "Jane", "lastName": "Banda", "referenceId": 123456}`))
	require.Equal(t, http.StatusCreated, res.Status, "%s", res.Body)
	c := exact(t, res)
	require.Equal(t, "123456", c["referenceId"])

	list := items(t, b.tenant.Do(t, "GET", "/v1/customers?referenceId=123456", nil))
	require.Len(t, list, 1)
	require.Equal(t, "123456", list[0]["referenceId"])

	res = b.tenant.Do(t, "POST", "/v1/customers", json.RawMessage(`{"firstName": "J", "lastName": "B", "referenceId": "123456"}`))
	require.Equal(t, http.StatusConflict, res.Status, "%s", res.Body)

	// Large integers keep every digit; an update takes an integer too.
	res = b.tenant.Do(t, "PUT", "/v1/customers", json.RawMessage(`{"customerId": `+string(c["customerId"].(json.Number))+`, "referenceId": 9007199254740993}`))
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	require.Equal(t, "9007199254740993", exact(t, res)["referenceId"])

	// Neither a string nor an integer: 400 naming the field.
	for _, bad := range []string{`1.5`, `true`, `""`} {
		res = b.tenant.Do(t, "POST", "/v1/customers", json.RawMessage(`{"firstName": "J", "lastName": "B", "referenceId": `+bad+`}`))
		require.Equal(t, http.StatusBadRequest, res.Status, "%s: %s", bad, res.Body)
		require.Contains(t, res.Map(t)["message"], "referenceId", bad)
	}
}
