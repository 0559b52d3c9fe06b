package httpapi

import (
	"context"

	"github.com/openvest/openvest/gen/api"
)

// CreateWalletAccount implements POST /counterparty/{counterparty_guid}/customers/{customer_guid}/accounts.
func (s *Server) CreateWalletAccount(ctx context.Context, req api.CreateWalletAccountRequestObject) (api.CreateWalletAccountResponseObject, error) {
	org, err := walletOrg(ctx)
	if err != nil {
		return nil, err
	}
	a, err := s.Wallet.CreateAccount(ctx, org, req.CounterpartyGuid, req.CustomerGuid, req.Body.Iban)
	if err != nil {
		return nil, err
	}
	return api.CreateWalletAccount200JSONResponse{Body: apiWalletAccount(a)}, nil
}

// ListWalletAccounts implements GET /counterparty/{counterparty_guid}/customers/{customer_guid}/accounts.
func (s *Server) ListWalletAccounts(ctx context.Context, req api.ListWalletAccountsRequestObject) (api.ListWalletAccountsResponseObject, error) {
	org, err := walletOrg(ctx)
	if err != nil {
		return nil, err
	}
	accounts, err := s.Wallet.Accounts(ctx, org, req.CounterpartyGuid, req.CustomerGuid, req.Params.Iban)
	if err != nil {
		return nil, err
	}
	return api.ListWalletAccounts200JSONResponse{Total: int64(len(accounts)), Accounts: mapSlice(accounts, apiWalletAccount)}, nil
}
