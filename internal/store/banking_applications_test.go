package store_test

import (
	"crypto/rand"
	"strings"
	"testing"
	"time"

	"github.com/openvest/openvest/internal/banking"
	"github.com/openvest/openvest/internal/errcode"
	"github.com/openvest/openvest/internal/store"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"
)

// newBankingID returns a fresh id with the prefix (cust_, app_, …).
func newBankingID(prefix string) string { return prefix + strings.ToLower(rand.Text()) }

func day(y int, m time.Month, d int) *time.Time {
	t := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	return &t
}

var bankAddress = banking.Address{Line1: "456 Oak Ave", Line2: "Suite 5", City: "San Francisco", State: "CA", PostalCode: "94102", Country: "US"}

type applicationOpts struct {
	Type      banking.CustomerType // CORPORATION when empty
	CreatedAt time.Time            // t0 when zero
}

// application stores a corporate application with two people (or an
// individual one) in the organization.
func (f fixture) application(t *testing.T, orgID int64, o applicationOpts) banking.Application {
	t.Helper()
	a := banking.Application{
		ID: newBankingID("app_"), OrganizationID: orgID, Type: or(o.Type, banking.TypeCorporation), Status: banking.Draft,
		Email: "contact@acmecorp.com", Address: bankAddress, CreatedAt: orTime(o.CreatedAt), UpdatedAt: orTime(o.CreatedAt),
	}
	if a.Type == banking.TypeIndividual {
		a.FirstName, a.LastName, a.DateOfBirth, a.Phone = "John", "Doe", day(1990, 1, 15), "+1234567890"
	} else {
		a.LegalName, a.RegistrationNumber = "Acme Corp", "C1234567"
		a.Individuals = []banking.ApplicationIndividual{
			{Role: banking.BeneficialOwner, FirstName: "Jane", LastName: "Smith", DateOfBirth: day(1980, 5, 1), Email: "jane@acmecorp.com", Address: bankAddress, OwnershipPercentage: ptr(decimal.RequireFromString("30.5"))},
			{Role: banking.ControllingPerson, FirstName: "Sam", Phone: "+14155550100"},
		}
	}
	require.NoError(t, f.s.Banking().CreateApplication(f.ctx, &a))
	return a
}

func (f fixture) document(t *testing.T, a banking.Application, typ banking.DocumentType, at time.Time) banking.Document {
	t.Helper()
	content := []byte("%PDF-1.7 " + rand.Text())
	d := banking.Document{
		ID: newBankingID("doc_"), OrganizationID: a.OrganizationID, ApplicationID: a.ID, Type: typ,
		FileName: "scan.pdf", ContentType: "application/pdf", Size: int64(len(content)),
		SHA256: strings.Repeat("ab", 32), Content: content, CreatedAt: at,
	}
	require.NoError(t, f.s.Banking().CreateDocument(f.ctx, &d))
	return d
}

// metadata is d as lists carry it: without its content.
func metadata(d banking.Document) banking.Document {
	d.Content = nil
	return d
}

func requireApplication(t *testing.T, want, got banking.Application) {
	t.Helper()
	require.Len(t, got.Individuals, len(want.Individuals))
	want.Individuals = append([]banking.ApplicationIndividual(nil), want.Individuals...)
	got.Individuals = append([]banking.ApplicationIndividual(nil), got.Individuals...)
	for i := range want.Individuals {
		requireOwnership(t, want.Individuals[i].OwnershipPercentage, got.Individuals[i].OwnershipPercentage)
		want.Individuals[i].OwnershipPercentage, got.Individuals[i].OwnershipPercentage = nil, nil
	}
	require.Equal(t, want, got)
}

// requireOwnership compares percentages by value (the database may add decimals).
func requireOwnership(t *testing.T, want, got *decimal.Decimal) {
	t.Helper()
	require.Equal(t, want == nil, got == nil, "ownership %v, got %v", want, got)
	if want != nil {
		require.True(t, want.Equal(*got), "ownership %s, got %s", want, got)
	}
}

func TestBankingApplicationRoundTrip(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, s *store.Store) {
		f := setup(t, s)
		repo := s.Banking()
		for _, typ := range []banking.CustomerType{banking.TypeIndividual, banking.TypeCorporation} {
			a := f.application(t, f.org, applicationOpts{Type: typ})
			got, err := repo.Application(f.ctx, f.org, a.ID, false)
			require.NoError(t, err)
			requireApplication(t, a, got)

			_, err = repo.Application(f.ctx, f.other, a.ID, false)
			requireCode(t, err, errcode.NotFound)
		}
		_, err := repo.Application(f.ctx, f.org, "app_missing", true)
		requireCode(t, err, errcode.NotFound)
	})
}

func TestSaveBankingApplication(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, s *store.Store) {
		f := setup(t, s)
		repo := s.Banking()
		a := f.application(t, f.org, applicationOpts{})

		// Without individuals, the list stays as it is.
		changed := a
		changed.Email, changed.Address.City, changed.Status = "new@acmecorp.com", "Oakland", banking.ReadyForSubmission
		changed.Individuals = nil
		changed.UpdatedAt = t0.Add(time.Minute)
		require.NoError(t, repo.SaveApplication(f.ctx, &changed, false))
		got, err := repo.Application(f.ctx, f.org, a.ID, false)
		require.NoError(t, err)
		changed.Individuals = a.Individuals
		requireApplication(t, changed, got)

		// With individuals, the list is replaced.
		changed.Individuals = []banking.ApplicationIndividual{{Role: banking.ControllingPerson, FirstName: "Only", LastName: "One"}}
		require.NoError(t, repo.SaveApplication(f.ctx, &changed, true))
		got, err = repo.Application(f.ctx, f.org, a.ID, false)
		require.NoError(t, err)
		requireApplication(t, changed, got)

		// Decided: times, reason and customer come back.
		submitted, decided := t0.Add(time.Hour), t0.Add(2*time.Hour)
		changed.Status, changed.SubmittedAt, changed.DecidedAt, changed.DecisionReason = banking.Denied, &submitted, &decided, "no"
		require.NoError(t, repo.SaveApplication(f.ctx, &changed, false))
		got, err = repo.Application(f.ctx, f.org, a.ID, false)
		require.NoError(t, err)
		requireApplication(t, changed, got)
	})
}

func TestBankingDocuments(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, s *store.Store) {
		f := setup(t, s)
		repo := s.Banking()
		a := f.application(t, f.org, applicationOpts{})
		second := f.document(t, a, banking.ArticlesOfAssociation, t0.Add(time.Second))
		first := f.document(t, a, banking.CertificateOfIncorporation, t0)
		f.document(t, f.application(t, f.org, applicationOpts{}), banking.OtherDocument, t0)

		got, err := repo.Document(f.ctx, f.org, a.ID, first.ID)
		require.NoError(t, err)
		require.Equal(t, first, got, "content included")

		app, err := repo.Application(f.ctx, f.org, a.ID, false)
		require.NoError(t, err)
		require.Equal(t, []banking.Document{metadata(first), metadata(second)}, app.Documents, "metadata only, oldest first")

		_, err = repo.Document(f.ctx, f.other, a.ID, first.ID)
		requireCode(t, err, errcode.NotFound)
		other := f.application(t, f.org, applicationOpts{})
		_, err = repo.Document(f.ctx, f.org, other.ID, first.ID)
		requireCode(t, err, errcode.NotFound) // a document is found through its own application only
	})
}

func TestListBankingApplications(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, s *store.Store) {
		f := setup(t, s)
		repo := s.Banking()
		var want []string // newest first
		for i := range 5 {
			a := f.application(t, f.org, applicationOpts{CreatedAt: t0.Add(time.Duration(i%3) * time.Second)})
			want = append(want, a.ID)
		}
		f.application(t, f.other, applicationOpts{})
		want = sortNewestFirst(t, s, "banking_applications", want)

		var got []string
		var after *banking.Position
		for pages := 0; ; pages++ {
			require.LessOrEqual(t, pages, len(want), "paging does not end: the position does not move on")
			page, err := repo.ListApplications(f.ctx, f.org, banking.ApplicationFilter{}, after, 2)
			require.NoError(t, err)
			for _, a := range page {
				got = append(got, a.ID)
				require.Len(t, a.Individuals, 2, "each application comes with its individuals")
			}
			if len(page) < 2 {
				break
			}
			last := page[len(page)-1]
			after = &banking.Position{CreatedAt: last.CreatedAt, ID: last.ID}
		}
		require.Equal(t, want, got)

		ready := banking.ReadyForSubmission
		page, err := repo.ListApplications(f.ctx, f.org, banking.ApplicationFilter{Status: &ready}, nil, 10)
		require.NoError(t, err)
		require.Empty(t, page)
	})
}

// sortNewestFirst orders ids as the database orders the table: creation
// time descending, then id descending in the database's collation.
func sortNewestFirst(t *testing.T, s *store.Store, table string, ids []string) []string {
	t.Helper()
	var out []string
	require.NoError(t, s.DB.Table(table).Where("id IN ?", ids).Order("created_at DESC, id DESC").Pluck("id", &out).Error)
	return out
}

func TestBankingApplicationConstraints(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, s *store.Store) {
		f := setup(t, s)
		a := f.application(t, f.org, applicationOpts{})
		insert := func(status, customerID string) error {
			var cust any
			if customerID != "" {
				cust = customerID
			}
			return f.exec(`INSERT INTO banking_applications (id, organization_id, type, status, customer_id, submitted_at, created_at, updated_at) VALUES (?, ?, 'CORPORATION', ?, ?, ?, ?, ?)`,
				newBankingID("app_"), f.org, status, cust, t0, t0, t0)
		}
		require.Error(t, insert("APPROVED", ""), "an approved application names its customer")
		require.Error(t, insert("OPEN", ""))
		require.NoError(t, insert("DENIED", ""))

		ind := func(role, pct string) error {
			return f.exec(`INSERT INTO banking_application_individuals (application_id, position, organization_id, role, ownership_percentage) VALUES (?, 9, ?, ?, ?)`, a.ID, f.org, role, pct)
		}
		require.Error(t, ind("OWNER", "30"))
		require.Error(t, ind("BENEFICIAL_OWNER", "100.01"))
		require.NoError(t, ind("BENEFICIAL_OWNER", "100"))

		doc := func(size int, content []byte) error {
			return f.exec(`INSERT INTO banking_documents (id, organization_id, application_id, type, file_name, content_type, size, sha256, content, created_at) VALUES (?, ?, ?, 'PASSPORT', 'p.pdf', 'application/pdf', ?, ?, ?, ?)`,
				newBankingID("doc_"), f.org, a.ID, size, strings.Repeat("0", 64), content, t0)
		}
		require.Error(t, doc(3, []byte("%PDF")), "size is the content's length")
		require.Error(t, doc(banking.MaxDocumentBytes+1, make([]byte, banking.MaxDocumentBytes+1)))
		require.NoError(t, doc(4, []byte("%PDF")))
	})
}
