package httpapi

import (
	"context"

	"github.com/openvest/openvest/gen/api"
	"github.com/openvest/openvest/internal/banking"
	"github.com/openvest/openvest/internal/patch"
)

// DecideBankingApplication implements POST /sandbox/applications/{id}/decision.
func (s *Server) DecideBankingApplication(ctx context.Context, req api.DecideBankingApplicationRequestObject) (api.DecideBankingApplicationResponseObject, error) {
	org, err := bankingOrgFrom(ctx)
	if err != nil {
		return nil, err
	}
	var reason string
	patch.Set(&reason, req.Body.Reason)
	a, err := s.Banking.DecideApplication(ctx, org, req.Id, banking.ApplicationStatus(req.Body.Decision), reason)
	if err != nil {
		return nil, err
	}
	return api.DecideBankingApplication200JSONResponse{Body: apiApplication(a)}, nil
}

// SetBankingCustomerStatus implements POST /sandbox/customers/{id}/status.
func (s *Server) SetBankingCustomerStatus(ctx context.Context, req api.SetBankingCustomerStatusRequestObject) (api.SetBankingCustomerStatusResponseObject, error) {
	org, err := bankingOrgFrom(ctx)
	if err != nil {
		return nil, err
	}
	c, err := s.Banking.SetCustomerStatus(ctx, org, req.Id, banking.CustomerStatus(req.Body.Status))
	if err != nil {
		return nil, err
	}
	return api.SetBankingCustomerStatus200JSONResponse{Body: apiBankingCustomer(c)}, nil
}
