package banking

import (
	"fmt"
	"strings"
	"time"

	"github.com/openvest/openvest/internal/errcode"
	"github.com/openvest/openvest/internal/patch"
	"github.com/shopspring/decimal"
)

// Application asks to onboard one customer. While it is editable (DRAFT or
// READY_FOR_SUBMISSION) its fields may be incomplete; its status says
// whether it is complete, and Missing what is still needed.
type Application struct {
	ID             string // app_…
	OrganizationID int64
	Type           CustomerType
	Status         ApplicationStatus
	Email          string
	Phone          string
	// Address is the applicant's (INDIVIDUAL) or the corporation's (CORPORATION).
	Address            Address
	FirstName          string     // INDIVIDUAL
	LastName           string     // INDIVIDUAL
	DateOfBirth        *time.Time // INDIVIDUAL: a date (midnight UTC)
	LegalName          string     // CORPORATION
	RegistrationNumber string     // CORPORATION
	// Individuals are a corporation's people, in the order given.
	Individuals []ApplicationIndividual
	// Documents are the attached documents' metadata (no content), oldest first.
	Documents []Document
	// CustomerID is the customer an approval created.
	CustomerID string
	// DecisionReason says why the application was denied or sent to manual review.
	DecisionReason string
	SubmittedAt    *time.Time
	DecidedAt      *time.Time
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// ApplicationIndividual is a person of a corporation as an application lists it.
type ApplicationIndividual struct {
	Role                Role
	FirstName           string
	LastName            string
	DateOfBirth         *time.Time
	Email               string
	Phone               string
	Address             Address
	OwnershipPercentage *decimal.Decimal
}

// ApplicationInput is the content of a new application, or a change to one:
// nil fields stay as they are.
type ApplicationInput struct {
	Email *string
	Phone *string
	// Individual is the applicant of an INDIVIDUAL application.
	Individual *PersonInput
	// Corporation is the company of a CORPORATION application.
	Corporation *CorporationInput
	// Individuals, for a CORPORATION application, replace its list of people.
	Individuals *[]ApplicationIndividual
}

// PersonInput changes the applicant of an INDIVIDUAL application; the
// address merges field by field.
type PersonInput struct {
	FirstName   *string
	LastName    *string
	DateOfBirth *time.Time
	Address     *AddressPatch
}

// CorporationInput changes the company of a CORPORATION application; the
// address merges field by field.
type CorporationInput struct {
	LegalName          *string
	RegistrationNumber *string
	Address            *AddressPatch
}

// earliestBirth bounds dates of birth from below.
var earliestBirth = time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC)

// dateOf is the date of t as dates are kept: midnight UTC.
func dateOf(t time.Time) *time.Time {
	d := today(t)
	return &d
}

// apply writes in onto a, checking each field against the application's
// type and the rules the spec cannot state. Invalid, naming each field.
func (a *Application) apply(in ApplicationInput, today time.Time) error {
	var bad []errcode.FieldError
	reject := func(field, format string, args ...any) {
		bad = append(bad, errcode.FieldError{Field: field, In: "body", Message: fmt.Sprintf(format, args...)})
	}
	checkBirth := func(field string, d *time.Time) {
		if d != nil && (d.After(today) || d.Before(earliestBirth)) {
			reject(field, "must be a date between %s and today", earliestBirth.Format(time.DateOnly))
		}
	}
	patch.Set(&a.Email, in.Email)
	patch.Set(&a.Phone, in.Phone)
	if p := in.Individual; p != nil {
		if a.Type != TypeIndividual {
			reject("individual", "only INDIVIDUAL applications have an individual; a corporation gives corporation and individuals")
		} else {
			patch.Set(&a.FirstName, p.FirstName)
			patch.Set(&a.LastName, p.LastName)
			checkBirth("individual.date_of_birth", p.DateOfBirth)
			if p.DateOfBirth != nil {
				a.DateOfBirth = dateOf(*p.DateOfBirth)
			}
			if p.Address != nil {
				a.Address = a.Address.Merge(*p.Address)
			}
		}
	}
	if c := in.Corporation; c != nil {
		if a.Type != TypeCorporation {
			reject("corporation", "only CORPORATION applications have a corporation; an individual gives individual")
		} else {
			patch.Set(&a.LegalName, c.LegalName)
			patch.Set(&a.RegistrationNumber, c.RegistrationNumber)
			if c.Address != nil {
				a.Address = a.Address.Merge(*c.Address)
			}
		}
	}
	if in.Individuals != nil {
		if a.Type != TypeCorporation {
			reject("individuals", "only CORPORATION applications list individuals")
		} else {
			people := append([]ApplicationIndividual(nil), *in.Individuals...)
			total := decimal.Zero
			for i, ind := range people {
				field := fmt.Sprintf("individuals[%d]", i)
				checkBirth(field+".date_of_birth", ind.DateOfBirth)
				if ind.DateOfBirth != nil {
					people[i].DateOfBirth = dateOf(*ind.DateOfBirth)
				}
				if pct := ind.OwnershipPercentage; pct != nil {
					total = total.Add(*pct)
					switch {
					case !pct.Equal(pct.Truncate(2)):
						reject(field+".ownership_percentage", "has at most two decimals")
					case ind.Role == BeneficialOwner && !pct.GreaterThan(BeneficialOwnership):
						reject(field+".ownership_percentage", "a BENEFICIAL_OWNER owns more than %s%%", BeneficialOwnership)
					}
				}
			}
			if total.GreaterThan(decimal.NewFromInt(100)) {
				reject("individuals", "the ownership percentages add up to %s%%, more than 100%%", total)
			}
			a.Individuals = people
		}
	}
	if len(bad) > 0 {
		return invalid("the application is not valid", bad)
	}
	return nil
}

// Missing lists what the application still needs before it can be
// submitted; empty when it is complete. Each entry names the field.
func (a Application) Missing() []errcode.FieldError {
	var out []errcode.FieldError
	need := func(field, value string) {
		if strings.TrimSpace(value) == "" {
			out = append(out, errcode.FieldError{Field: field, Message: "is required"})
		}
	}
	needAddress := func(prefix string, addr Address) {
		for _, f := range addr.missing(prefix) {
			out = append(out, errcode.FieldError{Field: f, Message: "is required"})
		}
	}
	need("email", a.Email)
	switch a.Type {
	case TypeIndividual:
		need("phone", a.Phone)
		need("individual.first_name", a.FirstName)
		need("individual.last_name", a.LastName)
		if a.DateOfBirth == nil {
			need("individual.date_of_birth", "")
		}
		needAddress("individual.address", a.Address)
		if !a.hasDocument(Passport, DriversLicense, NationalID) {
			out = append(out, errcode.FieldError{Field: "documents", Message: "an identity document (PASSPORT, DRIVERS_LICENSE or NATIONAL_ID) is required"})
		}
	case TypeCorporation:
		need("corporation.legal_name", a.LegalName)
		need("corporation.registration_number", a.RegistrationNumber)
		needAddress("corporation.address", a.Address)
		controlled := false
		for i, ind := range a.Individuals {
			field := fmt.Sprintf("individuals[%d]", i)
			need(field+".first_name", ind.FirstName)
			need(field+".last_name", ind.LastName)
			if ind.DateOfBirth == nil {
				need(field+".date_of_birth", "")
			}
			needAddress(field+".address", ind.Address)
			if ind.Role == BeneficialOwner && ind.OwnershipPercentage == nil {
				need(field+".ownership_percentage", "")
			}
			controlled = controlled || ind.Role == ControllingPerson
		}
		if !controlled {
			out = append(out, errcode.FieldError{Field: "individuals", Message: "at least one CONTROLLING_PERSON is required"})
		}
		if !a.hasDocument(CertificateOfIncorporation) {
			out = append(out, errcode.FieldError{Field: "documents", Message: "a CERTIFICATE_OF_INCORPORATION document is required"})
		}
	}
	return out
}

func (a Application) hasDocument(types ...DocumentType) bool {
	for _, d := range a.Documents {
		for _, t := range types {
			if d.Type == t {
				return true
			}
		}
	}
	return false
}

// refreshStatus sets an editable application's status from its completeness.
func (a *Application) refreshStatus() {
	if !a.Status.Editable() {
		return
	}
	a.Status = Draft
	if len(a.Missing()) == 0 {
		a.Status = ReadyForSubmission
	}
}

// invalid is an Invalid error naming the failing fields.
func invalid(what string, fields []errcode.FieldError) *errcode.Error {
	return fieldsError(errcode.Invalid, what, fields)
}

// fieldsError is an error with the code that names the fields, in its
// message too.
func fieldsError(code errcode.Code, what string, fields []errcode.FieldError) *errcode.Error {
	parts := make([]string, len(fields))
	for i, f := range fields {
		parts[i] = f.Field + ": " + f.Message
	}
	return &errcode.Error{Code: code, Message: what + ": " + strings.Join(parts, "; "), Fields: fields}
}
