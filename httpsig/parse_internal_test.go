package httpsig

import (
	"bytes"
	"crypto/ed25519"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dunglas/httpsfv"
)

// parseSeeds are headers the hand parse takes, headers it leaves to
// httpsfv, and malformed ones.
var parseSeeds = [][2]string{
	{`sig1=("@method" "@target-uri" "@path" "@query" "authorization" "x-client-id");created=1800000000;expires=1800000060;keyid="bench"`, `sig1=:` + strings.Repeat("AAAA", 21) + `AA==:`},
	{`sig-b26=("date" "@method" "@path" "@authority" "content-type" "content-length");created=1618884473;keyid="test-key-ed25519"`, `sig-b26=:wqcAqbmYJ2ji2glfAMaRy4gruYYnx2nEFN2HN6jrnDnQCK1u02Gb04v9EDgwUPiu4A0w6vuQv5lIp5WPpBKRCw==:`},
	{`sig1=("Content-Type" "@method");created=1;keyid="k", sig2=("@method");keyid="k";created=2`, `sig1=:AA==:, sig2=:AAA=:`},
	{`sig1=( "@method"  "@path" );created=007;keyid="k";expires=-0`, `sig1=:AAAA:`},
	{`sig1=()` + "\t, \tsig2=()", `sig2=:AA==:` + "\t,sig1=:AA==:"},
	{`sig1=("@method");created=1;keyid="k";created=2`, `sig1=:AA==:`},
	{`sig1=("@method");created=1;alg=ed25519`, `sig1=:AA==:`},
	{`sig1=("@method");created=1;x;keyid="k"`, `sig1=:AA==:;x`},
	{`sig1=("a\"b");created=1.5`, `sig1=?1`},
	{`sig1=("@method";req);created=123456789012345`, `sig1=:AA=A:`},
	{`sig1=("@method"), sig1=()`, `sig1=:AA==:, sig1=:AA==:`},
	{`sig1=(),`, `sig1=:AA==:,`},
	{`*x.1-_=(), a=1`, `*x.1-_=:AA==:`},
	{`   `, `   `},
	{`sig1=("@method")`, `sig2=:AA==:`},
}

// corpus reads the string and []byte values of each entry of a fuzz
// corpus directory.
func corpus(f *testing.F, dir string) [][]string {
	files, _ := filepath.Glob(filepath.Join("testdata", "fuzz", dir, "*"))
	var out [][]string
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		var args []string
		for _, line := range strings.Split(string(data), "\n")[1:] {
			for _, prefix := range []string{"string(", "[]byte("} {
				if v, ok := strings.CutPrefix(line, prefix); ok {
					if s, err := strconv.Unquote(strings.TrimSuffix(v, ")")); err == nil {
						args = append(args, s)
					}
				}
			}
		}
		out = append(out, args)
	}
	return out
}

// seedsFromCorpus adds the string pairs of a fuzz corpus directory.
func seedsFromCorpus(f *testing.F, dir string) {
	for _, args := range corpus(f, dir) {
		if len(args) == 2 {
			f.Add(args[0], args[1], "")
		}
	}
}

// FuzzParseAgreesWithHTTPSFV: whatever Signature-Input or Signature the
// hand parse takes, httpsfv's parse (and the duplicate-label scan before
// it) takes too, with the same member: the same label, components,
// parameters, serialized inner list and signature bytes.
func FuzzParseAgreesWithHTTPSFV(f *testing.F) {
	for _, s := range parseSeeds {
		f.Add(s[0], s[1], "")
		f.Add(s[0], s[1], "sig2")
	}
	seedsFromCorpus(f, "FuzzVerify")
	f.Fuzz(func(t *testing.T, input, signature, want string) {
		sc := getScratch()
		defer putScratch(sc)
		if sc.parseInputFast(input, want) {
			got := sc.in
			label := got.label
			if want != "" && label != want {
				t.Fatalf("picked %q, not %q", label, want)
			}
			in, _, err := parseHeaders(input, label+"=:AA==:", want)
			if err != nil {
				t.Fatalf("the hand parse took %q, httpsfv refuses it: %v", input, err)
			}
			if in.label != label || in.textErr != nil || !bytes.Equal(in.text, got.text) {
				t.Fatalf("%q: label %q, text %q (%v); the hand parse: %q, %q", input, in.label, in.text, in.textErr, label, got.text)
			}
			if len(in.items) != len(got.items) {
				t.Fatalf("%q: %d components; the hand parse %d", input, len(in.items), len(got.items))
			}
			for i, c := range in.items {
				if c.notString || c.name != got.items[i].name || len(c.params.Names()) > 0 {
					t.Fatalf("%q: component %d is %+v; the hand parse's %+v", input, i, c, got.items[i])
				}
			}
			if !reflect.DeepEqual(in.params, got.params) && (len(in.params) > 0 || len(got.params) > 0) {
				t.Fatalf("%q: parameters %+v; the hand parse's %+v", input, in.params, got.params)
			}
		}
		label := want
		if label == "" {
			label = "sig1"
		}
		sig, ok := sc.parseSignatureFast(signature, label)
		if !ok {
			return
		}
		_, want2, err := parseHeaders(label+`=("@method");created=1;keyid="k"`, signature, label)
		if err != nil {
			t.Fatalf("the hand parse took Signature %q, httpsfv refuses it: %v", signature, err)
		}
		if !bytes.Equal(sig, want2) {
			t.Fatalf("Signature %q: %x; the hand parse %x", signature, want2, sig)
		}
	})
}

// FuzzVerifyPathsAgree: Verify with the hand parse and Verify with
// httpsfv's alone give the same result, accepted or refused with the same
// reason, on signed requests and what the fuzzer makes of them.
func FuzzVerifyPathsAgree(f *testing.F) {
	pub, priv, err := ed25519.GenerateKey(nil)
	if err != nil {
		f.Fatal(err)
	}
	now := time.Unix(1_800_000_000, 0)
	url := "https://example.com/v1/customers?x=1"
	newReq := func() *http.Request {
		req, err := http.NewRequest("POST", url, strings.NewReader("{}"))
		if err != nil {
			f.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer t")
		req.Header.Set("X-Client-Id", "c")
		return req
	}
	for _, s := range []*Signer{
		{KeyID: "k", Key: priv},
		{KeyID: "k", Key: priv, Form: FormSHA512, DocsNames: true},
		{KeyID: "k", Key: priv, Docs: true, Components: []string{"@method", "@target-uri", "x-missing"}},
		{KeyID: "k", Key: priv, Label: "sig2", TTL: -1, Components: []string{"@method", "@authority", "@scheme", "@request-target", "host", "content-length"}},
	} {
		s.Now = func() time.Time { return now }
		req := newReq()
		if err := s.Sign(req, []byte("{}")); err != nil {
			f.Fatal(err)
		}
		f.Add(req.Header.Get("Signature-Input"), req.Header.Get("Signature"), "")
		f.Add(req.Header.Get("Signature-Input"), req.Header.Get("Signature"), s.Label)
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
			Now:   func() time.Time { return now },
			Label: label,
		}
		req := newReq()
		req.Header.Set("Signature-Input", input)
		req.Header.Set("Signature", signature)
		required := []string{"@method"}
		fast, fastErr := v.verify(req, url, required, true)
		slow, slowErr := v.verify(req, url, required, false)
		if !reflect.DeepEqual(fast, slow) {
			t.Fatalf("%q %q: hand parse %+v; httpsfv %+v", input, signature, fast, slow)
		}
		if (fastErr == nil) != (slowErr == nil) || fastErr != nil && !reflect.DeepEqual(fastErr, slowErr) {
			t.Fatalf("%q %q: hand parse %v; httpsfv %v", input, signature, fastErr, slowErr)
		}
	})
}

// TestHandParseTakesWhatSignersSend: the signer's headers (and the RFC's
// example) take the hand parse, not the fallback.
func TestHandParseTakesWhatSignersSend(t *testing.T) {
	for _, s := range parseSeeds[:5] {
		sc := getScratch()
		if !sc.parseInputFast(s[0], "") {
			t.Errorf("the hand parse leaves %q to httpsfv", s[0])
		} else if _, ok := sc.parseSignatureFast(s[1], sc.in.label); !ok {
			t.Errorf("the hand parse leaves %q to httpsfv", s[1])
		}
		putScratch(sc)
	}
	for _, s := range parseSeeds[5:] {
		sc := getScratch()
		if sc.parseInputFast(s[0], "") {
			if _, ok := sc.parseSignatureFast(s[1], sc.in.label); ok {
				t.Errorf("the hand parse takes %q %q", s[0], s[1])
			}
		}
		putScratch(sc)
	}
}

// TestCanonicalHeader: canonicalHeader's table is http.CanonicalHeaderKey.
func TestCanonicalHeader(t *testing.T) {
	for _, name := range []string{"authorization", "x-client-id", "content-type", "content-digest", "content-length",
		"x-idempotency-key", "x-idempotency-id", "idempotency-key", "x-l2f-idempotency-id", "webhook-id", "webhook-timestamp", "date", "x-other", "a b"} {
		if got, want := canonicalHeader(name), http.CanonicalHeaderKey(name); got != want {
			t.Errorf("canonicalHeader(%q) = %q, want %q", name, got, want)
		}
	}
}

// TestSignerAgreesWithHTTPSFV: the signer's hand-written Signature-Input
// and Signature are what httpsfv.Marshal writes for the same dictionary.
func TestSignerAgreesWithHTTPSFV(t *testing.T) {
	_, priv, _ := ed25519.GenerateKey(nil)
	now := time.Unix(1_800_000_000, 0)
	for _, s := range []*Signer{
		{KeyID: "k1", Key: priv, Components: []string{"@method", "@target-uri", "content-digest"}},
		{KeyID: `q"uote\`, Key: priv, DocsNames: true, Label: "sig-2.x*", Components: []string{"content-type", "content-length", "@query"}},
		{KeyID: "k1", Key: priv, TTL: -1, Components: []string{"@method", `a"b`}},
		{KeyID: "k1", Key: priv, TTL: 90 * time.Second, Docs: true, Components: []string{"content-type", "@path"}},
	} {
		s.Now = func() time.Time { return now }
		req, _ := http.NewRequest("POST", "https://example.com/v1/x", strings.NewReader("{}"))
		req.Header.Set("Content-Type", "application/json")
		req.Header[`a"b`] = []string{"x"}
		if err := s.Sign(req, []byte("{}")); err != nil {
			t.Fatal(err)
		}
		got := req.Header.Get("Signature-Input")
		dict, err := httpsfv.UnmarshalDictionary([]string{got})
		if err != nil {
			t.Fatalf("%q: %v", got, err)
		}
		if want, _ := httpsfv.Marshal(dict); got != want {
			t.Errorf("Signature-Input %q; httpsfv writes %q", got, want)
		}
		sig := req.Header.Get("Signature")
		dict, err = httpsfv.UnmarshalDictionary([]string{sig})
		if err != nil {
			t.Fatalf("%q: %v", sig, err)
		}
		if want, _ := httpsfv.Marshal(dict); sig != want {
			t.Errorf("Signature %q; httpsfv writes %q", sig, want)
		}
	}
	for _, label := range []string{"Sig1", "", "1a", "a b"} {
		req, _ := http.NewRequest("GET", "https://example.com/", nil)
		if err := (&Signer{KeyID: "k", Key: priv, Label: label, Components: []string{"@method"}}).Sign(req, nil); err == nil && label != "" {
			t.Errorf("label %q signs", label)
		}
	}
}

// TestRequiredComponentsSize: RequiredComponents allocates its slice at
// the exact size.
func TestRequiredComponentsSize(t *testing.T) {
	all := http.Header{}
	for _, h := range IdempotencyHeaders {
		all.Set(h, "k")
	}
	for _, method := range []string{"GET", "DELETE", "POST", "put"} {
		for _, header := range []http.Header{nil, all} {
			for _, body := range []bool{false, true} {
				for _, token := range []bool{false, true} {
					got := RequiredComponents(method, body, token, header)
					if len(got) != cap(got) {
						t.Errorf("%s body=%v token=%v: %d components in a slice of %d", method, body, token, len(got), cap(got))
					}
				}
			}
		}
	}
}

// FuzzContentDigestPathsAgree: a Content-Digest the quick check accepts,
// the full check (httpsfv's parse) accepts too; and the quick check takes
// the forms clients send.
func FuzzContentDigestPathsAgree(f *testing.F) {
	body := []byte(`{"hello": "world"}`)
	for _, h := range []string{
		ContentDigest(body),
		"sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:",
		ContentDigest(body) + ", sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:",
		"md5=:AA==:, " + ContentDigest(body),
	} {
		if !contentDigestMatches(h, body) {
			f.Errorf("the quick check leaves %q to httpsfv", h)
		}
		f.Add(h, body)
	}
	for _, h := range []string{
		ContentDigest(body) + ", " + ContentDigest(nil),
		ContentDigest(body) + ";x",
		"md5=:AA==:",
		"sha-512=\"x\"",
		"",
		ContentDigest(nil),
		"sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:, sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:",
	} {
		if contentDigestMatches(h, body) {
			f.Errorf("the quick check takes %q", h)
		}
		f.Add(h, body)
	}
	for _, args := range corpus(f, "FuzzContentDigest") {
		if len(args) == 2 {
			f.Add(args[0], []byte(args[1]))
		}
	}
	f.Fuzz(func(t *testing.T, header string, body []byte) {
		if contentDigestMatches(header, body) {
			if err := verifyContentDigest(header, body); err != nil {
				t.Fatalf("the quick check accepts %q, the full check: %v", header, err)
			}
		}
	})
}
