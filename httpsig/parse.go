package httpsig

import "encoding/base64"

// The hand parse of Signature-Input and Signature.
//
// httpsfv (RFC 8941) parses both headers into maps of interfaces: about 60
// allocations and a tenth of a signed GET's verification beyond the
// ed25519 check itself, for two headers that, as signers send them, use a
// sliver of the grammar. parseInputFast and parseSignatureFast read that
// sliver only, in one pass each and into the pooled scratch: a dictionary
// of unique keys whose Signature-Input members are inner lists of strings
// without parameters (and without escapes), with string and integer
// parameters, unique; and whose Signature members are byte sequences
// without parameters. On anything else, valid or not (a token or boolean
// parameter, an escape, a duplicate label or parameter, a 15-digit
// integer, a label that is missing, a malformed header) they report false
// and Verify takes httpsfv's parse and its exact errors, as before. What
// they accept they accept exactly as httpsfv does, with the same values
// and the same serialization: FuzzParseAgreesWithHTTPSFV and
// FuzzVerifyPathsAgree check that.

// parseInputFast parses Signature-Input h into sc.in, with the member
// labelled want (the first when want is empty).
func (sc *scratch) parseInputFast(h, want string) bool {
	s := skipSP(h, 0)
	n := 0
	found := false
	items, params := sc.items[:0], sc.params[:0]
	for {
		var key string
		var ok bool
		if key, s, ok = scanKey(h, s); !ok {
			return false
		}
		if !sc.newLabel(key, n) {
			return false
		}
		n++
		if s+1 >= len(h) || h[s] != '=' || h[s+1] != '(' {
			return false // a boolean member, an item: not a signature's
		}
		s += 2
		chosen := !found && (want == "" || key == want)
		for {
			s = skipSP(h, s)
			if s >= len(h) {
				return false
			}
			if h[s] == ')' {
				s++
				break
			}
			var name string
			if name, s, ok = scanString(h, s); !ok {
				return false
			}
			if s >= len(h) || h[s] != ')' && h[s] != ' ' {
				return false // parameters on the item, or junk
			}
			if chosen {
				if len(items) == cap(items) {
					return false
				}
				items = append(items, component{name: name})
			}
		}
		for s < len(h) && h[s] == ';' {
			s = skipSP(h, s+1)
			var p param
			if p.name, s, ok = scanKey(h, s); !ok {
				return false
			}
			if s+1 >= len(h) || h[s] != '=' {
				return false // a boolean parameter (or the end)
			}
			s++
			switch c := h[s]; {
			case c == '"':
				p.kind = paramString
				p.str, s, ok = scanString(h, s)
			case c == '-' || '0' <= c && c <= '9':
				p.kind = paramInt
				p.num, s, ok = scanInteger(h, s)
			default:
				ok = false // a token, boolean or byte sequence
			}
			if !ok {
				return false
			}
			if chosen {
				for _, q := range params {
					if q.name == p.name {
						return false // httpsfv keeps the last; leave that to it
					}
				}
				if len(params) == cap(params) {
					return false
				}
				params = append(params, p)
			}
		}
		if chosen {
			found = true
			sc.in.label = key
		}
		if s, ok = nextMember(h, s); !ok {
			return false
		}
		if s == len(h) {
			break
		}
	}
	if !found {
		return false
	}
	sc.in.items, sc.in.params = items, params
	var err error
	sc.text, err = appendInnerList(sc.text[:0], &sc.in)
	sc.in.text = sc.text
	return err == nil
}

// parseSignatureFast parses Signature h and returns the decoded signature
// labelled label (in sc's memory).
func (sc *scratch) parseSignatureFast(h, label string) ([]byte, bool) {
	var sig []byte
	ok := sc.parseByteSequences(h, func(key string, value []byte) {
		if key == label {
			sig = append(sc.sig[:0], value...)
		}
	})
	return sig, ok && sig != nil
}

// parseByteSequences parses h, a dictionary of byte sequences without
// parameters and of unique keys (Signature, Content-Digest), calling
// member with each key and its decoded value (valid until the next call).
// It reports false for anything else, and may have called member before.
func (sc *scratch) parseByteSequences(h string, member func(key string, value []byte)) bool {
	s := skipSP(h, 0)
	for n := 0; ; n++ {
		var key string
		var ok bool
		if key, s, ok = scanKey(h, s); !ok {
			return false
		}
		if !sc.newLabel(key, n) {
			return false
		}
		if s+1 >= len(h) || h[s] != '=' || h[s+1] != ':' {
			return false
		}
		s += 2
		start := s
		for s < len(h) && isBase64Char(h[s]) {
			s++
		}
		if s >= len(h) || h[s] != ':' {
			return false
		}
		encoded := h[start:s]
		s++
		if base64.StdEncoding.DecodedLen(len(encoded)) > len(sc.tmp) {
			return false
		}
		// httpsfv decodes with base64.StdEncoding.DecodeString: the same
		// rules. (Copied into sc.enc: a []byte(encoded) would allocate.)
		sc.enc = append(sc.enc[:0], encoded...)
		m, err := base64.StdEncoding.Decode(sc.tmp[:], sc.enc)
		if err != nil {
			return false
		}
		member(key, sc.tmp[:m])
		if s < len(h) && h[s] == ';' {
			return false // parameters
		}
		if s, ok = nextMember(h, s); !ok {
			return false
		}
		if s == len(h) {
			return true
		}
	}
}

// newLabel records the n-th label of a header, false when it repeats one
// (or there are more than sc has room for).
func (sc *scratch) newLabel(key string, n int) bool {
	if n == len(sc.labels) {
		return false
	}
	for _, l := range sc.labels[:n] {
		if l == key {
			return false
		}
	}
	sc.labels[n] = key
	return true
}

// nextMember skips what follows a dictionary member: optional whitespace,
// and a comma and whitespace before the next member. It returns len(h) at
// the end, false on anything else (or a trailing comma).
func nextMember(h string, s int) (int, bool) {
	s = skipOWS(h, s)
	if s == len(h) {
		return s, true
	}
	if h[s] != ',' {
		return s, false
	}
	s = skipOWS(h, s+1)
	return s, s < len(h)
}

func skipSP(h string, s int) int {
	for s < len(h) && h[s] == ' ' {
		s++
	}
	return s
}

func skipOWS(h string, s int) int {
	for s < len(h) && (h[s] == ' ' || h[s] == '\t') {
		s++
	}
	return s
}

// scanKey reads an RFC 8941 key (lcalpha or *, then lcalpha, digits, _ - . *).
func scanKey(h string, s int) (string, int, bool) {
	if s >= len(h) || !(h[s] >= 'a' && h[s] <= 'z' || h[s] == '*') {
		return "", s, false
	}
	start := s
	for s++; s < len(h); s++ {
		c := h[s]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '.' || c == '*') {
			break
		}
	}
	return h[start:s], s, true
}

// scanString reads an RFC 8941 string without escapes (false on one:
// httpsfv's parse unescapes it).
func scanString(h string, s int) (string, int, bool) {
	if s >= len(h) || h[s] != '"' {
		return "", s, false
	}
	start := s + 1
	for s = start; s < len(h); s++ {
		switch c := h[s]; {
		case c == '"':
			return h[start:s], s + 1, true
		case c == '\\' || c <= 0x1f || c >= 0x7f:
			return "", s, false
		}
	}
	return "", s, false
}

// scanInteger reads an RFC 8941 integer of at most 14 digits, the value
// httpsfv gives it (leading zeros allowed); false on a decimal or a longer
// number (httpsfv's range rules decide those).
func scanInteger(h string, s int) (int64, int, bool) {
	neg := h[s] == '-'
	if neg {
		s++
	}
	start := s
	var n int64
	for s < len(h) && h[s] >= '0' && h[s] <= '9' {
		n = n*10 + int64(h[s]-'0')
		s++
	}
	if s == start || s-start > 14 || s < len(h) && h[s] == '.' {
		return 0, s, false
	}
	if neg {
		n = -n
	}
	return n, s, true
}

func isBase64Char(c byte) bool {
	return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '/' || c == '='
}
