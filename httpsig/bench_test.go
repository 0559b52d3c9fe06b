package httpsig_test

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/openvest/openvest/httpsig"
)

// benchRequests are a signed GET and a signed POST shaped as the API's
// (bearer token, client id, idempotency key, Content-Digest), as
// `make bench` sends them.
func benchRequests(b *testing.B) (get, post func() *http.Request, body []byte, v *httpsig.Verifier) {
	b.Helper()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		b.Fatal(err)
	}
	now := time.Unix(1_800_000_000, 0)
	signer := &httpsig.Signer{KeyID: "bench", Key: priv, Now: func() time.Time { return now }}
	headers := func(req *http.Request) {
		req.Header.Set("Authorization", "Bearer ov_at_0123456789abcdefghijklmnopqrstuvwxyzABCDEFG")
		req.Header.Set("X-Client-Id", "ov_client_0123456789abcdef")
	}
	g, _ := http.NewRequest(http.MethodGet, "http://127.0.0.1:8080/v1/customers/12345", nil)
	headers(g)
	if err := signer.Sign(g, nil); err != nil {
		b.Fatal(err)
	}
	body = []byte(`{"firstName":"Ada","lastName":"Lovelace","email":"ada@example.com","phoneNumber":"+254700000001","dateOfBirth":"1990-01-01","externalReference":"bench-1"}`)
	p, _ := http.NewRequest(http.MethodPost, "http://127.0.0.1:8080/v1/customers", bytes.NewReader(body))
	headers(p)
	p.Header.Set("Content-Type", "application/json")
	p.Header.Set("X-Idempotency-Key", httpsig.NewIdempotencyKey())
	if err := signer.Sign(p, body); err != nil {
		b.Fatal(err)
	}
	clone := func(r *http.Request) func() *http.Request {
		return func() *http.Request {
			c := r.Clone(r.Context())
			c.Host = "127.0.0.1:8080"
			if r.Body != nil {
				c.Body = io.NopCloser(bytes.NewReader(body))
			}
			return c
		}
	}
	v = &httpsig.Verifier{Keys: keys(pub, "bench"), Now: func() time.Time { return now }}
	return clone(g), clone(p), body, v
}

// BenchmarkVerify is the server's work on a signed request (go test
// -bench Verify -benchmem ./httpsig).
func BenchmarkVerify(b *testing.B) {
	get, post, body, v := benchRequests(b)
	b.Run("GET", func(b *testing.B) {
		req := get()
		required := httpsig.RequiredComponents(req.Method, false, false, req.Header)
		b.ReportAllocs()
		for b.Loop() {
			if _, err := v.Verify(req, "http://127.0.0.1:8080/v1/customers/12345", required); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("POST", func(b *testing.B) {
		req := post()
		b.ReportAllocs()
		for b.Loop() {
			required := httpsig.RequiredComponents(req.Method, true, false, req.Header)
			if err := httpsig.VerifyContentDigest(req.Header.Get("Content-Digest"), body); err != nil {
				b.Fatal(err)
			}
			if _, err := v.Verify(req, "http://127.0.0.1:8080/v1/customers", required); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkEd25519Verify is the floor of BenchmarkVerify: the signature
// check alone.
func BenchmarkEd25519Verify(b *testing.B) {
	pub, priv, _ := ed25519.GenerateKey(rand.Reader)
	msg := bytes.Repeat([]byte("x"), 400)
	sig := ed25519.Sign(priv, msg)
	b.ReportAllocs()
	for b.Loop() {
		if !ed25519.Verify(pub, msg, sig) {
			b.Fatal("does not verify")
		}
	}
}

// BenchmarkEd25519Sign compares the standard library's signing with
// SignEd25519's (the same signature bytes).
func BenchmarkEd25519Sign(b *testing.B) {
	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	msg := bytes.Repeat([]byte("x"), 600)
	b.Run("stdlib", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			ed25519.Sign(priv, msg)
		}
	})
	b.Run("SignEd25519", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			httpsig.SignEd25519(priv, msg)
		}
	})
}

// webhookSigners are the two signatures of a webhook delivery
// (internal/webhook.Deliver): sig1 the investing docs' form, sig2 RFC 9421.
func webhookSigners(priv ed25519.PrivateKey, now time.Time) []*httpsig.Signer {
	return []*httpsig.Signer{
		{KeyID: "whk_1", Key: priv, Now: func() time.Time { return now }, Label: "sig1", Form: httpsig.FormSHA512, DocsNames: true,
			Components: []string{"Content-Type", "Content-Digest", "Content-Length", "@method", "@target-uri", "@path"}, TargetURI: "https://receiver.example.com"},
		{KeyID: "whk_1", Key: priv, Now: func() time.Time { return now }, Label: "sig2",
			Components: []string{"@method", "@target-uri", "content-type", "content-digest", "content-length", "webhook-id", "webhook-timestamp"}},
	}
}

// BenchmarkSign is a client's signing of a GET, and a webhook delivery's
// two signatures: one Sign after the other, the headers collected as
// Deliver did, and SignAll.
func BenchmarkSign(b *testing.B) {
	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	now := time.Unix(1_800_000_000, 0)
	b.Run("GET", func(b *testing.B) {
		signer := &httpsig.Signer{KeyID: "bench", Key: priv, Now: func() time.Time { return now }}
		req, _ := http.NewRequest(http.MethodGet, "http://127.0.0.1:8080/v1/customers/12345", nil)
		req.Header.Set("Authorization", "Bearer ov_at_0123456789abcdefghijklmnopqrstuvwxyzABCDEFG")
		req.Header.Set("X-Client-Id", "ov_client_0123456789abcdef")
		b.ReportAllocs()
		for b.Loop() {
			if err := signer.Sign(req, nil); err != nil {
				b.Fatal(err)
			}
		}
	})
	body := []byte(`{"eventId":"evt_01J0000000000000000000000","eventType":"customer.created","createdAt":"2027-01-15T10:00:00Z","data":{"customerId":12345,"firstName":"Ada","lastName":"Lovelace"}}`)
	webhookRequest := func() *http.Request {
		req, _ := http.NewRequest(http.MethodPost, "https://receiver.example.com/hooks/openvest", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("webhook-id", "evt_01J0000000000000000000000")
		req.Header.Set("webhook-timestamp", "1800000000")
		return req
	}
	signers := webhookSigners(priv, now)
	b.Run("webhook-each", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			req := webhookRequest()
			var inputs, sigs []string
			for _, s := range signers {
				if err := s.Sign(req, body); err != nil {
					b.Fatal(err)
				}
				inputs = append(inputs, req.Header.Get("Signature-Input"))
				sigs = append(sigs, req.Header.Get("Signature"))
			}
			req.Header["Signature-Input"], req.Header["Signature"] = inputs, sigs
		}
	})
	b.Run("webhook-SignAll", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			req := webhookRequest()
			if err := httpsig.SignAll(req, body, signers...); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("webhook-request", func(b *testing.B) { // the request alone, to subtract
		b.ReportAllocs()
		for b.Loop() {
			webhookRequest()
		}
	})
}

// BenchmarkContentDigest is the sha-512 Content-Digest of a webhook-sized
// body.
func BenchmarkContentDigest(b *testing.B) {
	body := bytes.Repeat([]byte("x"), 200)
	b.ReportAllocs()
	for b.Loop() {
		httpsig.ContentDigest(body)
	}
}
