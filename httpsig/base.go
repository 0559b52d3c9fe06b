package httpsig

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/dunglas/httpsfv"
)

func sprintf(format string, args ...any) string { return fmt.Sprintf(format, args...) }

// componentValue derives the value of one covered component (RFC 9421 §2)
// from the request. name is lowercase. targetURI is the request's full URI
// as the signer saw it.
func componentValue(req *http.Request, name, targetURI string) (string, bool) {
	switch name {
	case "@method":
		return req.Method, true
	case "@target-uri":
		return targetURI, true
	case "@authority":
		return strings.ToLower(req.Host), true
	case "@scheme":
		if i := strings.Index(targetURI, "://"); i > 0 {
			return strings.ToLower(targetURI[:i]), true
		}
		return "", false
	case "@path":
		p := req.URL.EscapedPath()
		if p == "" {
			p = "/"
		}
		return p, true
	case "@query":
		return "?" + req.URL.RawQuery, true
	case "@request-target":
		return req.URL.RequestURI(), true
	case "host":
		return strings.ToLower(req.Host), req.Host != ""
	}
	if strings.HasPrefix(name, "@") {
		return "", false
	}
	values := req.Header.Values(name)
	if len(values) == 0 {
		if name == "content-length" && req.ContentLength >= 0 && (req.ContentLength > 0 || req.Body != nil && req.Body != http.NoBody) {
			return strconv.FormatInt(req.ContentLength, 10), true
		}
		return "", false
	}
	for i, v := range values {
		values[i] = strings.TrimSpace(v)
	}
	return strings.Join(values, ", "), true
}

// known derived components; anything else starting with @ is refused.
var derived = map[string]bool{
	"@method": true, "@target-uri": true, "@authority": true, "@scheme": true,
	"@path": true, "@query": true, "@request-target": true,
}

// signatureBase builds the RFC 9421 signature base for the covered
// components of il (names as written) and its parameters.
func signatureBase(req *http.Request, il httpsfv.InnerList, targetURI string) (string, error) {
	return buildBase(req, il, targetURI, false)
}

// buildBase builds a signature base; with missingEmpty (the investing docs'
// form) a covered header the request does not carry has the empty value
// instead of making the base impossible.
func buildBase(req *http.Request, il httpsfv.InnerList, targetURI string, missingEmpty bool) (string, error) {
	var b strings.Builder
	b.Grow(64 * (len(il.Items) + 2)) // one allocation for a base of typical lines
	for _, item := range il.Items {
		name := item.Value.(string) // checked by the caller
		id, err := componentID(name, item.Params)
		if err != nil {
			return "", err
		}
		lower := strings.ToLower(name)
		value, ok := componentValue(req, lower, targetURI)
		if !ok && missingEmpty && !strings.HasPrefix(lower, "@") {
			value, ok = "", true
		}
		if !ok {
			return "", fmt.Errorf("the signature covers %s but the request has no such component; send the header or remove it from Signature-Input", id)
		}
		b.WriteString(id)
		b.WriteString(": ")
		b.WriteString(value)
		b.WriteByte('\n')
	}
	params, err := httpsfv.Marshal(httpsfv.List{il})
	if err != nil {
		return "", err
	}
	b.WriteString(`"@signature-params": `)
	b.WriteString(params)
	return b.String(), nil
}

// componentID is the serialized component identifier of a line of the
// base: the name as a quoted string, with its parameters. A name of plain
// characters (every header and derived component name) is quoted as is;
// anything else, or parameters, goes through the structured-field
// serializer.
func componentID(name string, params *httpsfv.Params) (string, error) {
	plain := params == nil || len(params.Names()) == 0
	for i := 0; plain && i < len(name); i++ {
		c := name[i]
		plain = c >= 0x20 && c < 0x7f && c != '"' && c != '\\'
	}
	if plain {
		return `"` + name + `"`, nil
	}
	if params == nil {
		params = httpsfv.NewParams()
	}
	return httpsfv.Marshal(httpsfv.Item{Value: name, Params: params})
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
