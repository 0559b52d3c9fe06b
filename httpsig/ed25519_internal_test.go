package httpsig

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"os"
	"testing"

	"github.com/dunglas/httpsfv"
)

// TestVerifierAgreesWithStdlib: verifyEd25519 accepts exactly what
// crypto/ed25519.Verify accepts, on the edge cases of ed25519-speccheck
// (testdata/ed25519_speccheck.json: small-order and non-canonical keys and
// R, cofactored-only signatures, S ≥ L), each with the key expanded and
// not, and on valid and corrupted signatures of random keys.
func TestVerifierAgreesWithStdlib(t *testing.T) {
	raw, err := os.ReadFile("testdata/ed25519_speccheck.json")
	if err != nil {
		t.Fatal(err)
	}
	var cases []struct {
		Message   string `json:"message"`
		PubKey    string `json:"pub_key"`
		Signature string `json:"signature"`
	}
	if err := json.Unmarshal(raw, &cases); err != nil {
		t.Fatal(err)
	}
	if len(cases) != 12 {
		t.Fatalf("%d speccheck cases, want 12", len(cases))
	}
	accepted := 0
	for i, c := range cases {
		msg, _ := hex.DecodeString(c.Message)
		key, _ := hex.DecodeString(c.PubKey)
		sig, _ := hex.DecodeString(c.Signature)
		want := ed25519.Verify(key, msg, sig)
		if want {
			accepted++
		}
		clear(expanded.m)
		if got := verifyEd25519(key, msg, sig); got != want {
			t.Errorf("case %d, first use of the key: verifyEd25519 = %v, crypto/ed25519 = %v", i, got, want)
		}
		if got := verifyEd25519(key, msg, sig); got != want {
			t.Errorf("case %d, expanded key: verifyEd25519 = %v, crypto/ed25519 = %v", i, got, want)
		}
	}
	// the standard library accepts 0-3 and 11 (cofactorless, A not reduced)
	if accepted != 5 {
		t.Fatalf("crypto/ed25519 accepted %d of the speccheck cases, want 5: the vectors did not load", accepted)
	}
	for range 200 {
		pub, priv, _ := ed25519.GenerateKey(rand.Reader)
		msg := make([]byte, 1+len(pub)%7*50)
		_, _ = rand.Read(msg)
		sig := ed25519.Sign(priv, msg)
		if !verifyEd25519(pub, msg, sig) {
			t.Fatal("a valid signature does not verify")
		}
		for _, bad := range [][]byte{flip(sig, 0), flip(sig, 40), flip(sig, 63), sig[:63]} {
			if got, want := verifyEd25519(pub, msg, bad), ed25519.Verify(pub, msg, bad); got != want {
				t.Fatalf("corrupted signature: verifyEd25519 = %v, crypto/ed25519 = %v", got, want)
			}
		}
		if verifyEd25519(pub, flip(msg, 0), sig) {
			t.Fatal("a signature verifies another message")
		}
		other, _, _ := ed25519.GenerateKey(rand.Reader)
		if verifyEd25519(other, msg, sig) {
			t.Fatal("a signature verifies with another key")
		}
	}
	if verifyEd25519(ed25519.PublicKey(bytes.Repeat([]byte{1}, 31)), []byte("m"), make([]byte, 64)) {
		t.Fatal("a short key verifies")
	}
}

// TestSignerAgreesWithStdlib: SignEd25519 makes exactly crypto/ed25519.Sign's
// bytes for random keys and messages of every length up to 300 bytes and a
// few long ones, and panics on a key of the wrong length as it does.
func TestSignerAgreesWithStdlib(t *testing.T) {
	t.Parallel()
	for n := range 300 {
		_, priv, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		msg := make([]byte, n)
		if n%50 == 49 {
			msg = make([]byte, n*100)
		}
		_, _ = rand.Read(msg)
		if got, want := SignEd25519(priv, msg), ed25519.Sign(priv, msg); !bytes.Equal(got, want) {
			t.Fatalf("message of %d bytes: signature %x, crypto/ed25519 %x", len(msg), got, want)
		}
	}
	defer func() {
		if recover() == nil {
			t.Fatal("a 32-byte key did not panic")
		}
	}()
	SignEd25519(make([]byte, 32), []byte("x"))
}

func flip(b []byte, i int) []byte {
	out := bytes.Clone(b)
	out[i] ^= 0x01
	return out
}

// TestComponentIDIsTheSerializedItem: the quick quoting of plain names is
// what the structured-field serializer writes, and the others still go
// through it.
func TestComponentIDIsTheSerializedItem(t *testing.T) {
	withParam := httpsfv.NewParams()
	withParam.Add("sf", true)
	for _, c := range []struct {
		name   string
		params *httpsfv.Params
	}{
		{"@method", nil}, {"content-digest", nil}, {"X-Idempotency-Key", nil}, {"a b", nil},
		{`q"uote`, nil}, {`back\slash`, nil}, {"", nil}, {"content-type", httpsfv.NewParams()}, {"x-list", withParam},
	} {
		params := c.params
		if params == nil {
			params = httpsfv.NewParams() // as the parser leaves it
		}
		want, wantErr := httpsfv.Marshal(httpsfv.Item{Value: c.name, Params: params})
		got, err := componentID(c.name, c.params)
		if got != want || (err == nil) != (wantErr == nil) {
			t.Errorf("componentID(%q) = %q, %v; httpsfv.Marshal = %q, %v", c.name, got, err, want, wantErr)
		}
	}
	if _, err := componentID("tab\there", nil); err == nil {
		t.Error("a name with a control character serializes")
	}
}
