package httpapi

import (
	"context"

	"github.com/openvest/openvest/gen/api"
	"github.com/openvest/openvest/internal/errcode"
	"github.com/openvest/openvest/internal/investing"
	"github.com/openvest/openvest/internal/trading"
)

// CreatePurchaseRequest implements POST /v1/requests/purchase.
func (s *Server) CreatePurchaseRequest(ctx context.Context, req api.CreatePurchaseRequestRequestObject) (api.CreatePurchaseRequestResponseObject, error) {
	r, err := s.createPurchase(ctx, req.Body)
	if err != nil {
		return nil, err
	}
	return api.CreatePurchaseRequest201JSONResponse{Body: api.InvestmentRequestResponse{Code: 201, Message: msgCreated, Data: apiRequest(r)}}, nil
}

// CreatePurchaseRequestLegacy implements the deprecated POST
// /v1/requests/purchase/purchase (seed 002's recurring-request URL).
func (s *Server) CreatePurchaseRequestLegacy(ctx context.Context, req api.CreatePurchaseRequestLegacyRequestObject) (api.CreatePurchaseRequestLegacyResponseObject, error) {
	r, err := s.createPurchase(ctx, req.Body)
	if err != nil {
		return nil, err
	}
	return api.CreatePurchaseRequestLegacy201JSONResponse{Body: api.InvestmentRequestResponse{Code: 201, Message: msgCreated, Data: apiRequest(r)}}, nil
}

func (s *Server) createPurchase(ctx context.Context, b *api.CreatePurchaseRequest) (trading.Request, error) {
	org, err := orgFrom(ctx)
	if err != nil {
		return trading.Request{}, err
	}
	return s.Trading.CreatePurchase(ctx, org, trading.NewPurchase{
		CustomerID: b.CustomerId, Currency: investing.Currency(b.Currency), InstrumentID: b.InstrumentId,
		Amount: b.PurchaseAmount, IsRecurring: b.IsRecurring != nil && *b.IsRecurring,
		Schedule: convertPtr[api.RequestSchedule, trading.Schedule](b.Schedule),
	})
}

// CreateSellRequest implements POST /v1/requests/sell.
func (s *Server) CreateSellRequest(ctx context.Context, req api.CreateSellRequestRequestObject) (api.CreateSellRequestResponseObject, error) {
	r, err := s.createSell(ctx, req.Body)
	if err != nil {
		return nil, err
	}
	return api.CreateSellRequest201JSONResponse{Body: api.InvestmentRequestResponse{Code: 201, Message: msgCreated, Data: apiRequest(r)}}, nil
}

// CreateSellRequestLegacy implements the deprecated POST
// /v1/requests/purchase/sell (seed 002's sell URL).
func (s *Server) CreateSellRequestLegacy(ctx context.Context, req api.CreateSellRequestLegacyRequestObject) (api.CreateSellRequestLegacyResponseObject, error) {
	r, err := s.createSell(ctx, req.Body)
	if err != nil {
		return nil, err
	}
	return api.CreateSellRequestLegacy201JSONResponse{Body: api.InvestmentRequestResponse{Code: 201, Message: msgCreated, Data: apiRequest(r)}}, nil
}

func (s *Server) createSell(ctx context.Context, b *api.CreateSellRequest) (trading.Request, error) {
	org, err := orgFrom(ctx)
	if err != nil {
		return trading.Request{}, err
	}
	return s.Trading.CreateSell(ctx, org, trading.NewSell{
		CustomerID: b.CustomerId, Currency: investing.Currency(b.Currency), AssetID: b.AssetId,
		Amount: b.SellAmount, Percentage: b.SellPercentage, IsRecurring: b.IsRecurring != nil && *b.IsRecurring,
		Schedule: convertPtr[api.RequestSchedule, trading.Schedule](b.Schedule),
	})
}

// UpdateRequest implements PUT /v1/requests: cancellation.
func (s *Server) UpdateRequest(ctx context.Context, req api.UpdateRequestRequestObject) (api.UpdateRequestResponseObject, error) {
	org, err := orgFrom(ctx)
	if err != nil {
		return nil, err
	}
	if req.Body.RequestId == nil {
		e := errcode.New(errcode.Invalid, `requestId is required: name the request to cancel, as in {"requestId": 654321, "shouldCancelRequest": true}`)
		e.Fields = []errcode.FieldError{{Field: "requestId", In: "body", Message: `value is required but missing: send {"requestId": <the request's id>, "shouldCancelRequest": true}`}}
		return nil, e
	}
	if !req.Body.ShouldCancelRequest {
		return nil, errcode.New(errcode.Unprocessable, "shouldCancelRequest is false: cancellation is the only change a request takes; send shouldCancelRequest: true to cancel it")
	}
	r, err := s.Trading.Cancel(ctx, org, *req.Body.RequestId)
	if err != nil {
		return nil, err
	}
	return api.UpdateRequest200JSONResponse{Body: api.InvestmentRequestResponse{Code: 200, Message: msgOK, Data: apiRequest(r)}}, nil
}

// ListRequests implements GET /v1/requests.
func (s *Server) ListRequests(ctx context.Context, req api.ListRequestsRequestObject) (api.ListRequestsResponseObject, error) {
	org, err := orgFrom(ctx)
	if err != nil {
		return nil, err
	}
	p := pageRequest(req.Params.Page, req.Params.Limit, req.Params.Sort)
	page, err := s.Trading.Requests(ctx, org, trading.RequestFilter{
		CustomerID: req.Params.CustomerId,
		Status:     convertPtr[api.RequestStatus, trading.RequestStatus](req.Params.Status),
		Type:       convertPtr[api.RequestType, trading.RequestType](req.Params.RequestType),
	}, p)
	if err != nil {
		return nil, err
	}
	return api.ListRequests200JSONResponse{
		Code: 200, Message: msgOK, Data: mapSlice(page.Items, apiRequest), Meta: meta(p, len(page.Items), page.Total),
	}, nil
}

// GetRequest implements GET /v1/requests/{requestId}.
func (s *Server) GetRequest(ctx context.Context, req api.GetRequestRequestObject) (api.GetRequestResponseObject, error) {
	org, err := orgFrom(ctx)
	if err != nil {
		return nil, err
	}
	r, err := s.Trading.Request(ctx, org, req.RequestId)
	if err != nil {
		return nil, err
	}
	return api.GetRequest200JSONResponse{Code: 200, Message: msgOK, Data: apiRequest(r)}, nil
}
