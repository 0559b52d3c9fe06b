package httpsig

import (
	"crypto/ed25519"
	"errors"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"
)

// referenceRequest is a request with a header of several field lines
// (spaces around), a host and a target URI with capitals, and a body.
func referenceRequest(t testing.TB) *http.Request {
	req, err := http.NewRequest("POST", "https://example.com/v1/customers?x=1&y=%20z", strings.NewReader("{}"))
	if err != nil {
		t.Fatal(err)
	}
	req.Host = "API.Example.com"
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer t")
	req.Header.Set("X-Client-Id", "c")
	req.Header["X-Multi"] = []string{" a ", "b\t", ""}
	req.Header.Set("Content-Digest", ContentDigest([]byte("{}"))) // as Sign sets them
	req.Header.Set("Content-Length", "2")
	return req
}

const referenceTarget = "HTTPS://api.example.com/v1/customers?x=1&y=%20z"

var referenceNow = time.Unix(1_800_000_000, 0)

// referenceSigners sign referenceRequest in the forms and with the
// components Verify handles.
func referenceSigners(priv ed25519.PrivateKey) []*Signer {
	now := func() time.Time { return referenceNow }
	return []*Signer{
		{KeyID: "k", Key: priv, Now: now, TargetURI: referenceTarget},
		{KeyID: "k", Key: priv, Now: now, TargetURI: referenceTarget, Form: FormSHA512, DocsNames: true},
		{KeyID: "k", Key: priv, Now: now, Docs: true, Components: []string{"@method", "@target-uri", "x-missing", "X-Multi"}},
		{KeyID: "k", Key: priv, Now: now, TargetURI: referenceTarget, Label: "sig2", TTL: -1,
			Components: []string{"@method", "@authority", "@scheme", "@request-target", "@path", "@query", "host", "content-length", "x-multi", "content-digest"}},
		{KeyID: "k", Key: priv, Now: now, TargetURI: referenceTarget, Label: "*a.b-c_1", TTL: 90 * time.Second, Components: []string{}},
		{KeyID: "unknown", Key: priv, Now: now, TargetURI: referenceTarget, Components: []string{"@method"}},
	}
}

// FuzzVerifyMatchesReference: Verify gives what the implementation before
// the hand parse gave (reference_internal_test.go), the same Verified and
// the same error, on signed requests and what the fuzzer makes of their
// headers.
func FuzzVerifyMatchesReference(f *testing.F) {
	pub, priv, err := ed25519.GenerateKey(nil)
	if err != nil {
		f.Fatal(err)
	}
	verified := 0
	for _, s := range referenceSigners(priv) {
		req := referenceRequest(f)
		if err := s.Sign(req, []byte("{}")); err != nil {
			f.Fatal(err)
		}
		in, sig := req.Header.Get("Signature-Input"), req.Header.Get("Signature")
		v := &Verifier{Keys: func(string) (ed25519.PublicKey, error) { return pub, nil }, Now: func() time.Time { return referenceNow }, Label: s.Label}
		if _, err := v.Verify(req, referenceTarget, nil); err == nil {
			verified++
		}
		f.Add(in, sig, "")
		f.Add(in, sig, s.Label)
		f.Add(in+", sig9=()", sig+", sig9=:AA==:", s.Label)
	}
	if verified < 4 {
		f.Fatalf("%d of the seeds verify: the comparison would not cover acceptance", verified)
	}
	for _, s := range parseSeeds {
		f.Add(s[0], s[1], "")
	}
	seedsFromCorpus(f, "FuzzVerify")
	f.Fuzz(func(t *testing.T, input, signature, label string) {
		v := &Verifier{
			Keys: func(id string) (ed25519.PublicKey, error) {
				if id != "k" {
					return nil, errors.New("unknown key " + id)
				}
				return pub, nil
			},
			Now:   func() time.Time { return referenceNow },
			Label: label,
		}
		for _, required := range [][]string{nil, {"@method", "x-multi"}} {
			req, ref := referenceRequest(t), referenceRequest(t)
			for _, r := range []*http.Request{req, ref} {
				r.Header.Set("Signature-Input", input)
				r.Header.Set("Signature", signature)
			}
			got, gotErr := v.Verify(req, referenceTarget, required)
			want, wantErr := v.refVerify(ref, referenceTarget, required)
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("%q %q %q: %+v; the reference %+v", input, signature, label, got, want)
			}
			if !reflect.DeepEqual(gotErr, wantErr) {
				t.Fatalf("%q %q %q: %v; the reference %v", input, signature, label, gotErr, wantErr)
			}
		}
	})
}

// TestSignMatchesReference: Sign sets the headers the implementation
// before it set, byte for byte, and fails where it failed.
func TestSignMatchesReference(t *testing.T) {
	_, priv, _ := ed25519.GenerateKey(nil)
	signers := referenceSigners(priv)
	now := func() time.Time { return referenceNow }
	signers = append(signers,
		&Signer{KeyID: "k", Key: priv, Now: now},                    // default components and target
		&Signer{KeyID: "k", Key: priv, Now: now, Docs: true},        // the docs' form, defaults
		&Signer{KeyID: "k", Key: priv, Now: now, Label: "Bad"},      // not a key
		&Signer{KeyID: "ключ", Key: priv, Now: now},                 // not an sf-string
		&Signer{KeyID: `q"\`, Key: priv, Now: now, DocsNames: true}, // escapes
		&Signer{KeyID: "k", Key: priv, Now: now, Components: []string{"@method", "x-absent"}},
		&Signer{KeyID: "k", Key: priv, Now: now, Components: []string{"@method", "tab\there"}},
		&Signer{KeyID: "k", Key: priv, Now: now, Components: []string{"@bogus"}},
	)
	for i, s := range signers {
		for _, body := range []string{"", "{}"} {
			req, ref := referenceRequest(t), referenceRequest(t)
			if body == "" {
				req.Method, ref.Method = "GET", "GET"
			}
			err := s.Sign(req, []byte(body))
			refErr := s.refSign(ref, []byte(body))
			if (err == nil) != (refErr == nil) {
				t.Fatalf("signer %d: %v; the reference %v", i, err, refErr)
			}
			if err != nil {
				continue
			}
			// Not the whole header: the reference also trimmed the values
			// of covered headers in place (X-Multi here), a side effect on
			// the caller's request that Sign and Verify no longer have.
			for _, h := range []string{"Signature-Input", "Signature", "Content-Digest", "Content-Length"} {
				if got, want := req.Header[h], ref.Header[h]; !reflect.DeepEqual(got, want) {
					t.Fatalf("signer %d: %s %q; the reference %q", i, h, got, want)
				}
			}
			if req.ContentLength != ref.ContentLength {
				t.Fatalf("signer %d: ContentLength %d; the reference %d", i, req.ContentLength, ref.ContentLength)
			}
		}
	}
}
