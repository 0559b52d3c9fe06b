// Package httpsig signs and verifies HTTP requests with RFC 9421 HTTP
// Message Signatures (ed25519) and RFC 9530 Content-Digest, as the Openvest
// investing API expects them. It is importable: Openvest verifies requests
// with it, and clients sign with it (see Transport, for the generated Go
// client in gen/client).
//
// Two signature forms are accepted, because the investing API's own docs
// describe one and the RFC the other: ed25519 over the signature base
// (RFC 9421), and ed25519 over the sha-512 of the signature base. Component
// names are matched case-insensitively and appear in the signature base as
// the signer wrote them ("Content-Type" or "content-type").
//
// The parsing of structured fields (RFC 8941) is github.com/dunglas/httpsfv;
// the signature base is built here because the accepted forms (names as
// written, the sha-512 variant) and the precise, actionable error reasons
// the API promises are outside what general RFC 9421 libraries offer.
package httpsig

import (
	"net/http"
	"strings"
)

// Form is how the ed25519 signature relates to the signature base.
type Form int

const (
	// FormRFC9421 signs the signature base itself (RFC 9421).
	FormRFC9421 Form = iota
	// FormSHA512 signs the sha-512 of the signature base (the investing docs' description).
	FormSHA512
)

func (f Form) String() string {
	if f == FormSHA512 {
		return "sha-512 of the signature base"
	}
	return "RFC 9421 (signature base)"
}

// Error is a refused request: Status is 401 for a signature problem and 400
// for a digest problem; Reason says what is wrong and what to do; Base is
// the signature base the verifier computed, when it got that far (show it
// only to callers entitled to see it, such as sandbox organizations).
type Error struct {
	Status int
	Reason string
	Base   string
	// Kind classifies the refusal in a fixed set of words, for metrics:
	// KindMalformed, KindStale, KindUnknownKey, KindInvalid, KindMismatch.
	Kind string
}

// The kinds of Error.
const (
	KindMalformed  = "malformed"   // headers, parameters or components are not as required
	KindStale      = "stale"       // created too long ago or in the future, or expired
	KindUnknownKey = "unknown_key" // the key id is unknown or revoked
	KindInvalid    = "invalid"     // the signature does not verify
	KindMismatch   = "mismatch"    // the Content-Digest is not the body's
)

func (e *Error) Error() string { return e.Reason }

func sigError(base, format string, args ...any) *Error {
	kind := KindMalformed
	if base != "" {
		kind = KindInvalid
	}
	return &Error{Status: http.StatusUnauthorized, Reason: sprintf(format, args...), Base: base, Kind: kind}
}

func digestError(format string, args ...any) *Error {
	return &Error{Status: http.StatusBadRequest, Reason: sprintf(format, args...), Kind: KindMalformed}
}

// withKind sets e's kind.
func (e *Error) withKind(kind string) *Error {
	e.Kind = kind
	return e
}

// RequiredComponents lists the components a signature must cover, as the
// investing API documents them: @method, @target-uri and @path always;
// @query on GET and DELETE; Content-Type, Content-Digest and Content-Length
// when there is a body; Authorization and X-Client-Id except on the token
// call; and each idempotency key header (IdempotencyHeaders) the request
// carries.
func RequiredComponents(method string, hasBody, token bool, header http.Header) []string {
	query := false
	switch strings.ToUpper(method) {
	case http.MethodGet, http.MethodDelete:
		query = true
	}
	n := 4 + 3 + 2 + len(IdempotencyHeaders) // the most there can be; one allocation of the exact size
	if !query {
		n--
	}
	if !hasBody {
		n -= 3
	}
	if token {
		n -= 2
	}
	for _, h := range IdempotencyHeaders {
		if header.Get(h) == "" {
			n--
		}
	}
	out := make([]string, 0, n)
	out = append(out, "@method", "@target-uri", "@path")
	if query {
		out = append(out, "@query")
	}
	if hasBody {
		out = append(out, "content-type", "content-digest", "content-length")
	}
	if !token {
		out = append(out, "authorization", "x-client-id")
	}
	for _, h := range IdempotencyHeaders {
		if header.Get(h) != "" {
			out = append(out, strings.ToLower(h))
		}
	}
	return out
}

// IdempotencyHeaders are the header names an idempotency key travels
// under, in the order a server reads them: X-Idempotency-Key (current),
// X-Idempotency-Id (the investing vendor's endpoint pages),
// Idempotency-Key (IETF draft) and x-l2f-idempotency-id (the banking
// vendor's). A signature must cover each one the request carries, under
// the name it carries.
var IdempotencyHeaders = []string{"X-Idempotency-Key", "X-Idempotency-Id", "Idempotency-Key", "X-L2f-Idempotency-Id"}

func mutating(method string) bool {
	switch strings.ToUpper(method) {
	case http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete:
		return true
	}
	return false
}

// TokenCall reports whether a request exchanges client credentials for a
// token: POST /v1/oauth/token, or the old POST /v1/auth. Its signature
// covers neither Authorization nor X-Client-Id.
func TokenCall(method, path string) bool {
	return strings.HasSuffix(path, "/oauth/token") || (strings.EqualFold(method, http.MethodPost) && strings.HasSuffix(path, "/v1/auth"))
}
