package httpapi

import (
	"context"

	"github.com/openvest/openvest/gen/api"
	"github.com/openvest/openvest/internal/investing"
)

// ListInvestments implements GET /v1/investments.
func (s *Server) ListInvestments(ctx context.Context, req api.ListInvestmentsRequestObject) (api.ListInvestmentsResponseObject, error) {
	org, err := orgFrom(ctx)
	if err != nil {
		return nil, err
	}
	p := pageRequest(req.Params.Page, req.Params.Limit, req.Params.Sort)
	page, err := s.Investing.Investments(ctx, p)
	if err != nil {
		return nil, err
	}
	data := mapSlice(page.Items, func(i investing.Investment) api.Investment { return apiInvestment(i, org) })
	return api.ListInvestments200JSONResponse{Code: 200, Message: msgOK, Data: data, Meta: meta(p, len(page.Items), page.Total)}, nil
}

// GetInvestment implements GET /v1/investments/{investmentId}.
func (s *Server) GetInvestment(ctx context.Context, req api.GetInvestmentRequestObject) (api.GetInvestmentResponseObject, error) {
	org, err := orgFrom(ctx)
	if err != nil {
		return nil, err
	}
	i, err := s.Investing.Investment(ctx, req.InvestmentId)
	if err != nil {
		return nil, err
	}
	return api.GetInvestment200JSONResponse{Code: 200, Message: msgOK, Data: apiInvestment(i, org)}, nil
}
