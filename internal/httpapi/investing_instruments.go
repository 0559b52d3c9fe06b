package httpapi

import (
	"context"

	"github.com/openvest/openvest/gen/api"
	"github.com/openvest/openvest/internal/investing"
)

// ListInstruments implements GET /v1/instruments.
func (s *Server) ListInstruments(ctx context.Context, req api.ListInstrumentsRequestObject) (api.ListInstrumentsResponseObject, error) {
	org, err := orgFrom(ctx)
	if err != nil {
		return nil, err
	}
	p := pageRequest(req.Params.Page, req.Params.Limit, req.Params.Sort)
	page, err := s.Trading.Instruments(ctx, org, convertPtr[api.InvestmentType, investing.InvestmentType](req.Params.InvestmentType), p)
	if err != nil {
		return nil, err
	}
	return api.ListInstruments200JSONResponse{
		Code: 200, Message: msgOK, Data: mapSlice(page.Items, apiInstrument), Meta: meta(p, len(page.Items), page.Total),
	}, nil
}

// GetInstrument implements GET /v1/instruments/{symbol}.
func (s *Server) GetInstrument(ctx context.Context, req api.GetInstrumentRequestObject) (api.GetInstrumentResponseObject, error) {
	org, err := orgFrom(ctx)
	if err != nil {
		return nil, err
	}
	q, err := s.Trading.Instrument(ctx, org, req.Symbol)
	if err != nil {
		return nil, err
	}
	return api.GetInstrument200JSONResponse{Code: 200, Message: msgOK, Data: apiInstrument(q)}, nil
}
