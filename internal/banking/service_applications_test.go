package banking_test

import (
	"testing"

	"github.com/openvest/openvest/internal/banking"
	"github.com/openvest/openvest/internal/errcode"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"
)

func TestIndividualApplicationToCustomer(t *testing.T) {
	t.Parallel()
	b := setup(t)
	created := b.at()
	a, err := b.svc.CreateApplication(b.ctx, b.org, banking.TypeIndividual, banking.ApplicationInput{Email: ptr("john.doe@example.com")})
	require.NoError(t, err)
	require.Regexp(t, `^app_[a-z2-7]{26}$`, a.ID)
	require.Equal(t, banking.Draft, a.Status)
	require.Equal(t, created, a.CreatedAt)

	// Completing it step by step: the status follows.
	b.tick()
	in := individualInput("Doe")
	in.Email = nil
	a, err = b.svc.UpdateApplication(b.ctx, b.org, a.ID, in)
	require.NoError(t, err)
	require.Equal(t, banking.Draft, a.Status)
	require.Equal(t, []string{"documents"}, fields(a.Missing()))

	doc, err := b.svc.AddDocument(b.ctx, b.org, a.ID, banking.NewDocument{Type: banking.Passport, FileName: "passport.pdf", ContentType: "application/pdf", Content: pdf})
	require.NoError(t, err)
	require.Regexp(t, `^doc_`, doc.ID)
	require.Nil(t, doc.Content, "the answer carries metadata")
	require.EqualValues(t, len(pdf), doc.Size)
	require.Len(t, doc.SHA256, 64)
	got, err := b.svc.Document(b.ctx, b.org, a.ID, doc.ID)
	require.NoError(t, err)
	require.Equal(t, pdf, got.Content)

	a, err = b.svc.Application(b.ctx, b.org, a.ID)
	require.NoError(t, err)
	require.Equal(t, banking.ReadyForSubmission, a.Status)
	require.Empty(t, a.Missing())

	submitted := b.tick()
	a, err = b.svc.SubmitApplication(b.ctx, b.org, a.ID)
	require.NoError(t, err)
	require.Equal(t, banking.Approved, a.Status)
	require.Equal(t, submitted, *a.SubmittedAt)
	require.Equal(t, submitted, *a.DecidedAt)
	require.Empty(t, a.DecisionReason)

	c, err := b.svc.Customer(b.ctx, b.org, a.CustomerID)
	require.NoError(t, err)
	require.Regexp(t, `^cust_`, c.ID)
	require.Equal(t, a.ID, c.ApplicationID)
	require.Equal(t, banking.TypeIndividual, c.Type)
	require.Equal(t, banking.Active, c.Status, "the AML check passed in the same step")
	require.Equal(t, "John", c.FirstName)
	require.Equal(t, *date(1990, 1, 15), c.DateOfBirth)
	require.Equal(t, "+1234567890", c.Phone)
	require.Equal(t, fullAddress, c.Address)
	require.Empty(t, c.Individuals)
	require.Len(t, c.Accounts, 1)
	require.Regexp(t, `^acc_`, c.Accounts[0].ID)
	require.Equal(t, "USD", c.Accounts[0].Currency)
	require.Equal(t, banking.AccountActive, c.Accounts[0].Status)
	require.Equal(t, submitted, c.CreatedAt)

	// Once submitted, it changes no more.
	_, err = b.svc.UpdateApplication(b.ctx, b.org, a.ID, banking.ApplicationInput{Email: ptr("x@example.com")})
	requireCode(t, err, errcode.Conflict)
	_, err = b.svc.AddDocument(b.ctx, b.org, a.ID, banking.NewDocument{Type: banking.Passport, FileName: "p.pdf", ContentType: "application/pdf", Content: pdf})
	requireCode(t, err, errcode.Conflict)
	e := requireCode(t, submitErr(b, b.org, a.ID), errcode.Conflict)
	require.Contains(t, e.Message, "APPROVED")
}

func submitErr(b bundle, org banking.Org, id string) error {
	_, err := b.svc.SubmitApplication(b.ctx, org, id)
	return err
}

func TestCorporateApplicationToCustomer(t *testing.T) {
	t.Parallel()
	b := setup(t)
	a, err := b.svc.SubmitApplication(b.ctx, b.prod, b.application(t, customerOpts{Org: &b.prod, Type: banking.TypeCorporation, LastName: "Smith"}).ID)
	require.NoError(t, err)
	require.Equal(t, banking.Approved, a.Status)

	c, err := b.svc.Customer(b.ctx, b.prod, a.CustomerID)
	require.NoError(t, err)
	require.Equal(t, banking.TypeCorporation, c.Type)
	require.Equal(t, banking.Active, c.Status)
	require.Equal(t, "Acme Corp", c.LegalName)
	require.Equal(t, "C1234567", c.RegistrationNumber)
	require.Empty(t, c.FirstName)
	require.Len(t, c.Individuals, 2)
	owner, controller := c.Individuals[0], c.Individuals[1]
	require.Regexp(t, `^ind_`, owner.ID)
	require.Equal(t, c.ID, owner.CustomerID)
	require.Equal(t, banking.BeneficialOwner, owner.Role)
	require.Equal(t, "Smith", owner.LastName)
	require.Equal(t, "jane.smith@acmecorp.com", owner.Email)
	require.True(t, pct(30).Equal(*owner.OwnershipPercentage))
	require.Equal(t, banking.ControllingPerson, controller.Role)
	require.Nil(t, controller.OwnershipPercentage)
	require.Len(t, c.Accounts, 1)

	// The production organization has no sandbox rules: "Deny" is a name like any other.
	denyName, err := b.svc.SubmitApplication(b.ctx, b.prod, b.application(t, customerOpts{Org: &b.prod, LastName: banking.DenyLastName}).ID)
	require.NoError(t, err)
	require.Equal(t, banking.Approved, denyName.Status)
}

// TestIncompleteSubmitSaysWhatIsMissing: 409 naming every missing field.
func TestIncompleteSubmitSaysWhatIsMissing(t *testing.T) {
	t.Parallel()
	b := setup(t)
	in := corporationInput("Smith")
	(*in.Individuals)[1].Address.City = ""
	in.Corporation.RegistrationNumber = nil
	a, err := b.svc.CreateApplication(b.ctx, b.org, banking.TypeCorporation, in)
	require.NoError(t, err)
	require.Equal(t, banking.Draft, a.Status)

	e := requireCode(t, submitErr(b, b.org, a.ID), errcode.Conflict)
	require.Equal(t, []string{"corporation.registration_number", "individuals[1].address.city", "documents"}, fields(e.Fields))
	require.Contains(t, e.Message, "corporation.registration_number: is required")
	require.Contains(t, e.Message, "CERTIFICATE_OF_INCORPORATION")

	a, err = b.svc.Application(b.ctx, b.org, a.ID)
	require.NoError(t, err)
	require.Equal(t, banking.Draft, a.Status, "nothing changed")
	require.Nil(t, a.SubmittedAt)
}

func TestDeniedApplicationCreatesNothing(t *testing.T) {
	t.Parallel()
	b := setup(t)
	for _, typ := range []banking.CustomerType{banking.TypeIndividual, banking.TypeCorporation} {
		a, err := b.svc.SubmitApplication(b.ctx, b.org, b.application(t, customerOpts{Type: typ, LastName: banking.DenyLastName}).ID)
		require.NoError(t, err)
		require.Equal(t, banking.Denied, a.Status)
		require.Empty(t, a.CustomerID)
		require.NotNil(t, a.DecidedAt)
		require.Contains(t, a.DecisionReason, "Deny")
	}
	page, err := b.svc.Customers(b.ctx, b.org, banking.CustomerFilter{}, banking.PageRequest{})
	require.NoError(t, err)
	require.Empty(t, page.Items)
	var n int64
	require.NoError(t, b.s.DB.Table("banking_accounts").Where("organization_id = ?", b.org.ID).Count(&n).Error)
	require.Zero(t, n)
	require.NoError(t, b.s.DB.Table("banking_individuals").Where("organization_id = ?", b.org.ID).Count(&n).Error)
	require.Zero(t, n)
}

func TestManualReviewThroughTheSandbox(t *testing.T) {
	t.Parallel()
	b := setup(t)
	review := func() banking.Application {
		a, err := b.svc.SubmitApplication(b.ctx, b.org, b.application(t, customerOpts{Type: banking.TypeCorporation, LastName: banking.ReviewLastName}).ID)
		require.NoError(t, err)
		require.Equal(t, banking.ManualReview, a.Status)
		require.Nil(t, a.DecidedAt)
		require.Contains(t, a.DecisionReason, "/sandbox/applications/{id}/decision")
		return a
	}

	a := review()
	decided := b.tick()
	a, err := b.svc.DecideApplication(b.ctx, b.org, a.ID, banking.Approved, "")
	require.NoError(t, err)
	require.Equal(t, banking.Approved, a.Status)
	require.Equal(t, decided, *a.DecidedAt)
	c, err := b.svc.Customer(b.ctx, b.org, a.CustomerID)
	require.NoError(t, err)
	require.Len(t, c.Individuals, 2)
	_, err = b.svc.DecideApplication(b.ctx, b.org, a.ID, banking.Denied, "")
	e := requireCode(t, err, errcode.Conflict)
	require.Contains(t, e.Message, "APPROVED")

	a = review()
	a, err = b.svc.DecideApplication(b.ctx, b.org, a.ID, banking.Denied, "documents do not match")
	require.NoError(t, err)
	require.Equal(t, banking.Denied, a.Status)
	require.Equal(t, "documents do not match", a.DecisionReason)
	require.Empty(t, a.CustomerID)

	_, err = b.svc.DecideApplication(b.ctx, b.org, review().ID, banking.ManualReview, "")
	requireCode(t, err, errcode.Invalid)
	// Only for sandbox organizations, and only for their own applications.
	_, err = b.svc.DecideApplication(b.ctx, b.prod, review().ID, banking.Approved, "")
	requireCode(t, err, errcode.NotFound)
	_, err = b.svc.DecideApplication(b.ctx, b.another, review().ID, banking.Approved, "")
	requireCode(t, err, errcode.NotFound)
	ready := b.application(t, customerOpts{})
	_, err = b.svc.DecideApplication(b.ctx, b.org, ready.ID, banking.Approved, "")
	requireCode(t, err, errcode.Conflict)
}

func TestApplicationRules(t *testing.T) {
	t.Parallel()
	b := setup(t)
	future := b.clock.Now().AddDate(0, 0, 2)
	for _, tc := range []struct {
		name   string
		typ    banking.CustomerType
		in     func() banking.ApplicationInput
		fields []string
	}{
		{"unknown type", "PARTNERSHIP", func() banking.ApplicationInput { return banking.ApplicationInput{} }, []string{"type"}},
		{"corporation parts on an individual", banking.TypeIndividual, func() banking.ApplicationInput {
			c := corporationInput("Smith")
			return banking.ApplicationInput{Corporation: c.Corporation, Individuals: c.Individuals}
		}, []string{"corporation", "individuals"}},
		{"a person on a corporation", banking.TypeCorporation, func() banking.ApplicationInput {
			return banking.ApplicationInput{Individual: individualInput("Doe").Individual}
		}, []string{"individual"}},
		{"born tomorrow", banking.TypeIndividual, func() banking.ApplicationInput {
			return banking.ApplicationInput{Individual: &banking.PersonInput{DateOfBirth: date(future.Year(), future.Month(), future.Day())}}
		}, []string{"individual.date_of_birth"}},
		{"born before 1900", banking.TypeIndividual, func() banking.ApplicationInput {
			return banking.ApplicationInput{Individual: &banking.PersonInput{DateOfBirth: date(1899, 12, 31)}}
		}, []string{"individual.date_of_birth"}},
		{"small beneficial owner and too much ownership", banking.TypeCorporation, func() banking.ApplicationInput {
			return banking.ApplicationInput{Individuals: &[]banking.ApplicationIndividual{
				{Role: banking.BeneficialOwner, OwnershipPercentage: pct(25)},
				{Role: banking.BeneficialOwner, OwnershipPercentage: pct(60)},
				{Role: banking.ControllingPerson, OwnershipPercentage: pct(20)},
			}}
		}, []string{"individuals[0].ownership_percentage", "individuals"}},
		{"ownership to a thousandth", banking.TypeCorporation, func() banking.ApplicationInput {
			third := decimal.RequireFromString("33.333")
			return banking.ApplicationInput{Individuals: &[]banking.ApplicationIndividual{{Role: banking.BeneficialOwner, OwnershipPercentage: &third}}}
		}, []string{"individuals[0].ownership_percentage"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := b.svc.CreateApplication(b.ctx, b.org, tc.typ, tc.in())
			e := requireCode(t, err, errcode.Invalid)
			require.Equal(t, tc.fields, fields(e.Fields))
			for _, f := range tc.fields {
				require.Contains(t, e.Message, f)
			}
		})
	}
	page, err := b.svc.Applications(b.ctx, b.org, banking.ApplicationFilter{}, banking.PageRequest{})
	require.NoError(t, err)
	require.Empty(t, page.Items, "nothing was stored")
}

func TestUpdateApplicationMergesAndReplaces(t *testing.T) {
	t.Parallel()
	b := setup(t)
	a, err := b.svc.CreateApplication(b.ctx, b.org, banking.TypeCorporation, corporationInput("Smith"))
	require.NoError(t, err)

	// The address merges field by field; the list of individuals is replaced.
	a, err = b.svc.UpdateApplication(b.ctx, b.org, a.ID, banking.ApplicationInput{
		Corporation: &banking.CorporationInput{Address: &banking.AddressPatch{City: ptr("Oakland")}},
		Individuals: &[]banking.ApplicationIndividual{{Role: banking.ControllingPerson, FirstName: "Solo"}},
	})
	require.NoError(t, err)
	require.Equal(t, "456 Oak Ave", a.Address.Line1)
	require.Equal(t, "Oakland", a.Address.City)
	require.Equal(t, "Acme Corp", a.LegalName)
	require.Len(t, a.Individuals, 1)
	require.Equal(t, []string{"individuals[0].last_name", "individuals[0].date_of_birth", "individuals[0].address.line1",
		"individuals[0].address.city", "individuals[0].address.postal_code", "individuals[0].address.country", "documents"}, fields(a.Missing()))
	got, err := b.svc.Application(b.ctx, b.org, a.ID)
	require.NoError(t, err)
	require.Equal(t, a.Individuals, got.Individuals)

	_, err = b.svc.UpdateApplication(b.ctx, b.another, a.ID, banking.ApplicationInput{Email: ptr("x@example.com")})
	requireCode(t, err, errcode.NotFound)
}

func TestDocumentLimits(t *testing.T) {
	t.Parallel()
	b := setup(t)
	a, err := b.svc.CreateApplication(b.ctx, b.org, banking.TypeIndividual, banking.ApplicationInput{})
	require.NoError(t, err)
	add := func(org banking.Org, content []byte) error {
		_, err := b.svc.AddDocument(b.ctx, org, a.ID, banking.NewDocument{Type: banking.OtherDocument, FileName: "x.png", ContentType: "image/png", Content: content})
		return err
	}
	png := []byte("\x89PNG\r\n\x1a\n rest")
	requireCode(t, add(b.org, pdf), errcode.Invalid)
	requireCode(t, add(b.another, png), errcode.NotFound)
	for range banking.MaxDocuments {
		require.NoError(t, add(b.org, png))
	}
	requireCode(t, add(b.org, png), errcode.Unprocessable)
	_, err = b.svc.Document(b.ctx, b.another, a.ID, "doc_x")
	requireCode(t, err, errcode.NotFound)
}

func TestApplicationsList(t *testing.T) {
	t.Parallel()
	b := setup(t)
	var ids []string
	for range 5 {
		a, err := b.svc.CreateApplication(b.ctx, b.org, banking.TypeIndividual, banking.ApplicationInput{})
		require.NoError(t, err)
		ids = append([]string{a.ID}, ids...) // newest first
		b.tick()
	}
	b.application(t, customerOpts{Org: &b.another}) // another organization's: never listed

	var got []string
	p := banking.PageRequest{Limit: 2}
	for i := 0; ; i++ {
		require.Less(t, i, 3, "paging does not end: the cursor does not move on")
		page, err := b.svc.Applications(b.ctx, b.org, banking.ApplicationFilter{}, p)
		require.NoError(t, err)
		for _, a := range page.Items {
			got = append(got, a.ID)
		}
		require.Equal(t, i < 2, page.HasMore, "page %d", i)
		if !page.HasMore {
			require.Empty(t, page.NextCursor)
			break
		}
		p.Cursor = page.NextCursor
	}
	require.Equal(t, ids, got)

	draft := banking.Draft
	page, err := b.svc.Applications(b.ctx, b.another, banking.ApplicationFilter{Status: &draft}, banking.PageRequest{})
	require.NoError(t, err)
	require.Empty(t, page.Items)
}
