package httpsig

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/dunglas/httpsfv"
)

func sprintf(format string, args ...any) string { return fmt.Sprintf(format, args...) }

// sigInput is one member of Signature-Input, as the verifier and the signer
// use it: the covered components as written, the inner list's parameters,
// and the serialized inner list (the value of @signature-params). The
// verifier fills it from the hand parse (parse.go) or from httpsfv's, the
// signer from its own fields.
type sigInput struct {
	label  string
	items  []component
	params []param
	// text is the inner list serialized as RFC 8941 serializes it (the
	// value of the @signature-params line); textErr is the serializer's
	// error, if any (it becomes the base's error, as before).
	text    []byte
	textErr error
}

// component is one item of the inner list.
type component struct {
	name string // as written; only when the item is a string
	// Only from httpsfv's parse (the hand parse gives up on both): the
	// item's value when it is not a string, and its parameters.
	notString bool
	value     any
	params    *httpsfv.Params
}

type paramKind uint8

const (
	paramOther paramKind = iota // a token, boolean, decimal or byte sequence
	paramString
	paramInt
)

// param is one parameter of the inner list.
type param struct {
	name string
	kind paramKind
	str  string
	num  int64
}

func (in *sigInput) param(name string) (param, bool) {
	for _, p := range in.params {
		if p.name == name {
			return p, true
		}
	}
	return param{}, false
}

func (in *sigInput) stringParam(name string) (string, bool) {
	p, ok := in.param(name)
	return p.str, ok && p.kind == paramString
}

func (in *sigInput) intParam(name string) (int64, bool) {
	p, ok := in.param(name)
	return p.num, ok && p.kind == paramInt
}

// scratch is the per-call working memory of Verify and Sign: the buffer the
// signature base is built in, the parsed header and the decoded signature.
// It is pooled: a signed request then builds its base without allocating
// (before, the base, its lines and the two dictionary parses were about 80
// allocations per request).
type scratch struct {
	base   []byte
	in     sigInput
	items  [16]component
	params [8]param
	text   []byte
	labels [8]string
	sig    [128]byte
	tmp    [128]byte
	enc    []byte
	// inputEnd is where the signer's Signature-Input member ends in text.
	inputEnd int
}

var scratchPool = sync.Pool{New: func() any {
	return &scratch{base: make([]byte, 0, 1024), text: make([]byte, 0, 256), enc: make([]byte, 0, 176)}
}}

func getScratch() *scratch { return scratchPool.Get().(*scratch) }

func putScratch(sc *scratch) {
	if cap(sc.base) > 64<<10 || cap(sc.text) > 16<<10 {
		return // an unusually large base: let it go rather than keep it
	}
	sc.in = sigInput{}
	clear(sc.items[:])
	clear(sc.labels[:])
	clear(sc.params[:])
	scratchPool.Put(sc)
}

// appendComponent appends the value of one covered component (RFC 9421 §2)
// of the request to dst. name is lowercase. targetURI is the request's full
// URI as the signer saw it. It reports false when the request has no such
// component.
func appendComponent(dst []byte, req *http.Request, name, targetURI string) ([]byte, bool) {
	switch name {
	case "@method":
		return append(dst, req.Method...), true
	case "@target-uri":
		return append(dst, targetURI...), true
	case "@authority":
		return append(dst, strings.ToLower(req.Host)...), true
	case "@scheme":
		if i := strings.Index(targetURI, "://"); i > 0 {
			return append(dst, strings.ToLower(targetURI[:i])...), true
		}
		return dst, false
	case "@path":
		p := req.URL.EscapedPath()
		if p == "" {
			p = "/"
		}
		return append(dst, p...), true
	case "@query":
		return append(append(dst, '?'), req.URL.RawQuery...), true
	case "@request-target":
		return append(dst, req.URL.RequestURI()...), true
	case "host":
		return append(dst, strings.ToLower(req.Host)...), req.Host != ""
	}
	if strings.HasPrefix(name, "@") {
		return dst, false
	}
	values := req.Header[canonicalHeader(name)]
	if len(values) == 0 {
		if name == "content-length" && req.ContentLength >= 0 && (req.ContentLength > 0 || req.Body != nil && req.Body != http.NoBody) {
			return strconv.AppendInt(dst, req.ContentLength, 10), true
		}
		return dst, false
	}
	for i, v := range values {
		if i > 0 {
			dst = append(dst, ", "...)
		}
		dst = append(dst, strings.TrimSpace(v)...)
	}
	return dst, true
}

// canonicalHeader is http.CanonicalHeaderKey(name) without its allocation
// for the lowercase names API signatures cover (textproto interns only the
// common ones, not X-Client-Id or the idempotency keys);
// TestCanonicalHeader checks the table against it.
func canonicalHeader(name string) string {
	switch name {
	case "authorization":
		return "Authorization"
	case "x-client-id":
		return "X-Client-Id"
	case "content-type":
		return "Content-Type"
	case "content-digest":
		return "Content-Digest"
	case "content-length":
		return "Content-Length"
	case "x-idempotency-key":
		return "X-Idempotency-Key"
	case "x-idempotency-id":
		return "X-Idempotency-Id"
	case "idempotency-key":
		return "Idempotency-Key"
	case "x-l2f-idempotency-id":
		return "X-L2f-Idempotency-Id"
	case "webhook-id":
		return "Webhook-Id"
	case "webhook-timestamp":
		return "Webhook-Timestamp"
	case "date":
		return "Date"
	}
	return http.CanonicalHeaderKey(name)
}

// known derived components; anything else starting with @ is refused.
var derived = map[string]bool{
	"@method": true, "@target-uri": true, "@authority": true, "@scheme": true,
	"@path": true, "@query": true, "@request-target": true,
}

// appendBase appends the RFC 9421 signature base of in's covered
// components (names as written, already checked to be strings without
// parameters) and its parameters to dst. With missingEmpty (the investing
// docs' form) a covered header the request does not carry has the empty
// value instead of making the base impossible. On error dst is returned
// with the partial base, which the caller drops.
func appendBase(dst []byte, req *http.Request, in *sigInput, targetURI string, missingEmpty bool) ([]byte, error) {
	for _, c := range in.items {
		line := len(dst)
		var err error
		if dst, err = appendQuoted(dst, c.name); err != nil {
			return dst, err
		}
		id := dst[line:]
		dst = append(dst, ": "...)
		lower := strings.ToLower(c.name) // no allocation when it is already lowercase
		var ok bool
		dst, ok = appendComponent(dst, req, lower, targetURI)
		if !ok && missingEmpty && !strings.HasPrefix(lower, "@") {
			ok = true
		}
		if !ok {
			return dst, fmt.Errorf("the signature covers %s but the request has no such component; send the header or remove it from Signature-Input", id)
		}
		dst = append(dst, '\n')
	}
	if in.textErr != nil {
		return dst, in.textErr
	}
	dst = append(dst, `"@signature-params": `...)
	return append(dst, in.text...), nil
}

// componentID is the serialized component identifier of a line of the
// base: the name as a quoted string, with its parameters (which the
// verifier refuses before it builds a base). appendBase writes the same
// bytes with appendQuoted; TestComponentIDIsTheSerializedItem checks them
// against httpsfv's serializer.
func componentID(name string, params *httpsfv.Params) (string, error) {
	if params == nil || len(params.Names()) == 0 {
		b, err := appendQuoted(nil, name)
		if err != nil {
			return "", err
		}
		return string(b), nil
	}
	return httpsfv.Marshal(httpsfv.Item{Value: name, Params: params})
}

// appendQuoted appends s as an RFC 8941 string (the component identifier
// of a line of the base, a string parameter), as httpsfv serializes it:
// `"` and `\` escaped, and an error for a control or non-ASCII character.
func appendQuoted(dst []byte, s string) ([]byte, error) {
	dst = append(dst, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= 0x1f || c >= 0x7f {
			return dst, httpsfv.ErrInvalidStringFormat
		}
		if c == '"' || c == '\\' {
			dst = append(dst, '\\')
		}
		dst = append(dst, c)
	}
	return append(dst, '"'), nil
}

// appendInnerList appends the serialization of in's items and parameters
// (strings and integers only: what the hand parse and the signer produce),
// as httpsfv.Marshal writes it.
func appendInnerList(dst []byte, in *sigInput) ([]byte, error) {
	dst = append(dst, '(')
	for i, c := range in.items {
		if i > 0 {
			dst = append(dst, ' ')
		}
		var err error
		if dst, err = appendQuoted(dst, c.name); err != nil {
			return dst, err
		}
	}
	dst = append(dst, ')')
	for _, p := range in.params {
		dst = append(append(dst, ';'), p.name...)
		switch p.kind {
		case paramString:
			var err error
			if dst, err = appendQuoted(append(dst, '='), p.str); err != nil {
				return dst, err
			}
		case paramInt:
			if p.num < -999999999999999 || p.num > 999999999999999 {
				return dst, httpsfv.ErrNumberOutOfRange
			}
			dst = strconv.AppendInt(append(dst, '='), p.num, 10)
		default:
			return dst, errors.New("httpsig: a parameter that is neither a string nor an integer")
		}
	}
	return dst, nil
}

// labels returns the member names of a dictionary header in order, with
// duplicates (which a structured-field parser would silently merge).
func labels(header string) []string {
	var out []string
	depth, inString, escaped := 0, false, false
	start := 0
	flush := func(end int) {
		member := strings.TrimSpace(header[start:end])
		if member == "" {
			return
		}
		key := member
		if i := strings.IndexAny(member, "=;"); i >= 0 {
			key = member[:i]
		}
		out = append(out, strings.TrimSpace(key))
	}
	for i := 0; i < len(header); i++ {
		c := header[i]
		switch {
		case inString:
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
		case c == '"':
			inString = true
		case c == '(':
			depth++
		case c == ')':
			depth--
		case c == ',' && depth == 0:
			flush(i)
			start = i + 1
		}
	}
	flush(len(header))
	return out
}

func duplicate(names []string) (string, bool) {
	seen := map[string]bool{}
	for _, n := range names {
		if seen[n] {
			return n, true
		}
		seen[n] = true
	}
	return "", false
}

// origin is the scheme and host of an absolute URI (https://api.example.com
// of https://api.example.com/v1/customers?sort=ASC): the investing docs'
// value of @target-uri.
func origin(uri string) string {
	i := strings.Index(uri, "://")
	if i < 0 {
		return uri
	}
	if j := strings.IndexAny(uri[i+3:], "/?#"); j >= 0 {
		return uri[:i+3+j]
	}
	return uri
}
