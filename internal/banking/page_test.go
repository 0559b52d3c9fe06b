package banking

import (
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"github.com/openvest/openvest/internal/errcode"
	"github.com/stretchr/testify/require"
)

func TestCursorRoundTrip(t *testing.T) {
	t.Parallel()
	p := Position{CreatedAt: time.Date(2031, 5, 6, 7, 8, 9, 123456000, time.UTC), ID: "cust_abc.def"}
	limit, after, err := PageRequest{Cursor: p.encode()}.resolve()
	require.NoError(t, err)
	require.Equal(t, DefaultLimit, limit)
	require.Equal(t, &p, after)

	limit, after, err = PageRequest{Limit: 100}.resolve()
	require.NoError(t, err)
	require.Equal(t, 100, limit)
	require.Nil(t, after)
}

func TestBadCursorsNameTheField(t *testing.T) {
	t.Parallel()
	enc := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	for _, c := range []string{"cursor_abc123", "%%%", enc("2.1.cust_a"), enc("1.x.cust_a"), enc("1.5."), enc("1.5")} {
		_, _, err := PageRequest{Cursor: c}.resolve()
		e, ok := errcode.As(err)
		require.True(t, ok, c)
		require.Equal(t, errcode.Invalid, e.Code, c)
		require.Equal(t, "cursor", e.Fields[0].Field, c)
	}
	for _, l := range []int{-1, 101} {
		_, _, err := PageRequest{Limit: l}.resolve()
		e, ok := errcode.As(err)
		require.True(t, ok)
		require.Equal(t, "limit", e.Fields[0].Field)
	}
}

func TestPaginate(t *testing.T) {
	t.Parallel()
	at := time.Date(2031, 1, 1, 0, 0, 0, 0, time.UTC)
	pos := func(id string) Position { return Position{at, id} }
	page := paginate([]string{"c", "b"}, 2, pos)
	require.Equal(t, Page[string]{Items: []string{"c", "b"}}, page)

	page = paginate([]string{"c", "b", "a"}, 2, pos)
	require.True(t, page.HasMore)
	require.Equal(t, []string{"c", "b"}, page.Items)
	_, after, err := PageRequest{Cursor: page.NextCursor}.resolve()
	require.NoError(t, err)
	require.Equal(t, "b", after.ID, "the next page starts after the last item")
}

func TestDocumentCheck(t *testing.T) {
	t.Parallel()
	pdf := []byte("%PDF-1.7 test")
	ok := NewDocument{Type: Passport, FileName: "p.pdf", ContentType: "application/pdf", Content: pdf}
	require.NoError(t, ok.check())
	for _, tc := range []struct {
		doc   NewDocument
		field string
	}{
		{NewDocument{ContentType: "text/plain", Content: pdf}, "content_type"},
		{NewDocument{ContentType: "application/pdf"}, "content"},
		{NewDocument{ContentType: "image/png", Content: pdf}, "content"},
		{NewDocument{ContentType: "application/pdf", Content: append([]byte("%PDF-"), make([]byte, MaxDocumentBytes)...)}, "content"},
	} {
		e, isErr := errcode.As(tc.doc.check())
		require.True(t, isErr)
		require.Equal(t, errcode.Invalid, e.Code)
		require.Equal(t, tc.field, e.Fields[0].Field)
	}
}

func TestSandboxRules(t *testing.T) {
	t.Parallel()
	sandbox, prod := Org{ID: 1, Sandbox: true}, Org{ID: 2}
	person := func(last string) Application { return Application{Type: TypeIndividual, LastName: last} }
	company := func(lasts ...string) Application {
		a := Application{Type: TypeCorporation, LegalName: "Deny Ltd"}
		for _, l := range lasts {
			a.Individuals = append(a.Individuals, ApplicationIndividual{LastName: l})
		}
		return a
	}
	for _, tc := range []struct {
		org     Org
		app     Application
		outcome ApplicationStatus
		aml     bool
	}{
		{sandbox, person("Doe"), Approved, true},
		{sandbox, person("Deny"), Denied, true},
		{sandbox, person(" deny "), Denied, true},
		{sandbox, person("Review"), ManualReview, true},
		{sandbox, person("Pending"), Approved, false},
		{sandbox, person("Denying"), Approved, true},
		{sandbox, company("Smith", "Review"), ManualReview, true},
		{sandbox, company("Review", "Deny"), Denied, true},
		{sandbox, company("Smith", "PENDING"), Approved, false},
		{sandbox, company("Smith"), Approved, true}, // the legal name does not count
		{prod, person("Deny"), Approved, true},
		{prod, company("Review", "Pending"), Approved, true},
	} {
		outcome, reason := decide(tc.org, tc.app)
		require.Equal(t, tc.outcome, outcome, "%+v", tc.app)
		require.Equal(t, outcome == Approved, reason == "", "a reason exactly when not approved")
		if outcome != Approved {
			require.True(t, strings.HasPrefix(reason, "sandbox rule"))
		}
		require.Equal(t, tc.aml, amlPasses(tc.org, tc.app), "%+v", tc.app)
	}
}

func TestNewIDs(t *testing.T) {
	t.Parallel()
	a, b := newID(prefixCustomer), newID(prefixCustomer)
	require.NotEqual(t, a, b)
	require.Regexp(t, `^cust_[a-z2-7]{26}$`, a)
}
