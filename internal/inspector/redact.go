package inspector

import (
	"bytes"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"sort"
	"strings"
	"unicode/utf8"
)

var separators = strings.NewReplacer("-", "", "_", "", " ", "")

// secretName reports whether a header, form field or JSON property of
// this name carries a secret: credentials, tokens, passwords, keys. A
// token's id or type is not one (tokenId, tokenType).
func secretName(name string) bool {
	n := separators.Replace(strings.ToLower(name))
	switch n {
	case "authorization", "proxyauthorization", "cookie", "setcookie", "password", "pin":
		return true
	}
	return strings.HasSuffix(n, "token") || strings.Contains(n, "secret") || strings.Contains(n, "password") ||
		strings.Contains(n, "apikey") || strings.Contains(n, "privatekey") || strings.HasSuffix(n, "pem")
}

// Headers flattens h (values of one name joined with ", ") with the
// values of secret headers redacted.
func Headers(h http.Header) map[string]string {
	out := make(map[string]string, len(h))
	for k, vs := range h {
		if secretName(k) {
			out[k] = Redacted
			continue
		}
		out[k] = strings.Join(vs, ", ")
	}
	return out
}

// RedactBody replaces the values of secret fields in a JSON or form body
// (by its content type) with Redacted, leaving every other byte as it
// was; other bodies are returned as they are. A body cut short (or
// malformed) is redacted up to where it could be read.
func RedactBody(contentType string, body []byte) []byte {
	if len(body) == 0 {
		return body
	}
	mt, _, _ := mime.ParseMediaType(contentType)
	if !mayHoldSecret(body) {
		return body // the common case, without parsing
	}
	switch {
	case mt == "application/x-www-form-urlencoded":
		return redactForm(body)
	case mt == "application/json" || strings.HasSuffix(mt, "+json") || (mt == "" && (body[0] == '{' || body[0] == '[')):
		return redactJSON(body)
	}
	return body
}

// secretFragments are what every name secretName accepts contains, in
// lowercase: a body without any of them (in any case) has no secret field.
var secretFragments = [][]byte{[]byte("token"), []byte("secret"), []byte("password"), []byte("pass"), []byte("pin"),
	[]byte("key"), []byte("pem"), []byte("auth"), []byte("cookie")}

func mayHoldSecret(body []byte) bool {
	lower := bytes.ToLower(body)
	for _, f := range secretFragments {
		if bytes.Contains(lower, f) {
			return true
		}
	}
	return false
}

func redactForm(body []byte) []byte {
	parts := bytes.Split(body, []byte("&"))
	changed := false
	for i, p := range parts {
		k, _, ok := bytes.Cut(p, []byte("="))
		if !ok {
			continue
		}
		name := string(k)
		if u, err := urlUnescape(name); err == nil {
			name = u
		}
		if secretName(name) {
			parts[i] = append(append(append([]byte{}, k...), '='), Redacted...)
			changed = true
		}
	}
	if !changed {
		return body
	}
	return bytes.Join(parts, []byte("&"))
}

func urlUnescape(s string) (string, error) {
	s = strings.ReplaceAll(s, "+", " ")
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) {
			var v byte
			for _, c := range []byte(s[i+1 : i+3]) {
				switch {
				case c >= '0' && c <= '9':
					v = v<<4 | (c - '0')
				case c >= 'a' && c <= 'f':
					v = v<<4 | (c - 'a' + 10)
				case c >= 'A' && c <= 'F':
					v = v<<4 | (c - 'A' + 10)
				default:
					return s, io.ErrUnexpectedEOF
				}
			}
			b.WriteByte(v)
			i += 2
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String(), nil
}

// redactJSON replaces the scalar values of secret properties, found with
// a token reader that knows each value's byte span.
func redactJSON(body []byte) []byte {
	type span struct{ start, end int64 }
	var spans []span
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	// stack of containers: true for an object (whose next string is a key).
	var stack []bool
	expectKey := false
	secret := false
	for {
		before := dec.InputOffset()
		tok, err := dec.Token()
		if err != nil {
			break
		}
		if d, ok := tok.(json.Delim); ok {
			switch d {
			case '{':
				stack = append(stack, true)
				expectKey = true
			case '[':
				stack = append(stack, false)
				expectKey = false
			case '}', ']':
				stack = stack[:len(stack)-1]
				expectKey = len(stack) > 0 && stack[len(stack)-1]
			}
			secret = false
			continue
		}
		inObject := len(stack) > 0 && stack[len(stack)-1]
		if inObject && expectKey {
			name, _ := tok.(string)
			secret = secretName(name)
			expectKey = false
			continue
		}
		if secret {
			start := before
			for start < int64(len(body)) && (body[start] == ' ' || body[start] == '\t' || body[start] == '\n' || body[start] == '\r' || body[start] == ':' || body[start] == ',') {
				start++
			}
			spans = append(spans, span{start, dec.InputOffset()})
		}
		secret = false
		expectKey = inObject
	}
	if len(spans) == 0 {
		return body
	}
	sort.Slice(spans, func(i, j int) bool { return spans[i].start < spans[j].start })
	var out bytes.Buffer
	last := int64(0)
	for _, s := range spans {
		if s.start < last || s.end > int64(len(body)) || s.start >= s.end {
			continue
		}
		out.Write(body[last:s.start])
		out.WriteString(`"` + Redacted + `"`)
		last = s.end
	}
	out.Write(body[last:])
	return out.Bytes()
}

// Cap keeps at most BodyLimit bytes of body, and whether it cut some; a
// cut in UTF-8 text falls between characters.
func Cap(body []byte) ([]byte, bool) {
	if len(body) <= BodyLimit {
		return body, false
	}
	cut := BodyLimit
	for back := 0; back < utf8.UTFMax-1 && !utf8.RuneStart(body[cut]); back++ {
		cut--
	}
	if !utf8.Valid(body[:cut]) {
		cut = BodyLimit // not text: bytes
	}
	return body[:cut], true
}
