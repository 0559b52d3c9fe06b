package httpsig

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha512"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/dunglas/httpsfv"
	"github.com/google/uuid"
)

// Signer signs requests.
type Signer struct {
	KeyID string
	Key   ed25519.PrivateKey
	Label string // default "sig1"
	Form  Form   // default FormRFC9421
	// DocsNames writes component names capitalized as the investing docs
	// do ("Content-Type"); by default they are lowercase, as RFC 9421 says.
	DocsNames bool
	// Components overrides the covered components; by default those
	// RequiredComponents lists for the request.
	Components []string
	TTL        time.Duration // expires = created + TTL; default 60s, negative for none
	Now        func() time.Time
	// TargetURI overrides the @target-uri value (default: the request URL).
	TargetURI string
	// Docs signs as the investing docs describe: the sha-512 of the base
	// (whatever Form says), capitalized names, @target-uri as scheme and
	// host only (unless TargetURI is set), and a covered header the
	// request lacks as the empty value.
	Docs bool
}

// Sign sets Content-Digest (when there is a body and none is set),
// Content-Length, Signature-Input and Signature on req. body must be the
// exact bytes req will send.
func (s *Signer) Sign(req *http.Request, body []byte) error {
	return SignAll(req, body, s)
}

// SignAll signs req with each signer in turn, as Sign does, and sends
// Signature-Input and Signature as one field line per signer, in order
// (together the dictionary of all the labels; webhook deliveries carry
// sig1, the docs' form, and sig2, RFC 9421). The signatures share the work:
// Content-Digest is computed once, the bases are built in one pooled
// buffer, and the headers' values are cut from one string.
func SignAll(req *http.Request, body []byte, signers ...*Signer) error {
	if len(body) > 0 {
		if req.Header.Get("Content-Digest") == "" {
			req.Header.Set("Content-Digest", ContentDigest(body))
		}
		req.Header.Set("Content-Length", strconv.Itoa(len(body)))
		req.ContentLength = int64(len(body))
	}
	if len(signers) == 0 {
		return nil
	}
	// The headers are written once, after every signature: a signer that
	// covers them would sign what the request carried before (or fail to
	// find them), where one Sign after another would have signed the
	// earlier signers' values. Refused rather than signed differently.
	for _, s := range signers {
		for _, c := range s.Components {
			if name, _, _ := strings.Cut(c, ";"); name == "signature-input" || name == "signature" {
				return fmt.Errorf("SignAll: signer %q covers %s, which SignAll writes after signing: sign it with Sign after the others", s.Label, name)
			}
		}
	}
	sc := getScratch()
	defer putScratch(sc)
	// sc.text holds each signer's Signature-Input member then its Signature
	// member; ends holds where each of them ends.
	sc.text = sc.text[:0]
	var endsBuf [8]int
	ends := endsBuf[:0]
	for _, s := range signers {
		var err error
		if sc.text, err = s.appendSignature(sc, req, body); err != nil {
			return err
		}
		ends = append(ends, sc.inputEnd, len(sc.text))
	}
	all := string(sc.text) // one allocation for every header value
	values := make([]string, 2*len(signers))
	inputs, sigs := values[:len(signers):len(signers)], values[len(signers):]
	start := 0
	for i := range signers {
		inputs[i], sigs[i] = all[start:ends[2*i]], all[ends[2*i]:ends[2*i+1]]
		start = ends[2*i+1]
	}
	req.Header["Signature-Input"], req.Header["Signature"] = inputs, sigs
	return nil
}

// appendSignature appends s's Signature-Input member then its Signature
// member to sc.text (recording where the first ends in sc.inputEnd),
// building the signature base in sc.base.
func (s *Signer) appendSignature(sc *scratch, req *http.Request, body []byte) ([]byte, error) {
	components := s.Components
	if components == nil {
		token := TokenCall(req.Method, req.URL.Path)
		components = RequiredComponents(req.Method, len(body) > 0, token, req.Header)
	}
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	created := now().Unix()
	in := &sc.in
	*in = sigInput{params: sc.params[:0]}
	in.params = append(in.params, param{name: "created", kind: paramInt, num: created})
	if s.TTL >= 0 {
		ttl := s.TTL
		if ttl == 0 {
			ttl = time.Minute
		}
		in.params = append(in.params, param{name: "expires", kind: paramInt, num: created + int64(ttl/time.Second)})
	}
	in.params = append(in.params, param{name: "keyid", kind: paramString, str: s.KeyID})
	in.items = sc.items[:0]
	for _, c := range components {
		name := c
		if (s.DocsNames || s.Docs) && !strings.HasPrefix(c, "@") {
			name = http.CanonicalHeaderKey(c)
		}
		in.items = append(in.items, component{name: name})
	}
	target := s.TargetURI
	if target == "" {
		target = req.URL.String()
		if s.Docs {
			target = origin(target)
		}
	}
	label := s.Label
	if label == "" {
		label = "sig1"
	}
	if err := checkKey(label); err != nil {
		return sc.text, err
	}
	// The Signature-Input member: label=(…);created=…;expires=…;keyid="…",
	// the inner list as httpsfv.Marshal writes it (TestSignerAgreesWithHTTPSFV).
	text := append(append(sc.text, label...), '=')
	listStart := len(text)
	var err error
	if text, err = appendInnerList(text, in); err != nil {
		return text, err
	}
	in.text = text[listStart:]
	sc.base, err = appendBase(sc.base[:0], req, in, target, s.Docs)
	if err != nil {
		return text, err
	}
	msg := sc.base
	if s.Form == FormSHA512 || s.Docs {
		h := sha512.Sum512(msg)
		msg = h[:]
	}
	sc.inputEnd = len(text)
	text = append(append(text, label...), "=:"...)
	text = base64.StdEncoding.AppendEncode(text, SignEd25519(s.Key, msg))
	return append(text, ':'), nil
}

// checkKey is httpsfv's check of a dictionary key (its serializer refuses
// any other label).
func checkKey(k string) error {
	if _, end, ok := scanKey(k, 0); !ok || end != len(k) {
		return fmt.Errorf("the label %q is not a structured-field key (a lowercase letter or *, then lowercase letters, digits, _ - . *): %w", k, httpsfv.ErrInvalidKeyFormat)
	}
	return nil
}

// Transport is an http.RoundTripper that prepares and signs every request:
// it adds a fresh X-Idempotency-Key to POST, PUT, PATCH and DELETE requests
// that have none (except the token call), a Content-Digest of the body, and
// the signature. Use it as the HTTP client of the generated Go client:
//
//	signing := &http.Client{Transport: &httpsig.Transport{Signer: signer}}
//	c, err := client.NewClientWithResponses(url, client.WithHTTPClient(signing), …)
type Transport struct {
	Signer *Signer
	Base   http.RoundTripper // default http.DefaultTransport
	// NoIdempotencyKey turns off the automatic X-Idempotency-Key.
	NoIdempotencyKey bool
}

// RoundTrip implements http.RoundTripper. It does not modify the caller's request.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil && req.Body != http.NoBody {
		var err error
		if body, err = io.ReadAll(req.Body); err != nil {
			return nil, err
		}
		_ = req.Body.Close()
	}
	r := req.Clone(req.Context())
	r.Body = io.NopCloser(bytes.NewReader(body))
	r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	if !t.NoIdempotencyKey && mutating(r.Method) && r.Header.Get("X-Idempotency-Key") == "" &&
		!TokenCall(r.Method, r.URL.Path) && !strings.HasSuffix(r.URL.Path, "/oauth/revoke") && !strings.HasSuffix(r.URL.Path, "/v1/auth") {
		r.Header.Set("X-Idempotency-Key", NewIdempotencyKey())
	}
	if err := t.Signer.Sign(r, body); err != nil {
		return nil, fmt.Errorf("sign request: %w", err)
	}
	base := t.Base
	if base == nil {
		base = http.DefaultTransport
	}
	return base.RoundTrip(r)
}

// NewIdempotencyKey returns a random UUID (version 4).
func NewIdempotencyKey() string { return uuid.NewString() }

// ParsePrivateKey reads an ed25519 private key in PKCS#8 PEM, as
// `openssl genpkey -algorithm ed25519` writes it.
func ParsePrivateKey(pemBytes []byte) (ed25519.PrivateKey, error) {
	block, _ := pem.Decode(pemBytes)
	if block == nil {
		return nil, errors.New("no PEM block found; expected -----BEGIN PRIVATE KEY-----")
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("parse private key: %w", err)
	}
	key, ok := k.(ed25519.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("the key is %T; only ed25519 keys are supported", k)
	}
	return key, nil
}

// ParsePublicKey reads an ed25519 public key in PKIX PEM, as
// `openssl pkey -pubout` writes it.
func ParsePublicKey(pemBytes []byte) (ed25519.PublicKey, error) {
	block, _ := pem.Decode(pemBytes)
	if block == nil {
		return nil, errors.New("no PEM block found; expected -----BEGIN PUBLIC KEY-----")
	}
	k, err := x509.ParsePKIXPublicKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("parse public key: %w", err)
	}
	key, ok := k.(ed25519.PublicKey)
	if !ok {
		return nil, fmt.Errorf("the key is %T; only ed25519 keys are supported", k)
	}
	return key, nil
}

// MarshalPublicKey writes an ed25519 public key as PKIX PEM.
func MarshalPublicKey(key ed25519.PublicKey) ([]byte, error) {
	der, err := x509.MarshalPKIXPublicKey(key)
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), nil
}
