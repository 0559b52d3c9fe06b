package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"strings"

	"github.com/openvest/openvest/gen/api"
	"github.com/openvest/openvest/internal/errcode"
	"github.com/openvest/openvest/internal/trading"
	"github.com/openvest/openvest/internal/ussd"
)

// The USSD channel under /v1/ussd: the menu-URL style (one screen per GET,
// POST /v1/ussd/requests for an order) and the session style (POST
// /v1/ussd/session, /v1/ussd/process). The screens and the state machine
// are internal/ussd's; this file translates.

func apiUssdScreen(code int32, msg string, sc ussd.Screen) api.UssdScreenResponse {
	out := api.UssdScreenResponse{Code: code, Message: msg, Data: api.UssdScreen{UssdMessage: sc.Message}}
	if len(sc.Options) > 0 {
		opts := make([]api.UssdOption, len(sc.Options))
		for i, o := range sc.Options {
			opts[i] = api.UssdOption{Option: int32(o.Option), RequestUrl: o.URL, RequestType: api.UssdOptionRequestType(o.Method)}
		}
		out.Data.UssdOptions = &opts
	}
	if sc.Confirm != nil {
		out.Data.UssdConfirm = &api.UssdLink{RequestUrl: sc.Confirm.URL, RequestType: api.UssdLinkRequestType(sc.Confirm.Method)}
	}
	return out
}

func ussdPage(p *api.UssdPage) int {
	if p == nil {
		return 1
	}
	return int(*p)
}

func screenOK(sc ussd.Screen, err error) (api.UssdScreenOKJSONResponse, error) {
	if err != nil {
		return api.UssdScreenOKJSONResponse{}, err
	}
	return api.UssdScreenOKJSONResponse(apiUssdScreen(200, msgOK, sc)), nil
}

// GetUssdHome implements GET /v1/ussd/home.
func (s *Server) GetUssdHome(ctx context.Context, req api.GetUssdHomeRequestObject) (api.GetUssdHomeResponseObject, error) {
	org, err := orgFrom(ctx)
	if err != nil {
		return nil, err
	}
	r, err := screenOK(s.USSD.HomeScreen(ctx, org, req.Params.CustomerId))
	if err != nil {
		return nil, err
	}
	return api.GetUssdHome200JSONResponse{UssdScreenOKJSONResponse: r}, nil
}

// GetUssdPortfolio implements GET /v1/ussd/portfolio.
func (s *Server) GetUssdPortfolio(ctx context.Context, req api.GetUssdPortfolioRequestObject) (api.GetUssdPortfolioResponseObject, error) {
	org, err := orgFrom(ctx)
	if err != nil {
		return nil, err
	}
	r, err := screenOK(s.USSD.PortfolioScreen(ctx, org, req.Params.CustomerId))
	if err != nil {
		return nil, err
	}
	return api.GetUssdPortfolio200JSONResponse{UssdScreenOKJSONResponse: r}, nil
}

// GetUssdAssets implements GET /v1/ussd/assets.
func (s *Server) GetUssdAssets(ctx context.Context, req api.GetUssdAssetsRequestObject) (api.GetUssdAssetsResponseObject, error) {
	org, err := orgFrom(ctx)
	if err != nil {
		return nil, err
	}
	r, err := screenOK(s.USSD.AssetsScreen(ctx, org, req.Params.CustomerId, req.Params.AssetId, ussdPage(req.Params.Page)))
	if err != nil {
		return nil, err
	}
	return api.GetUssdAssets200JSONResponse{UssdScreenOKJSONResponse: r}, nil
}

// GetUssdStocks implements GET /v1/ussd/stocks.
func (s *Server) GetUssdStocks(ctx context.Context, req api.GetUssdStocksRequestObject) (api.GetUssdStocksResponseObject, error) {
	org, err := orgFrom(ctx)
	if err != nil {
		return nil, err
	}
	p := req.Params
	in := ussd.StocksQuery{CustomerID: p.CustomerId, AssetID: p.AssetId, Page: ussdPage(p.Page), DetailMode: p.DetailMode != nil && *p.DetailMode}
	if p.Symbol != nil {
		in.Symbol = *p.Symbol
	}
	if p.Amount != nil {
		in.Amount = *p.Amount
	}
	r, err := screenOK(s.USSD.StocksScreen(ctx, org, in))
	if err != nil {
		return nil, err
	}
	return api.GetUssdStocks200JSONResponse{UssdScreenOKJSONResponse: r}, nil
}

// GetUssdTransactions implements GET /v1/ussd/transactions.
func (s *Server) GetUssdTransactions(ctx context.Context, req api.GetUssdTransactionsRequestObject) (api.GetUssdTransactionsResponseObject, error) {
	org, err := orgFrom(ctx)
	if err != nil {
		return nil, err
	}
	r, err := screenOK(s.USSD.TransactionsScreen(ctx, org, req.Params.CustomerId, req.Params.AssetId, ussdPage(req.Params.Page)))
	if err != nil {
		return nil, err
	}
	return api.GetUssdTransactions200JSONResponse{UssdScreenOKJSONResponse: r}, nil
}

// GetUssdInstruments implements GET /v1/ussd/instruments.
func (s *Server) GetUssdInstruments(ctx context.Context, req api.GetUssdInstrumentsRequestObject) (api.GetUssdInstrumentsResponseObject, error) {
	org, err := orgFrom(ctx)
	if err != nil {
		return nil, err
	}
	r, err := screenOK(s.USSD.InstrumentsScreen(ctx, org, req.Params.CustomerId, ussdPage(req.Params.Page)))
	if err != nil {
		return nil, err
	}
	return api.GetUssdInstruments200JSONResponse{UssdScreenOKJSONResponse: r}, nil
}

// CreateUssdRequest implements POST /v1/ussd/requests.
func (s *Server) CreateUssdRequest(ctx context.Context, req api.CreateUssdRequestRequestObject) (api.CreateUssdRequestResponseObject, error) {
	org, err := orgFrom(ctx)
	if err != nil {
		return nil, err
	}
	amount := ""
	if req.Body != nil {
		amount = req.Body.Amount
	}
	sc, created, err := s.USSD.OrderScreen(ctx, org, ussd.Order{
		CustomerID: req.Params.CustomerId, Type: trading.RequestType(req.Params.OrderType), Symbol: req.Params.Symbol, Amount: amount,
	})
	if err != nil {
		return nil, err
	}
	if created {
		return api.CreateUssdRequest201JSONResponse(apiUssdScreen(201, msgCreated, sc)), nil
	}
	return api.CreateUssdRequest200JSONResponse{UssdScreenOKJSONResponse: api.UssdScreenOKJSONResponse(apiUssdScreen(200, msgOK, sc))}, nil
}

func apiUssdSession(v ussd.View) api.UssdSession {
	opts := make([]api.UssdMenuOption, len(v.Menu.Options))
	for i, o := range v.Menu.Options {
		opts[i] = api.UssdMenuOption{Key: o.Key, Label: o.Label, NextState: api.UssdState(o.Next)}
		if o.Data != nil {
			d := o.Data
			opts[i].Data = &d
		}
	}
	return api.UssdSession{
		SessionId: v.Session.ID, CurrentState: api.UssdState(v.Session.State), ExpiresAt: v.Session.ExpiresAt,
		Menu:     api.UssdMenu{State: api.UssdState(v.Menu.State), Text: v.Menu.Text, Options: opts, IsEndState: v.Menu.End},
		UssdText: v.Menu.Text,
	}
}

// CreateUssdSession implements POST /v1/ussd/session.
func (s *Server) CreateUssdSession(ctx context.Context, req api.CreateUssdSessionRequestObject) (api.CreateUssdSessionResponseObject, error) {
	org, err := orgFrom(ctx)
	if err != nil {
		return nil, err
	}
	customerID := req.Params.CustomerId
	if req.Body != nil && req.Body.CustomerId != nil {
		customerID = req.Body.CustomerId
	}
	if customerID == nil {
		e := errcode.New(errcode.Invalid, `customerId is required: send {"customerId": 123456} or ?customerId=123456`)
		e.Fields = []errcode.FieldError{{Field: "customerId", In: "body", Message: "value is required but missing"}}
		return nil, e
	}
	v, err := s.USSD.Start(ctx, org, *customerID)
	if err != nil {
		return nil, err
	}
	code := int32(200)
	return api.CreateUssdSession200JSONResponse{Code: &code, Message: msgOK, Data: apiUssdSession(v)}, nil
}

// ProcessUssd implements POST /v1/ussd/process (JSON or form).
func (s *Server) ProcessUssd(ctx context.Context, req api.ProcessUssdRequestObject) (api.ProcessUssdResponseObject, error) {
	org, err := orgFrom(ctx)
	if err != nil {
		return nil, err
	}
	var id, choice string
	switch {
	case req.JSONBody != nil:
		id = req.JSONBody.SessionId
		choice, err = ussdChoice(req.JSONBody.Choice)
		if err != nil {
			return nil, err
		}
	case req.FormdataBody != nil:
		id, choice = req.FormdataBody.SessionId, req.FormdataBody.Choice
	default:
		return nil, errcode.New(errcode.Invalid, "a body {sessionId, choice} is required")
	}
	v, err := s.USSD.Process(ctx, org, id, choice)
	if errors.Is(err, ussd.ErrGone) {
		return api.ProcessUssd410JSONResponse{Code: 410, Message: err.Error()}, nil
	}
	if err != nil {
		return nil, err
	}
	return api.ProcessUssd200JSONResponse{Message: "USSD request processed successfully", Data: apiUssdSession(v)}, nil
}

// ussdChoice reads a JSON choice: a number (as the docs send it) or a string.
func ussdChoice(raw json.RawMessage) (string, error) {
	var str string
	if err := json.Unmarshal(raw, &str); err == nil {
		return str, nil
	}
	var n json.Number
	if err := json.Unmarshal(raw, &n); err == nil {
		return strings.TrimSpace(n.String()), nil
	}
	e := errcode.New(errcode.Invalid, "choice must be a number or a string, as the customer keyed it")
	e.Fields = []errcode.FieldError{{Field: "choice", In: "body", Message: "a number or a string"}}
	return "", e
}
