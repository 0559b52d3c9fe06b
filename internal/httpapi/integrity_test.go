package httpapi_test

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/openvest/openvest/httpsig"
	"github.com/openvest/openvest/internal/apitest"
	"github.com/stretchr/testify/require"
)

func TestBothSignatureFormsAccepted(t *testing.T) {
	t.Parallel()
	b := setup(t)
	for _, tc := range []struct {
		name string
		s    func(*httpsig.Signer)
	}{
		{"RFC 9421, lowercase names", func(*httpsig.Signer) {}},
		{"investing docs: sha-512 of the base, capitalized names", func(s *httpsig.Signer) { s.Form, s.DocsNames = httpsig.FormSHA512, true }},
		{"RFC 9421 with capitalized names", func(s *httpsig.Signer) { s.DocsNames = true }},
		{"sha-512 of the base, lowercase names", func(s *httpsig.Signer) { s.Form = httpsig.FormSHA512 }},
	} {
		signer := b.tenant.Signer()
		tc.s(signer)
		res := b.tenant.DoWith(t, "POST", "/v1/customers", map[string]any{"firstName": "A", "lastName": "B"}, apitest.Call{Signer: signer})
		require.Equal(t, http.StatusCreated, res.Status, "%s: %s", tc.name, res.Body)
		res = b.tenant.DoWith(t, "GET", "/v1/customers?limit=5", nil, apitest.Call{Signer: signer})
		require.Equal(t, http.StatusOK, res.Status, "%s: %s", tc.name, res.Body)
	}
}

// forgery is one broken or forged request and how it must be refused.
type forgery struct {
	name   string
	method string // default POST /v1/customers
	path   string
	call   func(t *testing.T, f *forgeryEnv) apitest.Call
	status int
	reason string
}

type forgeryEnv struct {
	tn, other   *apitest.Tenant
	revokedKey  ed25519.PrivateKey
	secondToken string
}

func signer(f *forgeryEnv, change func(*httpsig.Signer)) apitest.Call {
	s := f.tn.Signer()
	change(s)
	return apitest.Call{Signer: s}
}

// dropping signs without one required component.
func dropping(component string) func(t *testing.T, f *forgeryEnv) apitest.Call {
	return func(t *testing.T, f *forgeryEnv) apitest.Call {
		return apitest.Call{Tamper: func(r *http.Request) {
			var keep []string
			for _, c := range httpsig.RequiredComponents(r.Method, r.ContentLength > 0, false, r.Header) {
				if c != component {
					keep = append(keep, c)
				}
			}
			s := f.tn.Signer()
			s.Components = keep
			resign(t, s, r)
		}}
	}
}

// resign signs r again (its body is the JSON of the case).
func resign(t *testing.T, s *httpsig.Signer, r *http.Request) {
	body := []byte(`{"firstName":"Forged","lastName":"Request"}`)
	if r.Method == http.MethodGet {
		body = nil
	}
	require.NoError(t, s.Sign(r, body))
}

func tamper(fn func(r *http.Request)) func(*testing.T, *forgeryEnv) apitest.Call {
	return func(*testing.T, *forgeryEnv) apitest.Call { return apitest.Call{Tamper: fn} }
}

func setHeader(name, value string) func(*testing.T, *forgeryEnv) apitest.Call {
	return tamper(func(r *http.Request) { r.Header.Set(name, value) })
}

func replaceIn(header, old, new string) func(*testing.T, *forgeryEnv) apitest.Call {
	return tamper(func(r *http.Request) { r.Header.Set(header, strings.Replace(r.Header.Get(header), old, new, 1)) })
}

var forgeries = []forgery{
	// Covered content altered after signing.
	{name: "body changed after signing", call: tamper(func(r *http.Request) {
		r.Body, r.ContentLength = bodyOf(`{"firstName":"Forged","lastName":"Requesu"}`), 43
	}), status: 400, reason: "does not match the request body"},
	{name: "body and digest changed after signing", call: tamper(func(r *http.Request) {
		b := `{"firstName":"Forged","lastName":"Requesu"}`
		r.Body, r.ContentLength = bodyOf(b), int64(len(b))
		r.Header.Set("Content-Digest", httpsig.ContentDigest([]byte(b)))
	}), status: 401, reason: "does not verify"},
	{name: "content type changed", call: setHeader("Content-Type", "application/json; charset=utf-8"), status: 401, reason: "does not verify"},
	{name: "idempotency key changed", call: setHeader("X-Idempotency-Key", "another-key"), status: 401, reason: "does not verify"},
	{name: "another token of the same organization", call: func(_ *testing.T, f *forgeryEnv) apitest.Call {
		return apitest.Call{Tamper: func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+f.secondToken) }}
	}, status: 401, reason: "does not verify"},
	{name: "method changed", call: tamper(func(r *http.Request) { r.Method = http.MethodPut }), status: 401, reason: "does not verify"},
	{name: "path changed", call: tamper(func(r *http.Request) { r.URL.Path = "/v1/portfolio" }), status: 401, reason: "does not verify"},
	{name: "query added", call: tamper(func(r *http.Request) { r.URL.RawQuery = "x=1" }), status: 401, reason: "does not verify"},
	{name: "GET query changed", method: "GET", path: "/v1/customers?limit=5", call: tamper(func(r *http.Request) { r.URL.RawQuery = "limit=6" }), status: 401, reason: "does not verify"},
	{name: "@target-uri of another host", call: func(_ *testing.T, f *forgeryEnv) apitest.Call {
		return signer(f, func(s *httpsig.Signer) { s.TargetURI = "https://api.evil.example/v1/customers" })
	}, status: 401, reason: "does not verify"},
	{name: "GET @target-uri of another host", method: "GET", path: "/v1/customers", call: func(_ *testing.T, f *forgeryEnv) apitest.Call {
		return signer(f, func(s *httpsig.Signer) { s.TargetURI = "http://other.example/v1/customers" })
	}, status: 401, reason: "does not verify"},

	// Required components dropped.
	{name: "no @method", call: dropping("@method"), status: 401, reason: "missing: @method"},
	{name: "no @target-uri", call: dropping("@target-uri"), status: 401, reason: "missing: @target-uri"},
	{name: "no @path", call: dropping("@path"), status: 401, reason: "missing: @path"},
	{name: "no content-type", call: dropping("content-type"), status: 401, reason: "missing: content-type"},
	{name: "no content-digest", call: dropping("content-digest"), status: 401, reason: "missing: content-digest"},
	{name: "no content-length", call: dropping("content-length"), status: 401, reason: "missing: content-length"},
	{name: "no authorization", call: dropping("authorization"), status: 401, reason: "missing: authorization"},
	{name: "no x-client-id", call: dropping("x-client-id"), status: 401, reason: "missing: x-client-id"},
	{name: "no x-idempotency-key", call: dropping("x-idempotency-key"), status: 401, reason: "missing: x-idempotency-key"},
	{name: "GET without @query", method: "GET", path: "/v1/customers?limit=5", call: dropping("@query"), status: 401, reason: "missing: @query"},

	// Structure.
	{name: "components reordered after signing", call: replaceIn("Signature-Input", `"@method" "@target-uri"`, `"@target-uri" "@method"`), status: 401, reason: "does not verify"},
	{name: "component names recased after signing", call: replaceIn("Signature-Input", `"content-type"`, `"Content-Type"`), status: 401, reason: "does not verify"},
	{name: "duplicate label in Signature-Input", call: tamper(func(r *http.Request) {
		r.Header.Set("Signature-Input", r.Header.Get("Signature-Input")+", "+r.Header.Get("Signature-Input"))
	}), status: 401, reason: "more than once"},
	{name: "duplicate label in Signature", call: tamper(func(r *http.Request) {
		r.Header.Set("Signature", r.Header.Get("Signature")+", "+r.Header.Get("Signature"))
	}), status: 401, reason: "more than once"},
	{name: "component listed twice", call: replaceIn("Signature-Input", `("@method"`, `("@method" "@method"`), status: 401, reason: "listed more than once"},
	{name: "component with a parameter", call: replaceIn("Signature-Input", `"content-type"`, `"content-type";sf`), status: 401, reason: "parameters"},
	{name: "unsupported derived component", call: replaceIn("Signature-Input", `("@method"`, `("@status" "@method"`), status: 401, reason: "not a derived component"},
	{name: "malformed Signature-Input", call: setHeader("Signature-Input", `sig1=("@method" "@path";created=x`), status: 401, reason: "not a valid structured-field dictionary"},
	{name: "Signature not a byte sequence", call: setHeader("Signature", `sig1="abc"`), status: 401, reason: "must be a byte sequence"},
	{name: "bad base64 in Signature", call: setHeader("Signature", `sig1=:!!not base64!!:`), status: 401, reason: "not a valid structured-field dictionary"},
	{name: "labels differ", call: replaceIn("Signature", "sig1=", "sig2="), status: 401, reason: "Signature has no sig1"},
	{name: "Signature-Input without Signature", call: setHeader("Signature", ""), status: 401, reason: "Signature is missing"},
	{name: "Signature without Signature-Input", call: setHeader("Signature-Input", ""), status: 401, reason: "Signature-Input is missing"},
	{name: "no keyid", call: replaceIn("Signature-Input", `;keyid="test-key-1"`, ""), status: 401, reason: "no keyid"},
	{name: "no created", call: tamper(func(r *http.Request) {
		h := r.Header.Get("Signature-Input")
		i := strings.Index(h, ";created=")
		j := strings.Index(h[i+1:], ";")
		r.Header.Set("Signature-Input", h[:i]+h[i+1+j:])
	}), status: 401, reason: "no created"},
	{name: "another algorithm", call: replaceIn("Signature-Input", `;keyid=`, `;alg="rsa-pss-sha512";keyid=`), status: 401, reason: "not supported"},
	{name: "wrong signature bytes", call: setHeader("Signature", "sig1=:"+base64.StdEncoding.EncodeToString(make([]byte, 64))+":"), status: 401, reason: "does not verify"},

	// Keys.
	{name: "unknown key", call: func(_ *testing.T, f *forgeryEnv) apitest.Call {
		return signer(f, func(s *httpsig.Signer) { s.KeyID = "no-such-key" })
	}, status: 401, reason: `unknown keyid "no-such-key"`},
	{name: "another organization's key", call: func(_ *testing.T, f *forgeryEnv) apitest.Call {
		return signer(f, func(s *httpsig.Signer) { s.KeyID, s.Key = "other-org-key", f.other.Key })
	}, status: 401, reason: `unknown keyid "other-org-key"`},
	{name: "our key id, another organization's private key", call: func(_ *testing.T, f *forgeryEnv) apitest.Call {
		return signer(f, func(s *httpsig.Signer) { s.Key = f.other.Key })
	}, status: 401, reason: "does not verify"},
	{name: "revoked key", call: func(_ *testing.T, f *forgeryEnv) apitest.Call {
		return signer(f, func(s *httpsig.Signer) { s.KeyID, s.Key = "revoked-key", f.revokedKey })
	}, status: 401, reason: "was revoked"},

	// Time.
	{name: "expired", call: func(_ *testing.T, f *forgeryEnv) apitest.Call {
		return signer(f, func(s *httpsig.Signer) {
			s.Now = func() time.Time { return time.Now().Add(-3 * time.Minute) }
			s.TTL = time.Minute
		})
	}, status: 401, reason: "expired"},
	{name: "created in the future", call: func(_ *testing.T, f *forgeryEnv) apitest.Call {
		return signer(f, func(s *httpsig.Signer) { s.Now = func() time.Time { return time.Now().Add(5 * time.Minute) } })
	}, status: 401, reason: "in the future"},
	{name: "too old, without expires", call: func(_ *testing.T, f *forgeryEnv) apitest.Call {
		return signer(f, func(s *httpsig.Signer) {
			s.Now = func() time.Time { return time.Now().Add(-7 * time.Minute) }
			s.TTL = -1
		})
	}, status: 401, reason: "older than 5m0s"},

	// Digests and policy.
	{name: "digest of another body", call: setHeader("Content-Digest", httpsig.ContentDigest([]byte("{}"))), status: 400, reason: "does not match the request body"},
	{name: "unknown digest algorithm", call: setHeader("Content-Digest", "md5=:AAAAAAAAAAAAAAAAAAAAAA==:"), status: 400, reason: "no supported algorithm"},
	{name: "malformed digest", call: setHeader("Content-Digest", "sha-512=abc"), status: 400, reason: "must be a byte sequence"},
	{name: "unsigned", call: func(*testing.T, *forgeryEnv) apitest.Call { return apitest.Call{Unsigned: true} }, status: 400, reason: "requires a Content-Digest"},
	{name: "unsigned, with a digest", call: func(*testing.T, *forgeryEnv) apitest.Call {
		return apitest.Call{Unsigned: true, Header: http.Header{"Content-Digest": {httpsig.ContentDigest([]byte(`{"firstName":"Forged","lastName":"Request"}`))}}}
	}, status: 401, reason: "requires signed requests"},
	{name: "unsigned GET", method: "GET", path: "/v1/customers", call: func(*testing.T, *forgeryEnv) apitest.Call { return apitest.Call{Unsigned: true} }, status: 401, reason: "requires signed requests"},
}

// TestForgedRequestsAreRefused: each broken or forged request is refused
// with the right status and a reason, and none of them writes anything.
func TestForgedRequestsAreRefused(t *testing.T) {
	t.Parallel()
	require.GreaterOrEqual(t, len(forgeries), 40)
	b := setup(t)
	f := &forgeryEnv{tn: b.tenant, other: b.env.NewTenant(t, apitest.TenantOptions{}), secondToken: b.tenant.NewToken(t)}
	ctx := t.Context()
	_, err := b.env.App.Auth.AddKey(ctx, f.other.Org.ClientID, "other-org-key", f.other.Key.Public().(ed25519.PublicKey))
	require.NoError(t, err)
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	_, err = b.env.App.Auth.AddKey(ctx, b.tenant.Org.ClientID, "revoked-key", pub)
	require.NoError(t, err)
	require.NoError(t, b.env.App.Auth.RevokeKey(ctx, b.tenant.Org.ClientID, "revoked-key"))
	f.revokedKey = priv

	for _, fc := range forgeries {
		method, p := fc.method, fc.path
		var body any
		if method == "" {
			method, p, body = "POST", "/v1/customers", map[string]any{"firstName": "Forged", "lastName": "Request"}
		}
		res := b.tenant.DoWith(t, method, p, body, fc.call(t, f))
		require.Equal(t, fc.status, res.Status, "%s: %s", fc.name, res.Body)
		var e errorBody
		res.JSON(t, &e)
		require.Contains(t, e.Message, fc.reason, fc.name)
		require.Empty(t, e.SignatureBase, "%s: a production organization never sees the signature base", fc.name)
	}

	require.Empty(t, items(t, b.tenant.Do(t, "GET", "/v1/customers", nil)), "no forged request wrote a customer")
	var n int64
	require.NoError(t, b.env.App.Store.DB.Table("idempotency_keys").Where("organization_id = ?", b.tenant.Org.ID).Count(&n).Error)
	require.Zero(t, n, "no forged request stored an idempotency record")
}

func TestSandboxRefusalsShowTheSignatureBase(t *testing.T) {
	t.Parallel()
	env := apitest.Start(t, apitest.Options{})
	sandbox := env.NewTenant(t, apitest.TenantOptions{Sandbox: true})
	require.Equal(t, "optional", string(sandbox.Org.SignaturePolicy))

	// Optional: unsigned calls pass…
	res := sandbox.DoWith(t, "POST", "/v1/customers", map[string]any{"firstName": "A", "lastName": "B"}, apitest.Call{Unsigned: true})
	require.Equal(t, http.StatusCreated, res.Status, "%s", res.Body)
	// …but a signature that is present is verified, and the refusal shows
	// the base the server computed.
	res = sandbox.DoWith(t, "POST", "/v1/customers", map[string]any{"firstName": "A", "lastName": "B"},
		apitest.Call{Tamper: func(r *http.Request) { r.Header.Set("X-Idempotency-Key", "changed") }})
	require.Equal(t, http.StatusUnauthorized, res.Status)
	var e errorBody
	res.JSON(t, &e)
	require.Contains(t, e.SignatureBase, `"x-idempotency-key": changed`)
	require.Contains(t, e.SignatureBase, `"@signature-params": (`)
	require.Contains(t, e.SignatureBase, `"@target-uri": `+env.Server.URL+"/v1/customers")
	// A digest present is checked too.
	res = sandbox.DoWith(t, "POST", "/v1/customers", map[string]any{"firstName": "A", "lastName": "B"},
		apitest.Call{Unsigned: true, Header: http.Header{"Content-Digest": {httpsig.ContentDigest([]byte("other"))}}})
	require.Equal(t, http.StatusBadRequest, res.Status)
}

func bodyOf(s string) io.ReadCloser { return io.NopCloser(strings.NewReader(s)) }

// TestTargetURIBehindAProxy: with OPENVEST_PUBLIC_URL set, @target-uri is
// the public URL the client called, not the address the server listens on.
func TestTargetURIBehindAProxy(t *testing.T) {
	t.Parallel()
	env := apitest.Start(t, apitest.Options{PublicURL: "https://api.openvest.example"})
	tn := env.NewTenant(t, apitest.TenantOptions{}) // signs https://api.openvest.example/…
	res := tn.Do(t, "GET", "/v1/customers?limit=2", nil)
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	// Signed with the address the server listens on: refused.
	res = tn.DoWith(t, "GET", "/v1/customers?limit=2", nil, apitest.Call{Signer: tn.Signer()})
	require.Equal(t, http.StatusUnauthorized, res.Status)
	require.Contains(t, res.Map(t)["message"], "@target-uri here is https://api.openvest.example/v1/customers?limit=2")
}

// TestIntegrityOnEverySurface: the wallet surface verifies signatures too,
// and refuses in its own error shape.
func TestIntegrityOnEverySurface(t *testing.T) {
	t.Parallel()
	env := apitest.Start(t, apitest.Options{})
	sandbox := env.NewTenant(t, apitest.TenantOptions{Sandbox: true})
	res := sandbox.DoWith(t, "POST", "/counterparty", map[string]any{"name": "Bank"},
		apitest.Call{Tamper: func(r *http.Request) { r.Header.Set("X-Idempotency-Key", "changed") }})
	require.Equal(t, http.StatusUnauthorized, res.Status, "%s", res.Body)
	m := res.Map(t)
	require.Equal(t, "UNAUTHORIZED", m["error"])
	require.Contains(t, m["signature_base"], `"x-idempotency-key": changed`)

	prod := env.NewTenant(t, apitest.TenantOptions{})
	res = prod.DoWith(t, "POST", "/counterparty", map[string]any{"name": "Bank"}, apitest.Call{Unsigned: true})
	require.Equal(t, http.StatusBadRequest, res.Status, "%s", res.Body)
	require.Contains(t, res.Map(t)["message"], "requires a Content-Digest")
	require.Equal(t, http.StatusOK, prod.Do(t, "POST", "/counterparty", map[string]any{"name": "Bank"}).Status)
}
