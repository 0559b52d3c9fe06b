package httpapi

import (
	"context"
	"time"

	"github.com/openvest/openvest/gen/api"
	"github.com/openvest/openvest/internal/trading"
)

// GetSandboxClock implements GET /v1/sandbox/clock.
func (s *Server) GetSandboxClock(ctx context.Context, _ api.GetSandboxClockRequestObject) (api.GetSandboxClockResponseObject, error) {
	org, err := orgFrom(ctx)
	if err != nil {
		return nil, err
	}
	c, err := s.Trading.Clock(ctx, org)
	if err != nil {
		return nil, err
	}
	return api.GetSandboxClock200JSONResponse{Code: 200, Message: msgOK, Data: apiClock(c)}, nil
}

// AdvanceSandboxClock implements POST /v1/sandbox/clock/advance.
func (s *Server) AdvanceSandboxClock(ctx context.Context, req api.AdvanceSandboxClockRequestObject) (api.AdvanceSandboxClockResponseObject, error) {
	org, err := orgFrom(ctx)
	if err != nil {
		return nil, err
	}
	var d time.Duration
	if req.Body.Days != nil {
		d += time.Duration(*req.Body.Days) * 24 * time.Hour
	}
	if req.Body.Seconds != nil {
		d += time.Duration(*req.Body.Seconds) * time.Second
	}
	c, err := s.Trading.AdvanceClock(ctx, org, d)
	if err != nil {
		return nil, err
	}
	return api.AdvanceSandboxClock200JSONResponse{Body: api.SandboxClockResponse{Code: 200, Message: msgOK, Data: apiClock(c)}}, nil
}

// SetSandboxPrice implements PUT /v1/sandbox/instruments/{symbol}/price.
func (s *Server) SetSandboxPrice(ctx context.Context, req api.SetSandboxPriceRequestObject) (api.SetSandboxPriceResponseObject, error) {
	org, err := orgFrom(ctx)
	if err != nil {
		return nil, err
	}
	q, err := s.Trading.SetPrice(ctx, org, req.Symbol, req.Body.Price)
	if err != nil {
		return nil, err
	}
	return api.SetSandboxPrice200JSONResponse{Body: api.InstrumentResponse{Code: 200, Message: msgOK, Data: apiInstrument(q)}}, nil
}

// ClearSandboxPrice implements DELETE /v1/sandbox/instruments/{symbol}/price.
func (s *Server) ClearSandboxPrice(ctx context.Context, req api.ClearSandboxPriceRequestObject) (api.ClearSandboxPriceResponseObject, error) {
	org, err := orgFrom(ctx)
	if err != nil {
		return nil, err
	}
	if err := s.Trading.ClearPrice(ctx, org, req.Symbol); err != nil {
		return nil, err
	}
	return api.ClearSandboxPrice204Response{}, nil
}

// ForceRequestOutcome implements POST /v1/sandbox/requests/{requestId}/outcome.
func (s *Server) ForceRequestOutcome(ctx context.Context, req api.ForceRequestOutcomeRequestObject) (api.ForceRequestOutcomeResponseObject, error) {
	org, err := orgFrom(ctx)
	if err != nil {
		return nil, err
	}
	reason := ""
	if req.Body.ErrorReason != nil {
		reason = *req.Body.ErrorReason
	}
	r, err := s.Trading.ForceOutcome(ctx, org, req.RequestId, trading.RequestStatus(req.Body.Status), reason)
	if err != nil {
		return nil, err
	}
	return api.ForceRequestOutcome200JSONResponse{Body: api.InvestmentRequestResponse{Code: 200, Message: msgOK, Data: apiRequest(r)}}, nil
}
