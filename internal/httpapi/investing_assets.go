package httpapi

import (
	"context"

	"github.com/openvest/openvest/gen/api"
	"github.com/openvest/openvest/internal/trading"
)

// ListAssets implements GET /v1/assets.
func (s *Server) ListAssets(ctx context.Context, req api.ListAssetsRequestObject) (api.ListAssetsResponseObject, error) {
	org, err := orgFrom(ctx)
	if err != nil {
		return nil, err
	}
	p := pageRequest(req.Params.Page, req.Params.Limit, req.Params.Sort)
	page, err := s.Trading.Assets(ctx, org, trading.AssetFilter{
		CustomerID: req.Params.CustomerId, AccountID: req.Params.AccountId, PortfolioID: req.Params.PortfolioId,
	}, p)
	if err != nil {
		return nil, err
	}
	return api.ListAssets200JSONResponse{
		Code: 200, Message: msgOK, Data: mapSlice(page.Items, apiAsset), Meta: meta(p, len(page.Items), page.Total),
	}, nil
}

// GetAsset implements GET /v1/assets/{assetId}.
func (s *Server) GetAsset(ctx context.Context, req api.GetAssetRequestObject) (api.GetAssetResponseObject, error) {
	org, err := orgFrom(ctx)
	if err != nil {
		return nil, err
	}
	a, err := s.Trading.Asset(ctx, org, req.AssetId)
	if err != nil {
		return nil, err
	}
	return api.GetAsset200JSONResponse{Code: 200, Message: msgOK, Data: apiAsset(a)}, nil
}

// ListTransactions implements GET /v1/transactions.
func (s *Server) ListTransactions(ctx context.Context, req api.ListTransactionsRequestObject) (api.ListTransactionsResponseObject, error) {
	org, err := orgFrom(ctx)
	if err != nil {
		return nil, err
	}
	p := pageRequest(req.Params.Page, req.Params.Limit, req.Params.Sort)
	page, err := s.Trading.Transactions(ctx, org, trading.TransactionFilter{CustomerID: req.Params.CustomerId, RequestID: req.Params.RequestId}, p)
	if err != nil {
		return nil, err
	}
	return api.ListTransactions200JSONResponse{
		Code: 200, Message: msgOK, Data: mapSlice(page.Items, apiTransaction), Meta: meta(p, len(page.Items), page.Total),
	}, nil
}

// GetTransaction implements GET /v1/transactions/{transactionId}.
func (s *Server) GetTransaction(ctx context.Context, req api.GetTransactionRequestObject) (api.GetTransactionResponseObject, error) {
	org, err := orgFrom(ctx)
	if err != nil {
		return nil, err
	}
	t, err := s.Trading.Transaction(ctx, org, req.TransactionId)
	if err != nil {
		return nil, err
	}
	return api.GetTransaction200JSONResponse{Code: 200, Message: msgOK, Data: apiTransaction(t)}, nil
}

// AttachPortfolioAsset implements POST /v1/portfolio/assets.
func (s *Server) AttachPortfolioAsset(ctx context.Context, req api.AttachPortfolioAssetRequestObject) (api.AttachPortfolioAssetResponseObject, error) {
	org, err := orgFrom(ctx)
	if err != nil {
		return nil, err
	}
	a, err := s.Trading.AttachAsset(ctx, org, req.Body.CustomerId, req.Body.PortfolioId, req.Body.AssetId)
	if err != nil {
		return nil, err
	}
	return api.AttachPortfolioAsset200JSONResponse{Body: api.AssetResponse{Code: 200, Message: msgOK, Data: apiAsset(a)}}, nil
}
