package httpsig

import (
	"crypto/ed25519"
	"crypto/sha512"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/dunglas/httpsfv"
)

// KeyFunc returns the public key registered under keyID, or an error whose
// message says why there is none (unknown, revoked).
type KeyFunc func(keyID string) (ed25519.PublicKey, error)

// Verifier checks the signature of requests.
type Verifier struct {
	Keys   KeyFunc
	Now    func() time.Time
	Skew   time.Duration // clock skew allowed on created and expires (default 60s)
	MaxAge time.Duration // a signature created longer ago is refused even without expires (default 5m)
	// Label picks the signature to check when a message carries several
	// (webhook deliveries carry sig1, the docs' form, and sig2, RFC 9421);
	// by default the first.
	Label string
}

// Signed reports whether the request carries a signature.
func Signed(req *http.Request) bool {
	return req.Header.Get("Signature-Input") != "" || req.Header.Get("Signature") != ""
}

// Verified is what a successful verification established.
type Verified struct {
	Label      string
	KeyID      string
	Form       Form
	Components []string // lowercase
	Base       string
	// DocsForm is true when only the investing docs' leniencies made it
	// verify: @target-uri as the origin, or a covered header the request
	// lacks taken as empty (sha-512 form only).
	DocsForm bool
}

// Verify checks the request's first signature (or the one Label names): its structure, its time
// window, that it covers every component in required (lowercase), the key
// and the ed25519 signature in either form. targetURI is the URI the signer
// is expected to have used. Failures are *Error with status 401 and, once
// it could be computed, the signature base.
func (v *Verifier) Verify(req *http.Request, targetURI string, required []string) (Verified, error) {
	return v.verify(req, targetURI, required, true)
}

// verify is Verify; fast false skips the hand parse of the headers (the
// tests compare both ways).
func (v *Verifier) verify(req *http.Request, targetURI string, required []string, fast bool) (Verified, error) {
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
	// The hand parse (parse.go) takes the headers as signers send them;
	// anything else, and every refusal of a malformed header, is
	// httpsfv's (parseHeaders), as before.
	sc := getScratch()
	defer putScratch(sc)
	in := &sc.in
	var signature []byte
	ok := false
	if fast && sc.parseInputFast(inputHeader, v.Label) {
		signature, ok = sc.parseSignatureFast(sigHeader, sc.in.label)
	}
	if !ok {
		var err error
		if in, signature, err = parseHeaders(inputHeader, sigHeader, v.Label); err != nil {
			return Verified{}, err
		}
	}
	label := in.label

	out := Verified{Label: label}
	for _, item := range in.items {
		name := item.name
		if item.notString {
			return out, sigError("", "Signature-Input %s lists %v, which is not a quoted component name", label, item.value)
		}
		if item.params != nil && len(item.params.Names()) > 0 {
			return out, sigError("", "component %q has parameters (%s); component parameters are not supported here", name, strings.Join(item.params.Names(), ", "))
		}
		lower := strings.ToLower(name)
		if strings.HasPrefix(lower, "@") && !derived[lower] {
			return out, sigError("", "component %q is not a derived component this server supports", name)
		}
		if slices.Contains(out.Components, lower) {
			return out, sigError("", "component %q is listed more than once", name)
		}
		if out.Components == nil {
			out.Components = make([]string, 0, len(in.items)) // one allocation; nil until a component passes, as before
		}
		out.Components = append(out.Components, lower)
	}
	var missing []string
	for _, r := range required {
		if !slices.Contains(out.Components, r) {
			missing = append(missing, r)
		}
	}
	if len(missing) > 0 {
		return out, sigError("", "the signature must cover %s on %s requests; missing: %s", strings.Join(required, ", "), req.Method, strings.Join(missing, ", "))
	}

	keyID, ok := in.stringParam("keyid")
	if !ok {
		return out, sigError("", "Signature-Input %s has no keyid parameter (keyid=\"<your key id>\")", label)
	}
	out.KeyID = keyID
	if alg, present := in.stringParam("alg"); present && alg != "ed25519" {
		return out, sigError("", "alg %q is not supported; sign with ed25519", alg)
	}
	created, ok := in.intParam("created")
	if !ok {
		return out, sigError("", "Signature-Input %s has no created parameter (unix seconds)", label)
	}
	if err := v.checkTime(created, in); err != nil {
		return out, err
	}

	var baseErr error
	sc.base, baseErr = appendBase(sc.base[:0], req, in, targetURI, false)
	var base string
	if baseErr == nil {
		base = string(sc.base)
	}
	out.Base = base
	key, err := v.Keys(keyID)
	if err != nil {
		return out, sigError(base, "%v", err).withKind(KindUnknownKey)
	}
	if baseErr == nil {
		switch {
		case verifyEd25519(key, sc.base, signature):
			out.Form = FormRFC9421
			return out, nil
		case verifySHA512(key, sc.base, signature):
			out.Form = FormSHA512
			return out, nil
		}
	}
	// The investing docs' form (sha-512 of the base) as the docs write it:
	// @target-uri as scheme and host only, and a covered header the
	// request does not carry as the empty value. Never for RFC 9421.
	for _, target := range []string{targetURI, origin(targetURI)} {
		var err error
		sc.base, err = appendBase(sc.base[:0], req, in, target, true)
		if err == nil && verifySHA512(key, sc.base, signature) {
			out.Form, out.Base, out.DocsForm = FormSHA512, string(sc.base), true
			return out, nil
		}
	}
	if baseErr != nil {
		return out, sigError("", "%v (a signature over the sha-512 of the base, the docs' form, may take a header it lacks as empty, but this one does not verify that way either)", baseErr)
	}
	return out, sigError(base, "the signature does not verify with key %q: neither over the signature base (RFC 9421) nor over its sha-512 (with @target-uri %s or the docs' %s); compare your signature base with the one this server computed (@target-uri here is %s)", keyID, targetURI, origin(targetURI), targetURI)
}

// parseHeaders parses Signature-Input and Signature with httpsfv (RFC
// 8941) and picks the member labelled want (the first when empty), with
// the precise refusal of each malformed form: the path of every header
// the hand parse (parse.go) does not take.
func parseHeaders(inputHeader, sigHeader, want string) (*sigInput, []byte, error) {
	if l, dup := duplicate(labels(inputHeader)); dup {
		return nil, nil, sigError("", "Signature-Input has the label %q more than once; use each label once", l)
	}
	if l, dup := duplicate(labels(sigHeader)); dup {
		return nil, nil, sigError("", "Signature has the label %q more than once; use each label once", l)
	}
	inputs, err := httpsfv.UnmarshalDictionary([]string{inputHeader})
	if err != nil {
		return nil, nil, sigError("", "Signature-Input is not a valid structured-field dictionary (%v); expected sig1=(\"@method\" …);created=…;keyid=\"…\"", err)
	}
	sigs, err := httpsfv.UnmarshalDictionary([]string{sigHeader})
	if err != nil {
		return nil, nil, sigError("", "Signature is not a valid structured-field dictionary (%v); expected sig1=:<base64>:", err)
	}
	names := inputs.Names()
	if len(names) == 0 {
		return nil, nil, sigError("", "Signature-Input names no signature")
	}
	label := names[0]
	if want != "" {
		label = want
	}
	m, ok := inputs.Get(label)
	if !ok {
		return nil, nil, sigError("", "Signature-Input has no signature labelled %s (it has %s)", label, strings.Join(names, ", "))
	}
	il, ok := m.(httpsfv.InnerList)
	if !ok {
		return nil, nil, sigError("", "Signature-Input %s must be an inner list of component names, as in %s=(\"@method\" \"@path\")", label, label)
	}
	sm, ok := sigs.Get(label)
	if !ok {
		return nil, nil, sigError("", "Signature has no %s: its labels must match Signature-Input's", label)
	}
	sigItem, ok := sm.(httpsfv.Item)
	var signature []byte
	if ok {
		signature, ok = sigItem.Value.([]byte)
	}
	if !ok {
		return nil, nil, sigError("", "Signature %s must be a byte sequence, as in %s=:<base64>:", label, label)
	}
	in := &sigInput{label: label}
	for _, item := range il.Items {
		c := component{params: item.Params}
		if name, isString := item.Value.(string); isString {
			c.name = name
		} else {
			c.notString, c.value = true, item.Value
		}
		in.items = append(in.items, c)
	}
	if il.Params != nil {
		for _, name := range il.Params.Names() {
			value, _ := il.Params.Get(name)
			p := param{name: name}
			switch value := value.(type) {
			case string:
				p.kind, p.str = paramString, value
			case int64:
				p.kind, p.num = paramInt, value
			}
			in.params = append(in.params, p)
		}
	}
	text, err := httpsfv.Marshal(httpsfv.List{il})
	in.text, in.textErr = []byte(text), err
	return in, signature, nil
}

func verifySHA512(key ed25519.PublicKey, base, signature []byte) bool {
	h := sha512.Sum512(base)
	return verifyEd25519(key, h[:], signature)
}

func (v *Verifier) checkTime(created int64, in *sigInput) error {
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
	if expires, ok := in.intParam("expires"); ok {
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
