package httpapi

import (
	"context"
	"time"

	"github.com/openvest/openvest/gen/api"
	"github.com/openvest/openvest/internal/trading"
)

// ListMarketData implements GET /v1/market/data.
func (s *Server) ListMarketData(ctx context.Context, req api.ListMarketDataRequestObject) (api.ListMarketDataResponseObject, error) {
	pr := req.Params
	res, err := s.marketData(ctx, pr.InstrumentId, pr.Start, pr.End, pr.TimeFrame, pr.Page, pr.Limit, pr.Sort)
	if err != nil {
		return nil, err
	}
	return api.ListMarketData200JSONResponse(res), nil
}

// GetMarketData implements GET /v1/market/data/{instrumentId}.
func (s *Server) GetMarketData(ctx context.Context, req api.GetMarketDataRequestObject) (api.GetMarketDataResponseObject, error) {
	pr := req.Params
	res, err := s.marketData(ctx, &req.InstrumentId, pr.Start, pr.End, pr.TimeFrame, pr.Page, pr.Limit, pr.Sort)
	if err != nil {
		return nil, err
	}
	return api.GetMarketData200JSONResponse(res), nil
}

func (s *Server) marketData(ctx context.Context, instrumentID *int64, start, end *int64, tf *api.TimeFrame, page, limit *int32, sort *api.SortOrder) (api.MarketDataListResponse, error) {
	org, err := orgFrom(ctx)
	if err != nil {
		return api.MarketDataListResponse{}, err
	}
	q := trading.BarQuery{InstrumentID: instrumentID, Start: fromUnixPtr(start), End: fromUnixPtr(end)}
	if tf != nil {
		q.TimeFrame = trading.TimeFrame(*tf)
	}
	p := pageRequest(page, limit, sort)
	bars, err := s.Trading.Bars(ctx, org, q, p)
	if err != nil {
		return api.MarketDataListResponse{}, err
	}
	return api.MarketDataListResponse{Code: 200, Message: msgOK, Data: mapSlice(bars.Items, apiBar), Meta: meta(p, len(bars.Items), bars.Total)}, nil
}

func fromUnixPtr(v *int64) *time.Time {
	if v == nil {
		return nil
	}
	t := time.Unix(*v, 0).UTC()
	return &t
}

func apiBar(b trading.Bar) api.MarketData {
	return api.MarketData{
		MarketDataId: b.ID, InstrumentId: b.Instrument.ID, Name: b.Instrument.Name, Symbol: b.Instrument.Symbol, Currency: api.USD,
		Open: b.Open, High: b.High, Low: b.Low, Close: b.Close, Volume: b.Volume,
		Start: b.Start.Unix(), End: b.End.Unix(), TimeFrame: api.TimeFrame(b.TimeFrame),
		CreatedAt: b.Start.Unix(), UpdatedAt: b.UpdatedAt.Unix(),
	}
}
