package httpapi_test

import (
	"net/http"
	"testing"

	"github.com/openvest/openvest/httpsig"
	"github.com/openvest/openvest/internal/apitest"
	"github.com/stretchr/testify/require"
)

// seed001Components is seed 001's GET Signature-Input list.
var seed001Components = []string{"authorization", "content-digest", "content-length", "content-type", "x-client-id", "x-idempotency-key", "@method", "@target-uri", "@path", "@query"}

// TestSeed001GETSignedAsTheDocsSign: an organization that requires
// signatures accepts seed 001's GET signed the docs' way (sha-512 of the
// base, capitalised names, @target-uri the origin, the absent body and
// idempotency headers empty), and refuses the same in the RFC 9421 form.
func TestSeed001GETSignedAsTheDocsSign(t *testing.T) {
	t.Parallel()
	b := setup(t)
	tn := b.tenant
	require.Equal(t, "required", string(tn.Org.SignaturePolicy))
	customerID := createCustomer(t, tn, customerOpts{})

	docs := tn.Signer()
	docs.Docs, docs.Components = true, seed001Components
	res := tn.DoWith(t, "GET", path("/v1/accounts?customerId=%d", customerID), nil, apitest.Call{Signer: docs})
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	require.Len(t, items(t, res), 1)

	// A POST signed the docs' way (origin @target-uri) works too.
	post := tn.Signer()
	post.Docs = true
	res = tn.DoWith(t, "POST", "/v1/customers", map[string]any{"firstName": "Docs", "lastName": "Form"}, apitest.Call{Signer: post})
	require.Equal(t, http.StatusCreated, res.Status, "%s", res.Body)

	// RFC 9421 form: origin-only @target-uri is refused.
	rfc := tn.Signer()
	rfc.TargetURI = b.env.Server.URL
	res = tn.DoWith(t, "GET", path("/v1/accounts?customerId=%d", customerID), nil, apitest.Call{Signer: rfc})
	require.Equal(t, http.StatusUnauthorized, res.Status, "%s", res.Body)
	// …and a covered header the request lacks cannot be signed in it.
	strict := &httpsig.Signer{KeyID: tn.KeyID, Key: tn.Key, Components: seed001Components}
	req, err := http.NewRequest("GET", b.env.Server.URL+"/v1/accounts", nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer x")
	require.ErrorContains(t, strict.Sign(req, nil), "has no such component")
}
