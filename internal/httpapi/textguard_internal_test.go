package httpapi

import (
	"testing"
)

// FuzzJSONTextClean: a body jsonTextClean passes is one checkJSONText's
// walk finds nothing in (the fast path never lets through what the walk
// refuses); the seeds include each rule's breaking bodies, which it must
// send to the walk.
func FuzzJSONTextClean(f *testing.F) {
	for _, s := range []string{
		`{"firstName":"Ada","lastName":"Mwale"}`,
		`{"a":[1,2,{"b":"c"}],"d":null,"e":true,"f":-1.5e3}`,
		`{"a":"\u0041\u00e9\ud83d\ude00"}`, `{"a":"\\u0000"}`, `{"a":"\u0000"}`, `{"\u0000":1}`,
		`{"a":"\ud800"}`, `{"a":"\udc00x"}`, `{"a":"\ud800\u0041"}`, "{\"a\":\"\xff\"}", "{\"\xc3\":1}",
		`{"a":1} {"b":2}`, `{"a":1}x`, `[1,2]`, `"x"`, ``, ` `, `{`, `{"a":"\u12"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		if jsonTextClean(body) {
			if fields := checkJSONText(body); len(fields) > 0 {
				t.Fatalf("jsonTextClean passed %q, which checkJSONText refuses: %v", body, fields)
			}
		}
	})
}

// TestJSONTextCleanSendsEveryRefusalToTheWalk: each body checkJSONText
// refuses is one jsonTextClean does not pass, and the clean ones pass.
func TestJSONTextCleanSendsEveryRefusalToTheWalk(t *testing.T) {
	for _, s := range []string{`{"a":"\u0000"}`, `{"\u0000":1}`, `{"a":"\ud800"}`, `{"a":"\udc00x"}`, "{\"a\":\"\xff\"}", `{"a":1} {"b":2}`} {
		if len(checkJSONText([]byte(s))) == 0 {
			t.Fatalf("checkJSONText passes %q: not a refusal", s)
		}
		if jsonTextClean([]byte(s)) {
			t.Errorf("jsonTextClean passes %q, which checkJSONText refuses", s)
		}
	}
	for _, s := range []string{`{"firstName":"Ada","lastName":"Mwale"}`, `{"a":"\u0041\u00e9"}`, `[{"x":[1,"y"]}]`} {
		if !jsonTextClean([]byte(s)) {
			t.Errorf("jsonTextClean does not pass %q", s)
		}
	}
	if n := testing.AllocsPerRun(100, func() { jsonTextClean([]byte(`{"firstName":"Ada","lastName":"Mwale","referenceId":"r-1"}`)) }); n != 0 {
		t.Errorf("jsonTextClean allocates %v times", n)
	}
}
