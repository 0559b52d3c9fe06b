package httpapi

import (
	"context"

	"github.com/openvest/openvest/gen/api"
	"github.com/openvest/openvest/internal/banking"
)

// ListBankingCustomers implements GET /customers.
func (s *Server) ListBankingCustomers(ctx context.Context, req api.ListBankingCustomersRequestObject) (api.ListBankingCustomersResponseObject, error) {
	org, err := bankingOrgFrom(ctx)
	if err != nil {
		return nil, err
	}
	p := req.Params
	page, err := s.Banking.Customers(ctx, org, banking.CustomerFilter{
		Type:   convertPtr[api.BankingCustomerType, banking.CustomerType](p.Type),
		Status: convertPtr[api.BankingCustomerStatus, banking.CustomerStatus](p.Status),
	}, bankingPage(p.Limit, p.Cursor))
	if err != nil {
		return nil, err
	}
	return api.ListBankingCustomers200JSONResponse{Data: mapSlice(page.Items, apiCustomerSummary), Pagination: apiPagination(page)}, nil
}

// GetBankingCustomer implements GET /customers/{id}.
func (s *Server) GetBankingCustomer(ctx context.Context, req api.GetBankingCustomerRequestObject) (api.GetBankingCustomerResponseObject, error) {
	org, err := bankingOrgFrom(ctx)
	if err != nil {
		return nil, err
	}
	c, err := s.Banking.Customer(ctx, org, req.Id)
	if err != nil {
		return nil, err
	}
	return api.GetBankingCustomer200JSONResponse(apiBankingCustomer(c)), nil
}

// UpdateBankingCustomer implements PATCH /customers/{id}.
func (s *Server) UpdateBankingCustomer(ctx context.Context, req api.UpdateBankingCustomerRequestObject) (api.UpdateBankingCustomerResponseObject, error) {
	org, err := bankingOrgFrom(ctx)
	if err != nil {
		return nil, err
	}
	b := req.Body
	c, err := s.Banking.UpdateCustomer(ctx, org, req.Id, banking.ContactUpdate{
		Email: b.Email, Phone: b.Phone, Address: addressPatch(b.Address),
		Major: majorFields(
			bodyField{"first_name", b.FirstName != nil}, bodyField{"last_name", b.LastName != nil},
			bodyField{"legal_name", b.LegalName != nil}, bodyField{"registration_number", b.RegistrationNumber != nil},
			bodyField{"date_of_birth", b.DateOfBirth != nil}, bodyField{"type", b.Type != nil},
		),
	})
	if err != nil {
		return nil, err
	}
	return api.UpdateBankingCustomer200JSONResponse{Body: apiBankingCustomer(c)}, nil
}

// GetBankingIndividual implements GET /customers/{id}/individuals/{individual_id}.
func (s *Server) GetBankingIndividual(ctx context.Context, req api.GetBankingIndividualRequestObject) (api.GetBankingIndividualResponseObject, error) {
	org, err := bankingOrgFrom(ctx)
	if err != nil {
		return nil, err
	}
	i, err := s.Banking.Individual(ctx, org, req.Id, req.IndividualId)
	if err != nil {
		return nil, err
	}
	return api.GetBankingIndividual200JSONResponse(apiIndividual(i)), nil
}

// UpdateBankingIndividual implements PATCH /customers/{id}/individuals/{individual_id}.
func (s *Server) UpdateBankingIndividual(ctx context.Context, req api.UpdateBankingIndividualRequestObject) (api.UpdateBankingIndividualResponseObject, error) {
	org, err := bankingOrgFrom(ctx)
	if err != nil {
		return nil, err
	}
	b := req.Body
	i, err := s.Banking.UpdateIndividual(ctx, org, req.Id, req.IndividualId, banking.ContactUpdate{
		Email: b.Email, Phone: b.Phone, Address: addressPatch(b.Address),
		Major: majorFields(
			bodyField{"first_name", b.FirstName != nil}, bodyField{"last_name", b.LastName != nil},
			bodyField{"date_of_birth", b.DateOfBirth != nil}, bodyField{"role", b.Role != nil},
			bodyField{"ownership_percentage", b.OwnershipPercentage != nil},
		),
	})
	if err != nil {
		return nil, err
	}
	return api.UpdateBankingIndividual200JSONResponse{Body: apiIndividual(i)}, nil
}
