package httpsig_test

import (
	"crypto/ed25519"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/openvest/openvest/httpsig"
)

// FuzzVerify feeds arbitrary Signature-Input and Signature headers to the
// verifier: it must never panic, and must never accept (no key is valid).
// The seed corpus is in testdata/fuzz/FuzzVerify.
func FuzzVerify(f *testing.F) {
	f.Add(`sig1=("@method" "@path");created=1618884473;keyid="k"`, `sig1=:AAAA:`)
	f.Add(`sig1=("Authorization" "Content-Digest" "@method");keyid="staging-pipevest-ed25519";created=1732893484;expires=1732893584`, `sig1=:OTEyMjY4A5NTNDMEQ=:`)
	f.Add(`sig1=(), sig1=()`, `sig1=:AA==:, sig2=:AA==:`)
	f.Add(`sig1=("a";sf "b";key="x");created=1`, `sig1=?1`)
	pub := make(ed25519.PublicKey, ed25519.PublicKeySize)
	v := &httpsig.Verifier{
		Keys: func(string) (ed25519.PublicKey, error) { return pub, nil },
		Now:  func() time.Time { return time.Unix(1618884473, 0) },
	}
	f.Fuzz(func(t *testing.T, input, signature string) {
		req, err := http.NewRequest("POST", "https://example.com/v1/customers?x=1", strings.NewReader("{}"))
		if err != nil {
			t.Skip()
		}
		req.Header.Set("Signature-Input", input)
		req.Header.Set("Signature", signature)
		req.Header.Set("Content-Type", "application/json")
		if _, err := v.Verify(req, "https://example.com/v1/customers?x=1", nil); err == nil {
			t.Fatalf("accepted a signature by an all-zero key: %q %q", input, signature)
		}
	})
}

// FuzzContentDigest feeds arbitrary Content-Digest headers: never a panic,
// and a header accepted for a body must carry that body's digest.
// The seed corpus is in testdata/fuzz/FuzzContentDigest.
func FuzzContentDigest(f *testing.F) {
	f.Add("sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:", []byte(`{"hello": "world"}`))
	f.Add("sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:, md5=:AA==:", []byte(`{"hello": "world"}`))
	f.Add("sha-512=\"x\";a=1", []byte{})
	f.Fuzz(func(t *testing.T, header string, body []byte) {
		if httpsig.VerifyContentDigest(header, body) != nil {
			return
		}
		if !strings.Contains(header, "sha-512") && !strings.Contains(header, "sha-256") {
			t.Fatalf("accepted %q without a supported algorithm", header)
		}
		if httpsig.VerifyContentDigest(header, append(body, 'x')) == nil {
			t.Fatalf("%q accepted two different bodies", header)
		}
	})
}
