package httpsig_test

import (
	"crypto/ed25519"
	"crypto/rand"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/openvest/openvest/httpsig"
	"github.com/stretchr/testify/require"
)

// verifyAt signs req at signed with s (its Now replaced) and verifies it at
// now with the default skew (60s) and maximum age (5m).
func verifyAt(t *testing.T, s httpsig.Signer, pub ed25519.PublicKey, method, body string, signed, now time.Time) error {
	t.Helper()
	url := "https://api.example.com/v1/customers"
	req := newRequest(t, method, url, body)
	s.Now = func() time.Time { return signed }
	require.NoError(t, s.Sign(req, []byte(body)))
	v := &httpsig.Verifier{Keys: keys(pub, s.KeyID), Now: func() time.Time { return now }}
	_, err := v.Verify(req, url, httpsig.RequiredComponents(method, body != "", false, req.Header))
	return err
}

// TestSignatureExpiry: expires (created + TTL) is honoured with the clock
// skew, and a signature without expires still ages out after MaxAge.
func TestSignatureExpiry(t *testing.T) {
	t.Parallel()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	created := time.Unix(1_800_000_000, 0)
	for _, tc := range []struct {
		name string
		ttl  time.Duration // the signer's: expires = created + ttl; negative for none
		age  time.Duration // how long after created it is verified
		want string        // error substring; empty when it verifies
	}{
		{"within its ttl", 30 * time.Second, 29 * time.Second, ""},
		{"past expires, within the skew", 30 * time.Second, 89 * time.Second, ""},
		{"past expires and the skew", 30 * time.Second, 91 * time.Second, "the signature expired 1m1s ago"},
		{"a long ttl still ends at expires", time.Hour, 61*time.Minute + time.Second, "the signature expired"},
		{"no expires, within the maximum age", -1, 5 * time.Minute, ""},
		{"no expires, older than the maximum age and skew", -1, 6*time.Minute + time.Second, "signatures older than 5m0s are refused"},
		{"created in the future within the skew", -1, -59 * time.Second, ""},
		{"created in the future beyond the skew", -1, -2 * time.Minute, "in the future"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := httpsig.Signer{KeyID: "k1", Key: priv, TTL: tc.ttl}
			err := verifyAt(t, s, pub, "GET", "", created, created.Add(tc.age))
			if tc.want == "" {
				require.NoError(t, err)
				return
			}
			var e *httpsig.Error
			require.ErrorAs(t, err, &e)
			require.Equal(t, http.StatusUnauthorized, e.Status)
			require.Equal(t, httpsig.KindStale, e.Kind)
			require.Contains(t, e.Reason, tc.want)
		})
	}

	// expires before created is malformed, whatever the time.
	req := newRequest(t, "GET", "https://api.example.com/v1/customers", "")
	s := &httpsig.Signer{KeyID: "k1", Key: priv, Now: func() time.Time { return created }}
	require.NoError(t, s.Sign(req, nil))
	req.Header.Set("Signature-Input", strings.Replace(req.Header.Get("Signature-Input"), "expires=1800000060", "expires=1799999999", 1))
	_, err = (&httpsig.Verifier{Keys: keys(pub, "k1"), Now: func() time.Time { return created }}).Verify(req, "https://api.example.com/v1/customers", nil)
	require.ErrorContains(t, err, "expires=1799999999 is before created=1800000000")
}

// TestRequiredComponents: the components a signature must cover per
// request kind, and a signature that leaves one out is refused naming it.
func TestRequiredComponents(t *testing.T) {
	t.Parallel()
	withKey := http.Header{}
	withKey.Set("X-Idempotency-Key", "k")
	withKey.Set("Idempotency-Key", "k")
	for _, tc := range []struct {
		method  string
		hasBody bool
		token   bool
		header  http.Header
		want    []string
	}{
		{"GET", false, false, nil, []string{"@method", "@target-uri", "@path", "@query", "authorization", "x-client-id"}},
		{"delete", false, false, nil, []string{"@method", "@target-uri", "@path", "@query", "authorization", "x-client-id"}},
		{"POST", true, false, nil, []string{"@method", "@target-uri", "@path", "content-type", "content-digest", "content-length", "authorization", "x-client-id"}},
		{"POST", true, true, nil, []string{"@method", "@target-uri", "@path", "content-type", "content-digest", "content-length"}},
		{"PUT", false, false, withKey, []string{"@method", "@target-uri", "@path", "authorization", "x-client-id", "x-idempotency-key", "idempotency-key"}},
	} {
		require.Equal(t, tc.want, httpsig.RequiredComponents(tc.method, tc.hasBody, tc.token, tc.header), "%s body=%v token=%v", tc.method, tc.hasBody, tc.token)
	}
	require.True(t, httpsig.TokenCall("POST", "/v1/oauth/token"))
	require.True(t, httpsig.TokenCall("POST", "/v1/auth"))
	require.False(t, httpsig.TokenCall("GET", "/v1/auth"))
	require.False(t, httpsig.TokenCall("POST", "/v1/customers"))

	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	now := time.Unix(1_800_000_000, 0)
	url := "https://api.example.com/v1/customers"
	body := `{"firstName":"A","lastName":"B"}`
	v := &httpsig.Verifier{Keys: keys(pub, "k1"), Now: func() time.Time { return now }}
	for _, tc := range []struct {
		name       string
		components []string
		missing    string
	}{
		{"no digest", []string{"@method", "@target-uri", "@path", "content-type", "content-length", "authorization", "x-client-id", "x-idempotency-key"}, "missing: content-digest"},
		{"no idempotency key", []string{"@method", "@target-uri", "@path", "content-type", "content-digest", "content-length", "authorization", "x-client-id"}, "missing: x-idempotency-key"},
		{"no authorization nor client", []string{"@method", "@target-uri", "@path", "content-type", "content-digest", "content-length", "x-idempotency-key"}, "missing: authorization, x-client-id"},
	} {
		req := newRequest(t, "POST", url, body)
		req.Header.Set("X-Idempotency-Key", "3f0e5c1e-8d1b-4f7a-9d55-0c5e0f0b7a11")
		s := &httpsig.Signer{KeyID: "k1", Key: priv, Components: tc.components, Now: func() time.Time { return now }}
		require.NoError(t, s.Sign(req, []byte(body)), tc.name)
		required := httpsig.RequiredComponents("POST", true, false, req.Header)
		_, err := v.Verify(req, url, required)
		var e *httpsig.Error
		require.ErrorAs(t, err, &e, tc.name)
		require.Equal(t, httpsig.KindMalformed, e.Kind, tc.name)
		require.Contains(t, e.Reason, "the signature must cover", tc.name)
		require.True(t, strings.HasSuffix(e.Reason, tc.missing), "%s: %s", tc.name, e.Reason)
		_, err = v.Verify(req, url, nil)
		require.NoError(t, err, "%s: the same signature verifies when nothing is required", tc.name)
	}
}

// TestBodyHashing: the signer digests the exact body, the digest is a
// covered component, so a changed body fails the digest and a digest
// rewritten to match the changed body fails the signature.
func TestBodyHashing(t *testing.T) {
	t.Parallel()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	now := time.Unix(1_800_000_000, 0)
	url := "https://api.example.com/v1/customers"
	body := []byte(`{"firstName":"A","lastName":"B"}`)
	req := newRequest(t, "POST", url, string(body))
	require.NoError(t, (&httpsig.Signer{KeyID: "k1", Key: priv, Now: func() time.Time { return now }}).Sign(req, body))
	require.Equal(t, httpsig.ContentDigest(body), req.Header.Get("Content-Digest"), "the signer digests the body with sha-512")
	require.Equal(t, "32", req.Header.Get("Content-Length"))
	require.NotEqual(t, httpsig.ContentDigest(body), httpsig.ContentDigest(append([]byte(" "), body...)), "one byte changes the digest")
	require.Equal(t, "sha-512=:z4PhNX7vuL3xVChQ1m2AB9Yg5AULVxXcg/SpIdNs6c5H0NE8XYXysP+DGNKHfuwvY7kxvUdBeoGlODJ6+SfaPg==:", httpsig.ContentDigest(nil), "the sha-512 of no bytes")

	v := &httpsig.Verifier{Keys: keys(pub, "k1"), Now: func() time.Time { return now }}
	required := httpsig.RequiredComponents("POST", true, false, req.Header)
	_, err = v.Verify(req, url, required)
	require.NoError(t, err)
	require.NoError(t, httpsig.VerifyContentDigest(req.Header.Get("Content-Digest"), body))

	changed := []byte(`{"firstName":"A","lastName":"C"}`)
	var e *httpsig.Error
	require.ErrorAs(t, httpsig.VerifyContentDigest(req.Header.Get("Content-Digest"), changed), &e, "the digest is of the signed body")
	require.Equal(t, httpsig.KindMismatch, e.Kind)
	require.Contains(t, e.Reason, "does not match the request body (32 bytes)")

	req.Header.Set("Content-Digest", httpsig.ContentDigest(changed))
	require.NoError(t, httpsig.VerifyContentDigest(req.Header.Get("Content-Digest"), changed))
	_, err = v.Verify(req, url, required)
	require.ErrorAs(t, err, &e, "a digest swapped for the changed body's breaks the signature")
	require.Equal(t, httpsig.KindInvalid, e.Kind)
	require.Contains(t, e.Base, `"content-digest": `+httpsig.ContentDigest(changed))

	// A caller's own Content-Digest (sha-256 here) is kept and signed.
	req = newRequest(t, "POST", url, string(body))
	req.Header.Set("Content-Digest", "sha-256=:"+"X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE="+":")
	require.NoError(t, (&httpsig.Signer{KeyID: "k1", Key: priv, Now: func() time.Time { return now }}).Sign(req, body))
	require.True(t, strings.HasPrefix(req.Header.Get("Content-Digest"), "sha-256="))
}
