package httpsig

import (
	"bytes"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"sort"
	"strings"

	"github.com/dunglas/httpsfv"
)

// digesters are the Content-Digest algorithms understood here (RFC 9530).
var digesters = map[string]func([]byte) []byte{
	"sha-512": func(b []byte) []byte { h := sha512.Sum512(b); return h[:] },
	"sha-256": func(b []byte) []byte { h := sha256.Sum256(b); return h[:] },
}

// ContentDigest returns the Content-Digest header value for body with the
// sha-512 algorithm: `sha-512=:<base64>:`.
func ContentDigest(body []byte) string {
	sum := sha512.Sum512(body)
	var buf [len("sha-512=::") + 88]byte // 88: the base64 of 64 bytes
	b := append(buf[:0], "sha-512=:"...)
	b = base64.StdEncoding.AppendEncode(b, sum[:])
	return string(append(b, ':')) // the one allocation
}

// VerifyContentDigest checks a Content-Digest header value against the exact
// body bytes. Every supported algorithm present must match; at least one
// must be present. It returns an *Error with status 400.
func VerifyContentDigest(header string, body []byte) error {
	if contentDigestMatches(header, body) {
		return nil
	}
	return verifyContentDigest(header, body)
}

// verifyContentDigest is VerifyContentDigest with httpsfv's parse.
func verifyContentDigest(header string, body []byte) error {
	dict, err := httpsfv.UnmarshalDictionary([]string{header})
	if err != nil {
		return digestError("Content-Digest is not a valid structured-field dictionary (%v); send it as sha-512=:<base64 of the sha-512 of the body>:", err)
	}
	if len(dict.Names()) == 0 {
		return digestError("Content-Digest is empty; send sha-512=:<base64 of the sha-512 of the body>:")
	}
	checked := 0
	var unknown []string
	for _, alg := range dict.Names() {
		m, _ := dict.Get(alg)
		digest, ok := digesters[alg]
		if !ok {
			unknown = append(unknown, alg)
			continue
		}
		item, ok := m.(httpsfv.Item)
		if !ok {
			return digestError("Content-Digest %s must be a byte sequence (:base64:)", alg)
		}
		got, ok := item.Value.([]byte)
		if !ok {
			return digestError("Content-Digest %s must be a byte sequence (:base64:), not %T", alg, item.Value)
		}
		if !bytes.Equal(got, digest(body)) {
			return digestError("Content-Digest %s does not match the request body (%d bytes): digest the exact bytes sent", alg, len(body)).withKind(KindMismatch)
		}
		checked++
	}
	if checked == 0 {
		sort.Strings(unknown)
		return digestError("Content-Digest has no supported algorithm (got %s); use sha-512 or sha-256", strings.Join(unknown, ", "))
	}
	return nil
}

// contentDigestMatches is VerifyContentDigest's quick yes: header is a
// dictionary of byte sequences (the hand parse of parse.go, not httpsfv's
// maps), at least one of a supported algorithm, each of which is the
// body's. Anything else (a refusal, a form the hand parse leaves to
// httpsfv) goes to the full check and its precise reason;
// FuzzContentDigestPathsAgree compares the two.
func contentDigestMatches(header string, body []byte) bool {
	sc := getScratch()
	defer putScratch(sc)
	checked, match := 0, true
	var sum [sha512.Size]byte
	parsed := sc.parseByteSequences(header, func(alg string, got []byte) {
		var want []byte
		switch alg {
		case "sha-512":
			sum = sha512.Sum512(body)
			want = sum[:]
		case "sha-256":
			s := sha256.Sum256(body)
			want = append(sum[:0], s[:]...)
		default:
			digest, ok := digesters[alg]
			if !ok {
				return
			}
			want = digest(body)
		}
		checked++
		match = match && bytes.Equal(got, want)
	})
	return parsed && match && checked > 0
}
