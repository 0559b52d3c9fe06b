package httpsig

// The implementation of Verify and Sign before the hand parse and the
// pooled base (commit e04d648), kept verbatim (renamed) as the reference
// the new one is fuzzed against: FuzzVerifyMatchesReference and
// TestSignMatchesReference.

import (
	"crypto/ed25519"
	"crypto/sha512"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/dunglas/httpsfv"
)

func (v *Verifier) refVerify(req *http.Request, targetURI string, required []string) (Verified, error) {
	inputHeader := strings.Join(req.Header.Values("Signature-Input"), ", ")
	sigHeader := strings.Join(req.Header.Values("Signature"), ", ")
	switch {
	case inputHeader == "" && sigHeader == "":
		return Verified{}, sigError("", "the request is not signed: send Signature-Input and Signature headers (RFC 9421, ed25519)")
	case inputHeader == "":
		return Verified{}, sigError("", "Signature is present but Signature-Input is missing")
	case sigHeader == "":
		return Verified{}, sigError("", "Signature-Input is present but Signature is missing")
	}
	if l, dup := duplicate(labels(inputHeader)); dup {
		return Verified{}, sigError("", "Signature-Input has the label %q more than once; use each label once", l)
	}
	if l, dup := duplicate(labels(sigHeader)); dup {
		return Verified{}, sigError("", "Signature has the label %q more than once; use each label once", l)
	}
	inputs, err := httpsfv.UnmarshalDictionary([]string{inputHeader})
	if err != nil {
		return Verified{}, sigError("", "Signature-Input is not a valid structured-field dictionary (%v); expected sig1=(\"@method\" …);created=…;keyid=\"…\"", err)
	}
	sigs, err := httpsfv.UnmarshalDictionary([]string{sigHeader})
	if err != nil {
		return Verified{}, sigError("", "Signature is not a valid structured-field dictionary (%v); expected sig1=:<base64>:", err)
	}
	names := inputs.Names()
	if len(names) == 0 {
		return Verified{}, sigError("", "Signature-Input names no signature")
	}
	label := names[0]
	if v.Label != "" {
		label = v.Label
	}
	m, ok := inputs.Get(label)
	if !ok {
		return Verified{}, sigError("", "Signature-Input has no signature labelled %s (it has %s)", label, strings.Join(names, ", "))
	}
	il, ok := m.(httpsfv.InnerList)
	if !ok {
		return Verified{}, sigError("", "Signature-Input %s must be an inner list of component names, as in %s=(\"@method\" \"@path\")", label, label)
	}
	sm, ok := sigs.Get(label)
	if !ok {
		return Verified{}, sigError("", "Signature has no %s: its labels must match Signature-Input's", label)
	}
	sigItem, ok := sm.(httpsfv.Item)
	var signature []byte
	if ok {
		signature, ok = sigItem.Value.([]byte)
	}
	if !ok {
		return Verified{}, sigError("", "Signature %s must be a byte sequence, as in %s=:<base64>:", label, label)
	}

	out := Verified{Label: label}
	seen := map[string]bool{}
	for _, item := range il.Items {
		name, isString := item.Value.(string)
		if !isString {
			return out, sigError("", "Signature-Input %s lists %v, which is not a quoted component name", label, item.Value)
		}
		if item.Params != nil && len(item.Params.Names()) > 0 {
			return out, sigError("", "component %q has parameters (%s); component parameters are not supported here", name, strings.Join(item.Params.Names(), ", "))
		}
		lower := strings.ToLower(name)
		if strings.HasPrefix(lower, "@") && !derived[lower] {
			return out, sigError("", "component %q is not a derived component this server supports", name)
		}
		if seen[lower] {
			return out, sigError("", "component %q is listed more than once", name)
		}
		seen[lower] = true
		out.Components = append(out.Components, lower)
	}
	var missing []string
	for _, r := range required {
		if !seen[r] {
			missing = append(missing, r)
		}
	}
	if len(missing) > 0 {
		return out, sigError("", "the signature must cover %s on %s requests; missing: %s", strings.Join(required, ", "), req.Method, strings.Join(missing, ", "))
	}

	params := il.Params
	keyID, ok := refStringParam(params, "keyid")
	if !ok {
		return out, sigError("", "Signature-Input %s has no keyid parameter (keyid=\"<your key id>\")", label)
	}
	out.KeyID = keyID
	if alg, present := refStringParam(params, "alg"); present && alg != "ed25519" {
		return out, sigError("", "alg %q is not supported; sign with ed25519", alg)
	}
	created, ok := refIntParam(params, "created")
	if !ok {
		return out, sigError("", "Signature-Input %s has no created parameter (unix seconds)", label)
	}
	if err := v.refCheckTime(created, params); err != nil {
		return out, err
	}

	base, baseErr := refSignatureBase(req, il, targetURI)
	out.Base = base
	key, err := v.Keys(keyID)
	if err != nil {
		return out, sigError(base, "%v", err).withKind(KindUnknownKey)
	}
	if baseErr == nil {
		switch {
		case verifyEd25519(key, []byte(base), signature):
			out.Form = FormRFC9421
			return out, nil
		case refVerifySHA512(key, base, signature):
			out.Form = FormSHA512
			return out, nil
		}
	}
	// The investing docs' form (sha-512 of the base) as the docs write it:
	// @target-uri as scheme and host only, and a covered header the
	// request does not carry as the empty value. Never for RFC 9421.
	for _, target := range []string{targetURI, origin(targetURI)} {
		docsBase, err := refBuildBase(req, il, target, true)
		if err == nil && refVerifySHA512(key, docsBase, signature) {
			out.Form, out.Base, out.DocsForm = FormSHA512, docsBase, true
			return out, nil
		}
	}
	if baseErr != nil {
		return out, sigError("", "%v (a signature over the sha-512 of the base, the docs' form, may take a header it lacks as empty, but this one does not verify that way either)", baseErr)
	}
	return out, sigError(base, "the signature does not verify with key %q: neither over the signature base (RFC 9421) nor over its sha-512 (with @target-uri %s or the docs' %s); compare your signature base with the one this server computed (@target-uri here is %s)", keyID, targetURI, origin(targetURI), targetURI)
}

func refVerifySHA512(key ed25519.PublicKey, base string, signature []byte) bool {
	h := sha512.Sum512([]byte(base))
	return verifyEd25519(key, h[:], signature)
}

func (v *Verifier) refCheckTime(created int64, params *httpsfv.Params) error {
	now := time.Now
	if v.Now != nil {
		now = v.Now
	}
	skew, maxAge := v.Skew, v.MaxAge
	if skew == 0 {
		skew = time.Minute
	}
	if maxAge == 0 {
		maxAge = 5 * time.Minute
	}
	t := now()
	c := time.Unix(created, 0)
	if c.After(t.Add(skew)) {
		return sigError("", "created=%d is %s in the future (allowed clock skew %s); check your clock", created, c.Sub(t).Round(time.Second), skew).withKind(KindStale)
	}
	if expires, ok := refIntParam(params, "expires"); ok {
		e := time.Unix(expires, 0)
		if expires < created {
			return sigError("", "expires=%d is before created=%d", expires, created)
		}
		if t.After(e.Add(skew)) {
			return sigError("", "the signature expired %s ago (expires=%d); sign each request when you send it", t.Sub(e).Round(time.Second), expires).withKind(KindStale)
		}
	}
	if t.Sub(c) > maxAge+skew {
		return sigError("", "the signature was created %s ago (created=%d); signatures older than %s are refused: sign each request when you send it", t.Sub(c).Round(time.Second), created, maxAge).withKind(KindStale)
	}
	return nil
}

func refStringParam(p *httpsfv.Params, name string) (string, bool) {
	if p == nil {
		return "", false
	}
	v, ok := p.Get(name)
	if !ok {
		return "", false
	}
	s, ok := v.(string)
	return s, ok
}

func refIntParam(p *httpsfv.Params, name string) (int64, bool) {
	if p == nil {
		return 0, false
	}
	v, ok := p.Get(name)
	if !ok {
		return 0, false
	}
	n, ok := v.(int64)
	return n, ok
}

// componentValue derives the value of one covered component (RFC 9421 §2)
// from the request. name is lowercase. targetURI is the request's full URI
// as the signer saw it.
func refComponentValue(req *http.Request, name, targetURI string) (string, bool) {
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

// signatureBase builds the RFC 9421 signature base for the covered
// components of il (names as written) and its parameters.
func refSignatureBase(req *http.Request, il httpsfv.InnerList, targetURI string) (string, error) {
	return refBuildBase(req, il, targetURI, false)
}

// buildBase builds a signature base; with missingEmpty (the investing docs'
// form) a covered header the request does not carry has the empty value
// instead of making the base impossible.
func refBuildBase(req *http.Request, il httpsfv.InnerList, targetURI string, missingEmpty bool) (string, error) {
	var b strings.Builder
	b.Grow(64 * (len(il.Items) + 2)) // one allocation for a base of typical lines
	for _, item := range il.Items {
		name := item.Value.(string) // checked by the caller
		id, err := refComponentID(name, item.Params)
		if err != nil {
			return "", err
		}
		lower := strings.ToLower(name)
		value, ok := refComponentValue(req, lower, targetURI)
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
func refComponentID(name string, params *httpsfv.Params) (string, error) {
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

func (s *Signer) refSign(req *http.Request, body []byte) error {
	if len(body) > 0 {
		if req.Header.Get("Content-Digest") == "" {
			req.Header.Set("Content-Digest", ContentDigest(body))
		}
		req.Header.Set("Content-Length", strconv.Itoa(len(body)))
		req.ContentLength = int64(len(body))
	}
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
	params := httpsfv.NewParams()
	params.Add("created", created)
	if s.TTL >= 0 {
		ttl := s.TTL
		if ttl == 0 {
			ttl = time.Minute
		}
		params.Add("expires", created+int64(ttl/time.Second))
	}
	params.Add("keyid", s.KeyID)
	il := httpsfv.InnerList{Params: params}
	for _, c := range components {
		name := c
		if (s.DocsNames || s.Docs) && !strings.HasPrefix(c, "@") {
			name = http.CanonicalHeaderKey(c)
		}
		il.Items = append(il.Items, httpsfv.NewItem(name))
	}
	target := s.TargetURI
	if target == "" {
		target = req.URL.String()
		if s.Docs {
			target = origin(target)
		}
	}
	base, err := refBuildBase(req, il, target, s.Docs)
	if err != nil {
		return err
	}
	msg := []byte(base)
	if s.Form == FormSHA512 || s.Docs {
		h := sha512.Sum512(msg)
		msg = h[:]
	}
	label := s.Label
	if label == "" {
		label = "sig1"
	}
	input := httpsfv.NewDictionary()
	input.Add(label, il)
	inputHeader, err := httpsfv.Marshal(input)
	if err != nil {
		return err
	}
	sig := httpsfv.NewDictionary()
	sig.Add(label, httpsfv.NewItem(SignEd25519(s.Key, msg)))
	sigHeader, err := httpsfv.Marshal(sig)
	if err != nil {
		return err
	}
	req.Header.Set("Signature-Input", inputHeader)
	req.Header.Set("Signature", sigHeader)
	return nil
}
