package httpapi

import (
	"context"

	"github.com/openvest/openvest/gen/api"
)

// CreateWalletCounterparty implements POST /counterparty.
func (s *Server) CreateWalletCounterparty(ctx context.Context, req api.CreateWalletCounterpartyRequestObject) (api.CreateWalletCounterpartyResponseObject, error) {
	org, err := walletOrg(ctx)
	if err != nil {
		return nil, err
	}
	c, err := s.Wallet.CreateCounterparty(ctx, org, req.Body.Name)
	if err != nil {
		return nil, err
	}
	return api.CreateWalletCounterparty200JSONResponse{Body: apiWalletCounterparty(c)}, nil
}

// ListWalletCounterparties implements GET /counterparty.
func (s *Server) ListWalletCounterparties(ctx context.Context, req api.ListWalletCounterpartiesRequestObject) (api.ListWalletCounterpartiesResponseObject, error) {
	org, err := walletOrg(ctx)
	if err != nil {
		return nil, err
	}
	page, err := s.Wallet.Counterparties(ctx, org, walletPage(req.Params.Offset, req.Params.Limit))
	if err != nil {
		return nil, err
	}
	return api.ListWalletCounterparties200JSONResponse{Total: page.Total, Counterparties: mapSlice(page.Items, apiWalletCounterparty)}, nil
}

// GetWalletCounterparty implements GET /counterparty/{counterparty_guid}.
func (s *Server) GetWalletCounterparty(ctx context.Context, req api.GetWalletCounterpartyRequestObject) (api.GetWalletCounterpartyResponseObject, error) {
	org, err := walletOrg(ctx)
	if err != nil {
		return nil, err
	}
	c, err := s.Wallet.Counterparty(ctx, org, req.CounterpartyGuid)
	if err != nil {
		return nil, err
	}
	return api.GetWalletCounterparty200JSONResponse(apiWalletCounterparty(c)), nil
}
