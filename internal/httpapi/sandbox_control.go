package httpapi

import (
	"context"
	"fmt"
	"time"

	"github.com/openvest/openvest/gen/api"
	"github.com/openvest/openvest/internal/auth"
	"github.com/openvest/openvest/internal/demo"
	"github.com/openvest/openvest/internal/errcode"
	"github.com/openvest/openvest/internal/sandbox"
)

// sandboxOrg is the calling organization when it is a sandbox one;
// NotFound otherwise (the controls do not exist for production).
func sandboxOrg(ctx context.Context) (auth.Organization, error) {
	p, ok := principalFrom(ctx)
	if !ok {
		return auth.Organization{}, errcode.New(errcode.Unauthenticated, "not authenticated")
	}
	if !p.Org.Sandbox {
		return auth.Organization{}, errcode.New(errcode.NotFound, "not found: the sandbox controls exist for sandbox organizations only")
	}
	return p.Org, nil
}

func opt[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

func fieldError(field, msg string) error {
	e := errcode.New(errcode.Invalid, "%s: %s", field, msg)
	e.Fields = []errcode.FieldError{{Field: field, In: "body", Message: msg}}
	return e
}

// ResetSandbox implements POST /v1/sandbox/reset.
func (s *Server) ResetSandbox(ctx context.Context, req api.ResetSandboxRequestObject) (api.ResetSandboxResponseObject, error) {
	org, err := sandboxOrg(ctx)
	if err != nil {
		return nil, err
	}
	reseed := req.Body != nil && req.Body.ReseedDemo != nil && *req.Body.ReseedDemo
	var fill func(ctx context.Context) error
	if reseed {
		fill = func(ctx context.Context) error {
			_, err := demo.Fill(ctx, demo.Services{Investing: s.Investing, Trading: s.Trading, Wallet: s.Wallet, Banking: s.Banking}, org)
			return err
		}
	}
	deleted, err := s.Sandbox.Reset(ctx, org.ID, fill)
	if err != nil {
		return nil, err
	}
	return api.ResetSandbox200JSONResponse{Body: api.SandboxResetResponse{Code: 200, Message: msgOK, Data: api.SandboxResetResult{Deleted: deleted, ReseededDemo: reseed}}}, nil
}

// CreateSandboxFault implements POST /v1/sandbox/faults.
func (s *Server) CreateSandboxFault(ctx context.Context, req api.CreateSandboxFaultRequestObject) (api.CreateSandboxFaultResponseObject, error) {
	org, err := sandboxOrg(ctx)
	if err != nil {
		return nil, err
	}
	b := req.Body
	in := sandbox.NewRule{Rule: sandbox.Rule{
		Target: sandbox.Target(opt(b.Target)), OperationID: opt(b.OperationId), Path: opt(b.Path),
		Event: opt(b.Event), WebhookID: b.WebhookId, Action: sandbox.Action(b.Action),
		Status: opt(b.Status), Message: opt(b.Message), Times: b.Times,
	}}
	if in.Target == "" {
		in.Target = sandbox.Request
	}
	if b.Method != nil {
		in.Method = string(*b.Method)
	}
	if b.LatencyMs != nil {
		in.Latency = time.Duration(*b.LatencyMs) * time.Millisecond
	}
	if b.Probability != nil {
		in.ProbabilityPPM = int(float64(*b.Probability)*1_000_000 + 0.5)
		if in.ProbabilityPPM < 1 {
			return nil, fieldError("probability", "must be at least 0.000001")
		}
	}
	if b.ExpiresAt != nil {
		in.ExpiresAt = time.Unix(*b.ExpiresAt, 0).UTC()
	}
	if b.TtlSeconds != nil {
		in.TTL = time.Duration(*b.TtlSeconds) * time.Second
	}
	if err := s.operations().check(&in.Rule); err != nil {
		return nil, err
	}
	if in.WebhookID != nil && in.Target == sandbox.Webhook {
		if _, _, err := s.Webhooks.WebhookKey(ctx, org.ID, in.WebhookID); errcode.Is(err, errcode.NotFound) {
			return nil, fieldError("webhookId", fmt.Sprintf("the organization has no webhook %d", *in.WebhookID))
		} else if err != nil {
			return nil, fmt.Errorf("find webhook %d for a fault rule: %w", *in.WebhookID, err)
		}
	}
	r, err := s.Sandbox.CreateFault(ctx, org.ID, in)
	if err != nil {
		return nil, err
	}
	return api.CreateSandboxFault201JSONResponse{Body: api.SandboxFaultResponse{Code: 201, Message: msgCreated, Data: apiSandboxFault(r)}}, nil
}

// ListSandboxFaults implements GET /v1/sandbox/faults.
func (s *Server) ListSandboxFaults(ctx context.Context, _ api.ListSandboxFaultsRequestObject) (api.ListSandboxFaultsResponseObject, error) {
	org, err := sandboxOrg(ctx)
	if err != nil {
		return nil, err
	}
	rules, err := s.Sandbox.Faults(ctx, org.ID)
	if err != nil {
		return nil, err
	}
	return api.ListSandboxFaults200JSONResponse{Code: 200, Message: msgOK, Data: mapSlice(rules, apiSandboxFault)}, nil
}

// DeleteSandboxFault implements DELETE /v1/sandbox/faults/{faultId}.
func (s *Server) DeleteSandboxFault(ctx context.Context, req api.DeleteSandboxFaultRequestObject) (api.DeleteSandboxFaultResponseObject, error) {
	org, err := sandboxOrg(ctx)
	if err != nil {
		return nil, err
	}
	if err := s.Sandbox.DeleteFault(ctx, org.ID, req.FaultId); err != nil {
		return nil, err
	}
	return api.DeleteSandboxFault204Response{}, nil
}

func apiSandboxFault(r sandbox.Rule) api.SandboxFault {
	opt := func(s string) *string {
		if s == "" {
			return nil
		}
		return &s
	}
	optInt := func(n int) *int {
		if n == 0 {
			return nil
		}
		return &n
	}
	out := api.SandboxFault{
		FaultId: r.ID, Target: api.SandboxFaultTarget(r.Target), Action: api.SandboxFaultAction(r.Action),
		OperationId: opt(r.OperationID), Path: opt(r.Path), Event: opt(r.Event), WebhookId: r.WebhookID,
		Status: optInt(r.Status), Message: opt(r.Message), LatencyMs: optInt(int(r.Latency / time.Millisecond)),
		Times: r.Times, Remaining: r.Remaining,
		ExpiresAt: r.ExpiresAt.Unix(), CreatedAt: r.CreatedAt.Unix(),
	}
	if r.Method != "" {
		m := api.SandboxFaultMethod(r.Method)
		out.Method = &m
	}
	if r.ProbabilityPPM > 0 {
		p := float32(r.ProbabilityPPM) / 1_000_000
		out.Probability = &p
	}
	return out
}
