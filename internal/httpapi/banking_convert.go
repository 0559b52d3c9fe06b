package httpapi

import (
	"context"
	"time"

	openapi_types "github.com/oapi-codegen/runtime/types"
	"github.com/openvest/openvest/gen/api"
	"github.com/openvest/openvest/internal/banking"
	"github.com/openvest/openvest/internal/errcode"
	"github.com/openvest/openvest/internal/patch"
)

// bankingOrgFrom returns the calling organization as the banking domain sees it.
func bankingOrgFrom(ctx context.Context) (banking.Org, error) {
	p, ok := principalFrom(ctx)
	if !ok {
		return banking.Org{}, errcode.New(errcode.Unauthenticated, "not authenticated")
	}
	return banking.Org{ID: p.Org.ID, Sandbox: p.Org.Sandbox}, nil
}

// bankingPage turns the limit/cursor parameters into a page request; the
// domain applies the default limit.
func bankingPage(limit *int32, cursor *string) banking.PageRequest {
	var p banking.PageRequest
	if limit != nil {
		p.Limit = int(*limit)
	}
	if cursor != nil {
		p.Cursor = *cursor
	}
	return p
}

func apiPagination[T any](p banking.Page[T]) api.BankingPagination {
	return api.BankingPagination{HasMore: p.HasMore, NextCursor: optional(p.NextCursor)}
}

// timestamp renders a time as the banking surface shows it: UTC, to the second.
func timestamp(t time.Time) time.Time { return t.UTC().Truncate(time.Second) }

func optionalTimestamp(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	v := timestamp(*t)
	return &v
}

// optional is nil for the empty string: absent fields are omitted.
func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func apiDate(t time.Time) openapi_types.Date { return openapi_types.Date{Time: t} }

func optionalDate(t *time.Time) *openapi_types.Date {
	if t == nil {
		return nil
	}
	d := apiDate(*t)
	return &d
}

// domainDate is the time of an optional date (the domain keeps its date).
func domainDate(d *openapi_types.Date) *time.Time {
	if d == nil {
		return nil
	}
	return &d.Time
}

func addressPatch(a *api.BankingPartialAddress) *banking.AddressPatch {
	if a == nil {
		return nil
	}
	return &banking.AddressPatch{Line1: a.Line1, Line2: a.Line2, City: a.City, State: a.State, PostalCode: a.PostalCode, Country: a.Country}
}

func apiAddress(a banking.Address) api.BankingAddress {
	return api.BankingAddress{
		Line1: a.Line1, Line2: optional(a.Line2), City: a.City, State: optional(a.State),
		PostalCode: a.PostalCode, Country: a.Country,
	}
}

func apiPartialAddress(a banking.Address) *api.BankingPartialAddress {
	return &api.BankingPartialAddress{
		Line1: optional(a.Line1), Line2: optional(a.Line2), City: optional(a.City), State: optional(a.State),
		PostalCode: optional(a.PostalCode), Country: optional(a.Country),
	}
}

// applicationInput is the content of a create or update request.
func applicationInput(email, phone *string, person *api.BankingApplicationPerson, corp *api.BankingApplicationCorporation, people *[]api.BankingApplicationIndividual) banking.ApplicationInput {
	in := banking.ApplicationInput{Email: email, Phone: phone}
	if person != nil {
		in.Individual = &banking.PersonInput{
			FirstName: person.FirstName, LastName: person.LastName,
			DateOfBirth: domainDate(person.DateOfBirth), Address: addressPatch(person.Address),
		}
	}
	if corp != nil {
		in.Corporation = &banking.CorporationInput{
			LegalName: corp.LegalName, RegistrationNumber: corp.RegistrationNumber, Address: addressPatch(corp.Address),
		}
	}
	if people != nil {
		list := mapSlice(*people, func(p api.BankingApplicationIndividual) banking.ApplicationIndividual {
			ind := banking.ApplicationIndividual{
				Role: banking.Role(p.Role), DateOfBirth: domainDate(p.DateOfBirth), OwnershipPercentage: p.OwnershipPercentage,
			}
			patch.Set(&ind.FirstName, p.FirstName)
			patch.Set(&ind.LastName, p.LastName)
			patch.Set(&ind.Email, p.Email)
			patch.Set(&ind.Phone, p.Phone)
			if p.Address != nil {
				ind.Address = banking.Address{}.Merge(*addressPatch(p.Address))
			}
			return ind
		})
		in.Individuals = &list
	}
	return in
}

func apiApplication(a banking.Application) api.BankingApplication {
	out := api.BankingApplication{
		Id: a.ID, Type: api.BankingCustomerType(a.Type), Status: api.BankingApplicationStatus(a.Status),
		Email: optional(a.Email), Phone: optional(a.Phone),
		Documents: mapSlice(a.Documents, apiDocument), Missing: []api.BankingMissingField{},
		CustomerId: optional(a.CustomerID), DecisionReason: optional(a.DecisionReason),
		SubmittedAt: optionalTimestamp(a.SubmittedAt), DecidedAt: optionalTimestamp(a.DecidedAt),
		CreatedAt: timestamp(a.CreatedAt), UpdatedAt: timestamp(a.UpdatedAt),
	}
	if a.Status.Editable() {
		out.Missing = mapSlice(a.Missing(), func(f errcode.FieldError) api.BankingMissingField {
			return api.BankingMissingField{Field: f.Field, Detail: f.Message}
		})
	}
	switch a.Type {
	case banking.TypeIndividual:
		out.Individual = &api.BankingApplicationPerson{
			FirstName: optional(a.FirstName), LastName: optional(a.LastName),
			DateOfBirth: optionalDate(a.DateOfBirth), Address: apiPartialAddress(a.Address),
		}
	case banking.TypeCorporation:
		out.Corporation = &api.BankingApplicationCorporation{
			LegalName: optional(a.LegalName), RegistrationNumber: optional(a.RegistrationNumber), Address: apiPartialAddress(a.Address),
		}
		people := mapSlice(a.Individuals, func(p banking.ApplicationIndividual) api.BankingApplicationIndividual {
			return api.BankingApplicationIndividual{
				Role: api.BankingIndividualRole(p.Role), FirstName: optional(p.FirstName), LastName: optional(p.LastName),
				DateOfBirth: optionalDate(p.DateOfBirth), Email: optional(p.Email), Phone: optional(p.Phone),
				Address: apiPartialAddress(p.Address), OwnershipPercentage: p.OwnershipPercentage,
			}
		})
		out.Individuals = &people
	}
	return out
}

func apiDocument(d banking.Document) api.BankingDocument {
	out := api.BankingDocument{
		Id: d.ID, ApplicationId: d.ApplicationID, Type: api.BankingDocumentType(d.Type), FileName: d.FileName,
		ContentType: api.BankingDocumentContentType(d.ContentType), Size: d.Size, Sha256: d.SHA256,
		CreatedAt: timestamp(d.CreatedAt),
	}
	if d.Content != nil {
		out.Content = &d.Content
	}
	return out
}

func apiBankingCustomer(c banking.CustomerDetail) api.BankingCustomer {
	out := api.BankingCustomer{
		Id: c.ID, Type: api.BankingCustomerType(c.Type), Status: api.BankingCustomerStatus(c.Status),
		Email: c.Email, Phone: optional(c.Phone), ApplicationId: c.ApplicationID,
		Accounts: mapSlice(c.Accounts, func(a banking.Account) api.BankingAccount {
			return api.BankingAccount{Id: a.ID, Currency: a.Currency, Status: api.BankingAccountStatus(a.Status)}
		}),
		CreatedAt: timestamp(c.CreatedAt), UpdatedAt: timestamp(c.UpdatedAt),
	}
	switch c.Type {
	case banking.TypeIndividual:
		out.Individual = &api.BankingCustomerPerson{
			FirstName: c.FirstName, LastName: c.LastName, DateOfBirth: apiDate(c.DateOfBirth), Address: apiAddress(c.Address),
		}
	case banking.TypeCorporation:
		out.Corporation = &api.BankingCustomerCorporation{
			LegalName: c.LegalName, RegistrationNumber: c.RegistrationNumber, Address: apiAddress(c.Address),
		}
		people := mapSlice(c.Individuals, apiIndividual)
		out.Individuals = &people
	}
	return out
}

func apiCustomerSummary(c banking.Customer) api.BankingCustomerSummary {
	return api.BankingCustomerSummary{
		Id: c.ID, Type: api.BankingCustomerType(c.Type), Status: api.BankingCustomerStatus(c.Status),
		Email: c.Email, CreatedAt: timestamp(c.CreatedAt),
	}
}

func apiIndividual(i banking.Individual) api.BankingIndividual {
	return api.BankingIndividual{
		Id: i.ID, CustomerId: i.CustomerID, Role: api.BankingIndividualRole(i.Role),
		FirstName: i.FirstName, LastName: i.LastName, DateOfBirth: apiDate(i.DateOfBirth),
		Email: optional(i.Email), Phone: optional(i.Phone), OwnershipPercentage: i.OwnershipPercentage,
		Address: apiAddress(i.Address), CreatedAt: timestamp(i.CreatedAt), UpdatedAt: timestamp(i.UpdatedAt),
	}
}

// bodyField is a field of a request body and whether the request set it.
type bodyField struct {
	name string
	set  bool
}

// majorFields lists the names of the fields that are set.
func majorFields(fields ...bodyField) []string {
	var out []string
	for _, f := range fields {
		if f.set {
			out = append(out, f.name)
		}
	}
	return out
}
