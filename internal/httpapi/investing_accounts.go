package httpapi

import (
	"context"

	"github.com/openvest/openvest/gen/api"
	"github.com/openvest/openvest/internal/investing"
)

// CreateAccount implements POST /v1/accounts.
func (s *Server) CreateAccount(ctx context.Context, req api.CreateAccountRequestObject) (api.CreateAccountResponseObject, error) {
	org, err := orgFrom(ctx)
	if err != nil {
		return nil, err
	}
	a, err := s.Investing.CreateAccount(ctx, org, investing.NewAccount{
		CustomerID: req.Body.CustomerId, Currency: investing.Currency(req.Body.Currency),
		InvestmentType: investing.InvestmentType(req.Body.InvestmentTypes),
	})
	if err != nil {
		return nil, err
	}
	return api.CreateAccount201JSONResponse{Body: api.AccountResponse{Code: 201, Message: msgCreated, Data: apiAccount(a)}}, nil
}

// UpdateAccount implements PUT /v1/accounts.
func (s *Server) UpdateAccount(ctx context.Context, req api.UpdateAccountRequestObject) (api.UpdateAccountResponseObject, error) {
	org, err := orgFrom(ctx)
	if err != nil {
		return nil, err
	}
	a, err := s.Investing.UpdateAccount(ctx, org, investing.AccountUpdate{
		ID:       req.Body.AccountId,
		Status:   convertPtr[api.AccountStatus, investing.Status](req.Body.Status),
		Currency: convertPtr[api.Currency, investing.Currency](req.Body.Currency),
	})
	if err != nil {
		return nil, err
	}
	return api.UpdateAccount200JSONResponse{Body: api.AccountResponse{Code: 200, Message: msgOK, Data: apiAccount(a)}}, nil
}

// ListAccounts implements GET /v1/accounts.
func (s *Server) ListAccounts(ctx context.Context, req api.ListAccountsRequestObject) (api.ListAccountsResponseObject, error) {
	org, err := orgFrom(ctx)
	if err != nil {
		return nil, err
	}
	p := pageRequest(req.Params.Page, req.Params.Limit, req.Params.Sort)
	page, err := s.Investing.Accounts(ctx, org, req.Params.CustomerId, p)
	if err != nil {
		return nil, err
	}
	return api.ListAccounts200JSONResponse{
		Code: 200, Message: msgOK, Data: mapSlice(page.Items, apiAccount), Meta: meta(p, len(page.Items), page.Total),
	}, nil
}

// GetAccount implements GET /v1/accounts/{accountId}.
func (s *Server) GetAccount(ctx context.Context, req api.GetAccountRequestObject) (api.GetAccountResponseObject, error) {
	org, err := orgFrom(ctx)
	if err != nil {
		return nil, err
	}
	a, err := s.Investing.Account(ctx, org, req.AccountId)
	if err != nil {
		return nil, err
	}
	return api.GetAccount200JSONResponse{Code: 200, Message: msgOK, Data: apiAccount(a)}, nil
}
