// Package webhooktest holds two webhook receivers' verification, for
// tests: one written only from the investing docs (Pipevest's "Webhook
// validation": capitalised component names, sha-512 of the signature
// base, then ed25519, with the webhook's key from GET /v1/webhooks/key in
// its OpenSSH form), and one that uses an RFC 9421 library
// (github.com/yaronf/httpsign). Neither uses Openvest's own httpsig
// package: they prove that deliveries verify for receivers Openvest did
// not write.
package webhooktest

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha512"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/yaronf/httpsign"
	"golang.org/x/crypto/ssh"
)

// ParseDocsKey reads the `key` of GET /v1/webhooks/key ("ssh-ed25519
// AAAA… comment"); it returns the public key and the comment.
func ParseDocsKey(authorized string) (ed25519.PublicKey, string, error) {
	parsed, comment, _, _, err := ssh.ParseAuthorizedKey([]byte(authorized))
	if err != nil {
		return nil, "", fmt.Errorf("parse the webhook key %q: %w", authorized, err)
	}
	ck, ok := parsed.(ssh.CryptoPublicKey)
	if !ok {
		return nil, "", fmt.Errorf("the webhook key is a %s, not an ed25519 key", parsed.Type())
	}
	pub, ok := ck.CryptoPublicKey().(ed25519.PublicKey)
	if !ok {
		return nil, "", fmt.Errorf("the webhook key is a %s, not an ed25519 key", parsed.Type())
	}
	return pub, comment, nil
}

// VerifyDocs verifies a delivery as the investing docs tell a receiver to:
// the Content-Digest (sha-512) over the body, then the signature labelled
// sig1: rebuild the base from Signature-Input (one `"Name": value` line per
// component in the listed order, @target-uri being the receiver's origin,
// scheme and host, then `"@signature-params": …`), sha-512 it, and check
// the ed25519 signature of that hash with the webhook's key. origin is the
// scheme and host the receiver is reached at ("https://hooks.example.com").
// It reads headers with Get (the first field line), as a simple receiver
// does.
func VerifyDocs(r *http.Request, body []byte, pub ed25519.PublicKey, origin string) error {
	digest := r.Header.Get("Content-Digest")
	want := sha512.Sum512(body)
	if digest != "sha-512=:"+base64.StdEncoding.EncodeToString(want[:])+":" {
		return fmt.Errorf("Content-Digest %q is not the sha-512 of the body", digest)
	}
	input, ok := strings.CutPrefix(r.Header.Get("Signature-Input"), "sig1=")
	if !ok {
		return fmt.Errorf("Signature-Input %q does not start with sig1=", r.Header.Get("Signature-Input"))
	}
	open, close := strings.Index(input, "("), strings.Index(input, ")")
	if open != 0 || close < 0 {
		return fmt.Errorf("Signature-Input sig1 %q is not (components);params", input)
	}
	var lines []string
	for _, quoted := range strings.Fields(input[1:close]) {
		name := strings.Trim(quoted, `"`)
		var value string
		switch name {
		case "@method":
			value = r.Method
		case "@target-uri":
			value = origin
		case "@path":
			value = r.URL.Path
		case "@query":
			value = "?" + r.URL.RawQuery
		default:
			if strings.HasPrefix(name, "@") {
				return fmt.Errorf("unexpected derived component %s", name)
			}
			if name != http.CanonicalHeaderKey(name) {
				return fmt.Errorf("component %q is not capitalised as the docs write names", name)
			}
			value = r.Header.Get(name)
			if name == "Content-Length" && value == "" {
				value = fmt.Sprint(r.ContentLength)
			}
		}
		lines = append(lines, fmt.Sprintf("%q: %s", name, value))
	}
	// The params section (components and created/expires/keyid) is the
	// Signature-Input value after the label, as the docs' example shows.
	lines = append(lines, `"@signature-params": `+input)
	base := strings.Join(lines, "\n")
	hash := sha512.Sum512([]byte(base))
	sig, ok := strings.CutPrefix(r.Header.Get("Signature"), "sig1=:")
	if !ok || !strings.HasSuffix(sig, ":") {
		return fmt.Errorf("Signature %q is not sig1=:<base64>:", r.Header.Get("Signature"))
	}
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSuffix(sig, ":"))
	if err != nil {
		return fmt.Errorf("Signature sig1 is not base64: %w", err)
	}
	if !ed25519.Verify(pub, hash[:], raw) {
		return fmt.Errorf("sig1 does not verify over the sha-512 of the base:\n%s", base)
	}
	return nil
}

// VerifyRFC9421 verifies the delivery's RFC 9421 signature, labelled sig2,
// with github.com/yaronf/httpsign and the key keyID names, requiring it to
// cover the method, the target URI, the content headers and digest, and
// the Standard Webhooks id and timestamp. url is the webhook URL (the
// receiver's full address, which @target-uri covers). The signature may be
// up to maxAge old (a test reads its deliveries after they arrive).
func VerifyRFC9421(r *http.Request, body []byte, keys func(keyID string) (ed25519.PublicKey, error), webhookURL string, maxAge time.Duration) error {
	u, err := url.Parse(webhookURL)
	if err != nil {
		return err
	}
	req := r.Clone(r.Context())
	req.URL = u
	req.Body = io.NopCloser(bytes.NewReader(body))
	details, err := httpsign.RequestDetails("sig2", req)
	if err != nil {
		return fmt.Errorf("read sig2: %w", err)
	}
	if details.KeyID == "" {
		return errors.New("sig2 names no keyid")
	}
	pub, err := keys(details.KeyID)
	if err != nil {
		return err
	}
	fields := httpsign.Headers("@method", "@target-uri", "content-type", "content-digest", "content-length", "webhook-id", "webhook-timestamp")
	v, err := httpsign.NewEd25519Verifier(pub, httpsign.NewVerifyConfig().SetKeyID(details.KeyID).SetNotOlderThan(maxAge), fields)
	if err != nil {
		return err
	}
	if err := httpsign.VerifyRequest("sig2", *v, req); err != nil {
		return fmt.Errorf("sig2 (RFC 9421): %w", err)
	}
	// The library checks the signature, not the digest it covers.
	if got, err := io.ReadAll(req.Body); err != nil || !bytes.Equal(got, body) {
		return errors.New("the body changed while verifying")
	}
	want := sha512.Sum512(body)
	if r.Header.Get("Content-Digest") != "sha-512=:"+base64.StdEncoding.EncodeToString(want[:])+":" {
		return errors.New("Content-Digest is not the sha-512 of the body")
	}
	return nil
}
