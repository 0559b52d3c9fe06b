package httpsig_test

import (
	"bufio"
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/openvest/openvest/httpsig"
	"github.com/stretchr/testify/require"
	"github.com/yaronf/httpsign"
)

// The request and key of RFC 9421 Appendix B.2.6 (and B.1.4).
const rfcRequest = "POST /foo?param=Value&Pet=dog HTTP/1.1\r\n" +
	"Host: example.com\r\n" +
	"Date: Tue, 20 Apr 2021 02:07:55 GMT\r\n" +
	"Content-Type: application/json\r\n" +
	"Content-Digest: sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:\r\n" +
	"Content-Length: 18\r\n" +
	"Signature-Input: sig-b26=(\"date\" \"@method\" \"@path\" \"@authority\" \"content-type\" \"content-length\");created=1618884473;keyid=\"test-key-ed25519\"\r\n" +
	"Signature: sig-b26=:wqcAqbmYJ2ji2glfAMaRy4gruYYnx2nEFN2HN6jrnDnQCK1u02Gb04v9EDgwUPiu4A0w6vuQv5lIp5WPpBKRCw==:\r\n" +
	"\r\n" +
	`{"hello": "world"}`

const rfcPublicKey = `-----BEGIN PUBLIC KEY-----
MCowBQYDK2VwAyEAJrQLj5P/89iXES9+vFgrIy29clF9CC/oPPsw3c5D0bs=
-----END PUBLIC KEY-----`

const rfcPrivateKey = `-----BEGIN PRIVATE KEY-----
MC4CAQAwBQYDK2VwBCIEIJ+DYvh6SEqVTm50DFtMDoQikTmiCqirVv9mWG9qfSnF
-----END PRIVATE KEY-----`

func readRequest(t *testing.T, raw string) (*http.Request, []byte) {
	t.Helper()
	req, err := http.ReadRequest(bufio.NewReader(strings.NewReader(raw)))
	require.NoError(t, err)
	body, err := io.ReadAll(req.Body)
	require.NoError(t, err)
	return req, body
}

func keys(pub ed25519.PublicKey, id string) httpsig.KeyFunc {
	return func(keyID string) (ed25519.PublicKey, error) {
		if keyID != id {
			return nil, errors.New("unknown key " + keyID)
		}
		return pub, nil
	}
}

func TestRFC9421AppendixB26Verifies(t *testing.T) {
	t.Parallel()
	req, body := readRequest(t, rfcRequest)
	pub, err := httpsig.ParsePublicKey([]byte(rfcPublicKey))
	require.NoError(t, err)
	priv, err := httpsig.ParsePrivateKey([]byte(rfcPrivateKey))
	require.NoError(t, err)
	require.Equal(t, pub, priv.Public())

	v := &httpsig.Verifier{Keys: keys(pub, "test-key-ed25519"), Now: func() time.Time { return time.Unix(1618884473+30, 0) }}
	got, err := v.Verify(req, "https://example.com/foo?param=Value&Pet=dog", nil)
	require.NoError(t, err)
	require.Equal(t, httpsig.FormRFC9421, got.Form)
	require.Equal(t, "sig-b26", got.Label)
	// The signature base of the RFC, byte for byte.
	require.Equal(t, `"date": Tue, 20 Apr 2021 02:07:55 GMT
"@method": POST
"@path": /foo
"@authority": example.com
"content-type": application/json
"content-length": 18
"@signature-params": ("date" "@method" "@path" "@authority" "content-type" "content-length");created=1618884473;keyid="test-key-ed25519"`, got.Base)
	require.NoError(t, httpsig.VerifyContentDigest(req.Header.Get("Content-Digest"), body))

	// One byte of the covered content changed: refused.
	req.Header.Set("Content-Length", "19")
	_, err = v.Verify(req, "", nil)
	var e *httpsig.Error
	require.ErrorAs(t, err, &e)
	require.Equal(t, http.StatusUnauthorized, e.Status)
	require.Contains(t, e.Reason, "does not verify")
	require.Contains(t, e.Base, `"content-length": 19`)
}

func newRequest(t *testing.T, method, url, body string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	require.NoError(t, err)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Authorization", "Bearer t0k3n")
	req.Header.Set("X-Client-Id", "client-1")
	return req
}

func TestSignThenVerifyBothForms(t *testing.T) {
	t.Parallel()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	now := time.Unix(1_800_000_000, 0)
	v := &httpsig.Verifier{Keys: keys(pub, "k1"), Now: func() time.Time { return now }}
	for _, tc := range []struct {
		name      string
		form      httpsig.Form
		docsNames bool
	}{
		{"rfc lowercase", httpsig.FormRFC9421, false},
		{"rfc docs names", httpsig.FormRFC9421, true},
		{"sha-512 docs names", httpsig.FormSHA512, true},
		{"sha-512 lowercase", httpsig.FormSHA512, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body := `{"customerId": 123456, "currency": "ZMW", "investmentTypes": "INTERNATIONAL_STOCKS"}`
			req := newRequest(t, "POST", "https://api.example.com/v1/accounts", body)
			req.Header.Set("X-Idempotency-Key", httpsig.NewIdempotencyKey())
			s := &httpsig.Signer{KeyID: "k1", Key: priv, Form: tc.form, DocsNames: tc.docsNames, Now: func() time.Time { return now }}
			require.NoError(t, s.Sign(req, []byte(body)))
			if tc.docsNames {
				require.Contains(t, req.Header.Get("Signature-Input"), `"Content-Digest"`)
			}
			required := httpsig.RequiredComponents("POST", true, false, req.Header)
			got, err := v.Verify(req, "https://api.example.com/v1/accounts", required)
			require.NoError(t, err)
			require.Equal(t, tc.form, got.Form)
			require.NoError(t, httpsig.VerifyContentDigest(req.Header.Get("Content-Digest"), []byte(body)))

			// Another target URI (another host): refused.
			_, err = v.Verify(req, "https://evil.example.com/v1/accounts", required)
			require.ErrorContains(t, err, "does not verify")
		})
	}
}

// TestIndependentRFC9421Signer: a request signed by a separate RFC 9421
// implementation verifies here.
func TestIndependentRFC9421Signer(t *testing.T) {
	t.Parallel()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	body := `{"firstName":"Jane","lastName":"Banda"}`
	req := newRequest(t, "POST", "https://api.example.com/v1/customers", body)
	req.Header.Set("Content-Digest", httpsig.ContentDigest([]byte(body)))
	req.Header.Set("Content-Length", "39")
	req.Header.Set("X-Idempotency-Key", "3f0e5c1e-8d1b-4f7a-9d55-0c5e0f0b7a11")
	fields := httpsign.Headers("@method", "@target-uri", "@path", "content-type", "content-digest", "content-length", "authorization", "x-client-id", "x-idempotency-key")
	signer, err := httpsign.NewEd25519Signer(priv, httpsign.NewSignConfig().SetKeyID("k1").SignAlg(false), fields)
	require.NoError(t, err)
	input, sig, err := httpsign.SignRequest("sig1", *signer, req)
	require.NoError(t, err)
	req.Header.Set("Signature-Input", input)
	req.Header.Set("Signature", sig)

	v := &httpsig.Verifier{Keys: keys(pub, "k1")}
	got, err := v.Verify(req, "https://api.example.com/v1/customers", httpsig.RequiredComponents("POST", true, false, req.Header))
	require.NoError(t, err)
	require.Equal(t, httpsig.FormRFC9421, got.Form)
}

func TestContentDigest(t *testing.T) {
	t.Parallel()
	body := []byte(`{"hello": "world"}`)
	require.Equal(t, "sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:", httpsig.ContentDigest(body))
	for _, tc := range []struct {
		header, want string
	}{
		{"sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:", ""},
		{"sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:, sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:", ""},
		{"sha-256=:AAAA9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:", "does not match"},
		{"md5=:AAAA:", "no supported algorithm (got md5)"},
		{"sha-512=\"abc\"", "must be a byte sequence"},
		{"sha-512=:not base64!:", "not a valid structured-field dictionary"},
		{"", "is empty"},
	} {
		err := httpsig.VerifyContentDigest(tc.header, body)
		if tc.want == "" {
			require.NoError(t, err, tc.header)
			continue
		}
		var e *httpsig.Error
		require.ErrorAs(t, err, &e, tc.header)
		require.Equal(t, http.StatusBadRequest, e.Status)
		require.Contains(t, e.Reason, tc.want, tc.header)
	}
}

func TestTransportSignsAndAddsIdempotencyKey(t *testing.T) {
	t.Parallel()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	var seen *http.Request
	var seenBody []byte
	tr := &httpsig.Transport{Signer: &httpsig.Signer{KeyID: "k1", Key: priv}, Base: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		seen = r
		seenBody, _ = io.ReadAll(r.Body)
		return &http.Response{StatusCode: 204, Body: http.NoBody, Request: r}, nil
	})}
	req := newRequest(t, "POST", "http://localhost:8080/v1/customers", `{"firstName":"A","lastName":"B"}`)
	_, err = tr.RoundTrip(req)
	require.NoError(t, err)
	require.Empty(t, req.Header.Get("Signature"), "the caller's request is not modified")
	require.Len(t, seen.Header.Get("X-Idempotency-Key"), 36)
	require.Equal(t, `{"firstName":"A","lastName":"B"}`, string(seenBody))
	seen.Body = io.NopCloser(bytes.NewReader(seenBody))
	v := &httpsig.Verifier{Keys: keys(pub, "k1")}
	_, err = v.Verify(seen, "http://localhost:8080/v1/customers", httpsig.RequiredComponents("POST", true, false, seen.Header))
	require.NoError(t, err)
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
