package httpapi

import (
	"context"

	"github.com/openvest/openvest/gen/api"
	"github.com/openvest/openvest/internal/investing"
)

// CreateCustomer implements POST /v1/customers.
func (s *Server) CreateCustomer(ctx context.Context, req api.CreateCustomerRequestObject) (api.CreateCustomerResponseObject, error) {
	org, err := orgFrom(ctx)
	if err != nil {
		return nil, err
	}
	c, err := s.Investing.CreateCustomer(ctx, org, investing.NewCustomer{
		FirstName: req.Body.FirstName, LastName: req.Body.LastName, ReferenceID: referenceID(req.Body.ReferenceId),
	})
	if err != nil {
		return nil, err
	}
	return api.CreateCustomer201JSONResponse{Body: api.CustomerResponse{Code: 201, Message: msgCreated, Data: apiCustomer(c)}}, nil
}

// UpdateCustomer implements PUT /v1/customers.
func (s *Server) UpdateCustomer(ctx context.Context, req api.UpdateCustomerRequestObject) (api.UpdateCustomerResponseObject, error) {
	org, err := orgFrom(ctx)
	if err != nil {
		return nil, err
	}
	b := req.Body
	c, err := s.Investing.UpdateCustomer(ctx, org, investing.CustomerUpdate{
		ID: b.CustomerId, FirstName: b.FirstName, LastName: b.LastName, ReferenceID: referenceID(b.ReferenceId),
		Status: convertPtr[api.CustomerStatus, investing.Status](b.Status),
	})
	if err != nil {
		return nil, err
	}
	return api.UpdateCustomer200JSONResponse{Body: api.CustomerResponse{Code: 200, Message: msgOK, Data: apiCustomer(c)}}, nil
}

// ListCustomers implements GET /v1/customers.
func (s *Server) ListCustomers(ctx context.Context, req api.ListCustomersRequestObject) (api.ListCustomersResponseObject, error) {
	org, err := orgFrom(ctx)
	if err != nil {
		return nil, err
	}
	p := pageRequest(req.Params.Page, req.Params.Limit, req.Params.Sort)
	page, err := s.Investing.Customers(ctx, org, investing.CustomerFilter{
		Status: convertPtr[api.CustomerStatus, investing.Status](req.Params.Status), ReferenceID: req.Params.ReferenceId,
	}, p)
	if err != nil {
		return nil, err
	}
	return api.ListCustomers200JSONResponse{
		Code: 200, Message: msgOK, Data: mapSlice(page.Items, apiCustomer), Meta: meta(p, len(page.Items), page.Total),
	}, nil
}

// GetCustomer implements GET /v1/customers/{customerId}.
func (s *Server) GetCustomer(ctx context.Context, req api.GetCustomerRequestObject) (api.GetCustomerResponseObject, error) {
	org, err := orgFrom(ctx)
	if err != nil {
		return nil, err
	}
	c, err := s.Investing.Customer(ctx, org, req.CustomerId)
	if err != nil {
		return nil, err
	}
	return api.GetCustomer200JSONResponse{Code: 200, Message: msgOK, Data: apiCustomer(c)}, nil
}
