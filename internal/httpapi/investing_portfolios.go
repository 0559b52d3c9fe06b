package httpapi

import (
	"context"

	"github.com/openvest/openvest/gen/api"
	"github.com/openvest/openvest/internal/investing"
)

// CreatePortfolio implements POST /v1/portfolio.
func (s *Server) CreatePortfolio(ctx context.Context, req api.CreatePortfolioRequestObject) (api.CreatePortfolioResponseObject, error) {
	org, err := orgFrom(ctx)
	if err != nil {
		return nil, err
	}
	p, err := s.Investing.CreatePortfolio(ctx, org, investing.NewPortfolio{
		CustomerID: req.Body.CustomerId, Currency: investing.Currency(req.Body.Currency),
	})
	if err != nil {
		return nil, err
	}
	return api.CreatePortfolio201JSONResponse{Body: api.PortfolioResponse{Code: 201, Message: msgCreated, Data: apiPortfolio(p)}}, nil
}

// UpdatePortfolio implements PUT /v1/portfolio.
func (s *Server) UpdatePortfolio(ctx context.Context, req api.UpdatePortfolioRequestObject) (api.UpdatePortfolioResponseObject, error) {
	org, err := orgFrom(ctx)
	if err != nil {
		return nil, err
	}
	p, err := s.Investing.UpdatePortfolio(ctx, org, investing.PortfolioUpdate{
		ID:       req.Body.PortfolioId,
		Status:   convertPtr[api.PortfolioStatus, investing.Status](req.Body.Status),
		Currency: convertPtr[api.Currency, investing.Currency](req.Body.Currency),
	})
	if err != nil {
		return nil, err
	}
	if p, err = s.valued(ctx, org, p); err != nil {
		return nil, err
	}
	return api.UpdatePortfolio200JSONResponse{Body: api.PortfolioResponse{Code: 200, Message: msgOK, Data: apiPortfolio(p)}}, nil
}

// ListPortfolios implements GET /v1/portfolio.
func (s *Server) ListPortfolios(ctx context.Context, req api.ListPortfoliosRequestObject) (api.ListPortfoliosResponseObject, error) {
	org, err := orgFrom(ctx)
	if err != nil {
		return nil, err
	}
	p := pageRequest(req.Params.Page, req.Params.Limit, req.Params.Sort)
	page, err := s.Investing.Portfolios(ctx, org, req.Params.CustomerId, p)
	if err != nil {
		return nil, err
	}
	if page.Items, err = s.Trading.Valued(ctx, org, page.Items); err != nil {
		return nil, err
	}
	return api.ListPortfolios200JSONResponse{
		Code: 200, Message: msgOK, Data: mapSlice(page.Items, apiPortfolio), Meta: meta(p, len(page.Items), page.Total),
	}, nil
}

// GetPortfolio implements GET /v1/portfolio/{portfolioId}.
func (s *Server) GetPortfolio(ctx context.Context, req api.GetPortfolioRequestObject) (api.GetPortfolioResponseObject, error) {
	org, err := orgFrom(ctx)
	if err != nil {
		return nil, err
	}
	p, err := s.Investing.Portfolio(ctx, org, req.PortfolioId)
	if err != nil {
		return nil, err
	}
	if p, err = s.valued(ctx, org, p); err != nil {
		return nil, err
	}
	return api.GetPortfolio200JSONResponse{Code: 200, Message: msgOK, Data: apiPortfolio(p)}, nil
}

// valued is p with marketValue and performance at the current prices.
func (s *Server) valued(ctx context.Context, org investing.Org, p investing.Portfolio) (investing.Portfolio, error) {
	ps, err := s.Trading.Valued(ctx, org, []investing.Portfolio{p})
	if err != nil {
		return p, err
	}
	return ps[0], nil
}
