package httpsig_test

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha512"
	"encoding/base64"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/openvest/openvest/httpsig"
	"github.com/stretchr/testify/require"
)

// seed001GETInput is the component list of seed 001's GET /v1/accounts
// example: it covers body headers and X-Idempotency-Key on a GET, which
// carries none of them.
const seed001GETInput = `("Authorization" "Content-Digest" "Content-Length" "Content-Type" "X-Client-Id" "X-Idempotency-Key" "@method" "@target-uri" "@path" "@query")`

// docsSign signs as the investing docs describe, written out by hand: one
// `"<Name>": <value>` line per component (a header the request lacks is
// empty), @target-uri the origin, then @signature-params; ed25519 over the
// sha-512 of that base.
func docsSign(t *testing.T, req *http.Request, key ed25519.PrivateKey, prehash bool, target string) {
	t.Helper()
	created := time.Now().Unix()
	params := seed001GETInput + `;keyid="staging-pipevest-ed25519";created=` + itoa(created) + `;expires=` + itoa(created+100)
	base := `"Authorization": ` + req.Header.Get("Authorization") + "\n" +
		`"Content-Digest": ` + "\n" +
		`"Content-Length": ` + "\n" +
		`"Content-Type": ` + "\n" +
		`"X-Client-Id": ` + req.Header.Get("X-Client-Id") + "\n" +
		`"X-Idempotency-Key": ` + "\n" +
		`"@method": GET` + "\n" +
		`"@target-uri": ` + target + "\n" +
		`"@path": ` + req.URL.Path + "\n" +
		`"@query": ?` + req.URL.RawQuery + "\n" +
		`"@signature-params": ` + params
	msg := []byte(base)
	if prehash {
		h := sha512.Sum512(msg)
		msg = h[:]
	}
	req.Header.Set("Signature-Input", "sig1="+params)
	req.Header.Set("Signature", "sig1=:"+base64.StdEncoding.EncodeToString(ed25519.Sign(key, msg))+":")
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func seed001Request(t *testing.T) *http.Request {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, "https://api.pipevest.com/v1/accounts?customerId=123456", nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer 123456")
	req.Header.Set("X-Client-Id", "123456")
	return req
}

// TestDocsFormSeed001GET: seed 001's GET, signed as the docs sign (origin
// @target-uri, absent headers empty, sha-512 of the base), verifies; the
// same leniencies in the RFC 9421 form (no pre-hash) do not.
func TestDocsFormSeed001GET(t *testing.T) {
	t.Parallel()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	v := &httpsig.Verifier{Keys: keys(pub, "staging-pipevest-ed25519")}
	full := "https://api.pipevest.com/v1/accounts?customerId=123456"
	required := httpsig.RequiredComponents(http.MethodGet, false, false, http.Header{})

	for _, target := range []string{"https://api.pipevest.com", full} {
		req := seed001Request(t)
		docsSign(t, req, priv, true, target)
		got, err := v.Verify(req, full, required)
		require.NoError(t, err, "target %s", target)
		require.Equal(t, httpsig.FormSHA512, got.Form)
		require.True(t, got.DocsForm)
	}

	req := seed001Request(t)
	docsSign(t, req, priv, false, "https://api.pipevest.com")
	_, err = v.Verify(req, full, required)
	require.Error(t, err, "RFC 9421 form stays strict")

	req = seed001Request(t)
	docsSign(t, req, priv, false, full)
	_, err = v.Verify(req, full, required)
	require.ErrorContains(t, err, "has no such component", "RFC 9421 form: an absent covered header is an error")

	// Another origin is still a wrong @target-uri.
	req = seed001Request(t)
	docsSign(t, req, priv, true, "https://api.staging.pipevest.com")
	_, err = v.Verify(req, full, required)
	require.ErrorContains(t, err, "does not verify")
}

// TestSignerDocsForm: Signer.Docs signs the way the docs' verifier expects
// and the server accepts it; a tampered header still fails.
func TestSignerDocsForm(t *testing.T) {
	t.Parallel()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	v := &httpsig.Verifier{Keys: keys(pub, "k")}
	req := seed001Request(t)
	s := &httpsig.Signer{KeyID: "k", Key: priv, Docs: true,
		Components: []string{"authorization", "content-digest", "content-length", "content-type", "x-client-id", "x-idempotency-key", "@method", "@target-uri", "@path", "@query"}}
	require.NoError(t, s.Sign(req, nil))
	require.Contains(t, req.Header.Get("Signature-Input"), `"Content-Digest"`)
	full := req.URL.String()
	got, err := v.Verify(req, full, httpsig.RequiredComponents(http.MethodGet, false, false, req.Header))
	require.NoError(t, err)
	require.True(t, got.DocsForm)
	req.Header.Set("X-Client-Id", "other")
	_, err = v.Verify(req, full, nil)
	require.Error(t, err)
}
