package banking_test

import (
	"testing"
	"time"

	"github.com/openvest/openvest/internal/banking"
	"github.com/openvest/openvest/internal/errcode"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"
)

func fields(fs []errcode.FieldError) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Field)
	}
	return out
}

func date(y int, m time.Month, d int) *time.Time {
	t := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	return &t
}

func pct(v int64) *decimal.Decimal {
	d := decimal.NewFromInt(v)
	return &d
}

var fullAddress = banking.Address{Line1: "123 Main St", City: "New York", State: "NY", PostalCode: "10001", Country: "US"}

func completeIndividual() banking.Application {
	return banking.Application{
		Type: banking.TypeIndividual, Email: "john.doe@example.com", Phone: "+1234567890",
		FirstName: "John", LastName: "Doe", DateOfBirth: date(1990, 1, 15), Address: fullAddress,
		Documents: []banking.Document{{Type: banking.Passport}},
	}
}

func completeCorporation() banking.Application {
	return banking.Application{
		Type: banking.TypeCorporation, Email: "contact@acmecorp.com",
		LegalName: "Acme Corp", RegistrationNumber: "C1234567", Address: fullAddress,
		Individuals: []banking.ApplicationIndividual{
			{Role: banking.BeneficialOwner, FirstName: "Jane", LastName: "Smith", DateOfBirth: date(1980, 5, 1), Address: fullAddress, OwnershipPercentage: pct(30)},
			{Role: banking.ControllingPerson, FirstName: "Sam", LastName: "Lee", DateOfBirth: date(1975, 2, 3), Address: fullAddress},
		},
		Documents: []banking.Document{{Type: banking.CertificateOfIncorporation}},
	}
}

func TestApplicationCompleteness(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		app     func() banking.Application
		missing []string
	}{
		{"complete individual", completeIndividual, nil},
		{"complete corporation", completeCorporation, nil},
		{"empty individual", func() banking.Application { return banking.Application{Type: banking.TypeIndividual} }, []string{
			"email", "phone", "individual.first_name", "individual.last_name", "individual.date_of_birth",
			"individual.address.line1", "individual.address.city", "individual.address.postal_code", "individual.address.country",
			"documents",
		}},
		{"empty corporation", func() banking.Application { return banking.Application{Type: banking.TypeCorporation} }, []string{
			"email", "corporation.legal_name", "corporation.registration_number",
			"corporation.address.line1", "corporation.address.city", "corporation.address.postal_code", "corporation.address.country",
			"individuals", "documents",
		}},
		{"individual without an identity document", func() banking.Application {
			a := completeIndividual()
			a.Documents = []banking.Document{{Type: banking.ProofOfAddress}, {Type: banking.CertificateOfIncorporation}}
			return a
		}, []string{"documents"}},
		{"individual with only spaces for a name and no state", func() banking.Application {
			a := completeIndividual()
			a.FirstName, a.Address.State = "  ", ""
			return a
		}, []string{"individual.first_name"}},
		{"corporation without a controlling person", func() banking.Application {
			a := completeCorporation()
			a.Individuals = a.Individuals[:1]
			return a
		}, []string{"individuals"}},
		{"corporation with incomplete people", func() banking.Application {
			a := completeCorporation()
			a.Individuals[0].OwnershipPercentage = nil
			a.Individuals[1].DateOfBirth = nil
			a.Individuals[1].Address.City = ""
			return a
		}, []string{"individuals[0].ownership_percentage", "individuals[1].date_of_birth", "individuals[1].address.city"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			missing := tc.app().Missing()
			require.Equal(t, tc.missing, fields(missing))
			for _, m := range missing {
				require.NotEmpty(t, m.Message)
			}
		})
	}
}

func TestAddressMerge(t *testing.T) {
	t.Parallel()
	city, zip := "Brooklyn", "11201"
	got := fullAddress.Merge(banking.AddressPatch{City: &city, PostalCode: &zip})
	require.Equal(t, banking.Address{Line1: "123 Main St", City: "Brooklyn", State: "NY", PostalCode: "11201", Country: "US"}, got)
	require.Equal(t, fullAddress, fullAddress.Merge(banking.AddressPatch{}))
}
