package banking_test

import (
	"context"
	"crypto/rand"
	"testing"
	"time"

	"github.com/openvest/openvest/internal/auth"
	"github.com/openvest/openvest/internal/banking"
	"github.com/openvest/openvest/internal/errcode"
	"github.com/openvest/openvest/internal/store"
	"github.com/openvest/openvest/internal/testclock"
	"github.com/openvest/openvest/internal/testdb"
	"github.com/stretchr/testify/require"
)

func TestMain(m *testing.M) { testdb.Main(m, "banking") }

// bundle is one test's service, clock and organizations.
type bundle struct {
	ctx     context.Context
	s       *store.Store
	clock   *testclock.Clock
	svc     *banking.Service
	org     banking.Org // a sandbox organization
	prod    banking.Org // a production organization
	another banking.Org // a second sandbox organization
}

type setupOpts struct {
	Start          time.Time // the clock's start; 2032-03-04 when zero
	DormancyMonths int
}

func setup(t *testing.T) bundle { return setupWith(t, setupOpts{}) }

func setupWith(t *testing.T, o setupOpts) bundle {
	t.Helper()
	s := testdb.Postgres(t)
	if o.Start.IsZero() {
		// Not UTC and finer than a microsecond: the service stores neither.
		o.Start = time.Date(2032, 3, 4, 5, 6, 7, 891234567, time.FixedZone("CAT", 2*60*60))
	}
	clk := testclock.New(o.Start)
	return bundle{
		ctx: t.Context(), s: s, clock: clk,
		svc: banking.NewService(s.Banking(), clk.Now, banking.Options{DormancyMonths: o.DormancyMonths}),
		org: newOrg(t, s, true), prod: newOrg(t, s, false), another: newOrg(t, s, true),
	}
}

func newOrg(t *testing.T, s *store.Store, sandbox bool) banking.Org {
	t.Helper()
	a := auth.Organization{Name: "Org " + rand.Text()[:6], ClientID: "client_" + rand.Text(), Sandbox: sandbox, SignaturePolicy: auth.PolicyOptional, CreatedAt: time.Now().UTC()}
	require.NoError(t, s.Auth().CreateOrganization(t.Context(), &a, auth.Hash("secret")))
	return banking.Org{ID: a.ID, Sandbox: sandbox}
}

// at is the clock's current time as the service stores it.
func (b bundle) at() time.Time { return b.clock.Now().UTC().Truncate(time.Microsecond) }

// tick advances the clock so that the next write has a new time.
func (b bundle) tick() time.Time {
	b.clock.Advance(time.Minute)
	return b.at()
}

func ptr[T any](v T) *T { return &v }

var pdf = []byte("%PDF-1.7\n% a scan\n")

// individualInput is a complete INDIVIDUAL application but its document.
func individualInput(lastName string) banking.ApplicationInput {
	return banking.ApplicationInput{
		Email: ptr("john.doe@example.com"), Phone: ptr("+1234567890"),
		Individual: &banking.PersonInput{
			FirstName: ptr("John"), LastName: ptr(lastName), DateOfBirth: date(1990, 1, 15),
			Address: &banking.AddressPatch{Line1: ptr("123 Main St"), City: ptr("New York"), State: ptr("NY"), PostalCode: ptr("10001"), Country: ptr("US")},
		},
	}
}

// corporationInput is a complete CORPORATION application but its document.
func corporationInput(lastName string) banking.ApplicationInput {
	return banking.ApplicationInput{
		Email: ptr("contact@acmecorp.com"),
		Corporation: &banking.CorporationInput{
			LegalName: ptr("Acme Corp"), RegistrationNumber: ptr("C1234567"),
			Address: &banking.AddressPatch{Line1: ptr("456 Oak Ave"), City: ptr("San Francisco"), State: ptr("CA"), PostalCode: ptr("94102"), Country: ptr("US")},
		},
		Individuals: &[]banking.ApplicationIndividual{
			{Role: banking.BeneficialOwner, FirstName: "Jane", LastName: lastName, DateOfBirth: date(1980, 5, 1), Email: "jane.smith@acmecorp.com", Address: fullAddress, OwnershipPercentage: pct(30)},
			{Role: banking.ControllingPerson, FirstName: "Sam", LastName: "Lee", DateOfBirth: date(1975, 2, 3), Address: fullAddress},
		},
	}
}

type customerOpts struct {
	Org      *banking.Org           // b.org when nil
	Type     banking.CustomerType   // INDIVIDUAL when empty
	LastName string                 // Doe when empty
	Status   banking.CustomerStatus // PENDING through the magic last name; others from ACTIVE through the sandbox control
}

// application creates a complete application, its identity document
// attached, ready for submission.
func (b bundle) application(t *testing.T, o customerOpts) banking.Application {
	t.Helper()
	org := b.org
	if o.Org != nil {
		org = *o.Org
	}
	if o.LastName == "" {
		o.LastName = "Doe"
	}
	in, doc := individualInput(o.LastName), banking.Passport
	if o.Type == banking.TypeCorporation {
		in, doc = corporationInput(o.LastName), banking.CertificateOfIncorporation
	} else {
		o.Type = banking.TypeIndividual
	}
	a, err := b.svc.CreateApplication(b.ctx, org, o.Type, in)
	require.NoError(t, err)
	require.Equal(t, banking.Draft, a.Status, "a document is still missing")
	_, err = b.svc.AddDocument(b.ctx, org, a.ID, banking.NewDocument{Type: doc, FileName: "scan.pdf", ContentType: "application/pdf", Content: pdf})
	require.NoError(t, err)
	a, err = b.svc.Application(b.ctx, org, a.ID)
	require.NoError(t, err)
	require.Equal(t, banking.ReadyForSubmission, a.Status)
	return a
}

// customer onboards a customer through an approved application.
func (b bundle) customer(t *testing.T, o customerOpts) banking.CustomerDetail {
	t.Helper()
	org := b.org
	if o.Org != nil {
		org = *o.Org
	}
	if o.Status == banking.Pending {
		o.LastName = banking.PendingLastName
	}
	a, err := b.svc.SubmitApplication(b.ctx, org, b.application(t, o).ID)
	require.NoError(t, err)
	require.Equal(t, banking.Approved, a.Status)
	c, err := b.svc.Customer(b.ctx, org, a.CustomerID)
	require.NoError(t, err)
	if o.Status != "" && o.Status != c.Status {
		c, err = b.svc.SetCustomerStatus(b.ctx, org, c.ID, o.Status)
		require.NoError(t, err)
	}
	return c
}

// requireCode requires err to be an *errcode.Error with code, and returns it.
func requireCode(t *testing.T, err error, code errcode.Code) *errcode.Error {
	t.Helper()
	e, ok := errcode.As(err)
	require.True(t, ok, "want a %s error, got %v", code, err)
	require.Equal(t, code, e.Code, e.Message)
	return e
}
