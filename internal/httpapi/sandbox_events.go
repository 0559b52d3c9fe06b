package httpapi

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/google/uuid"
	"github.com/openvest/openvest/gen/api"
	"github.com/openvest/openvest/internal/banking"
	"github.com/openvest/openvest/internal/errcode"
	"github.com/openvest/openvest/internal/investing"
)

// FireSandboxEvent implements POST /v1/sandbox/events: the named
// resource, as its surface returns it now, is emitted as the event
// through the webhook engine (signed, retried, logged like any other).
func (s *Server) FireSandboxEvent(ctx context.Context, req api.FireSandboxEventRequestObject) (api.FireSandboxEventResponseObject, error) {
	org, err := orgFrom(ctx)
	if err != nil {
		return nil, err
	}
	if !org.Sandbox {
		return nil, errcode.New(errcode.NotFound, "not found: the sandbox controls exist for sandbox organizations only")
	}
	name := string(req.Body.Event)
	domain, _, _ := strings.Cut(name, ".")
	v, err := s.eventResource(ctx, org, domain, req.Body.ResourceId)
	if err != nil {
		return nil, err
	}
	e, err := s.Webhooks.Fire(ctx, org.ID, name, v)
	if err != nil {
		return nil, fmt.Errorf("fire %s for %s: %w", name, req.Body.ResourceId, err)
	}
	payload, err := e.Payload()
	if err != nil {
		return nil, err
	}
	var out api.WebhookEvent
	if err := json.Unmarshal(payload, &out); err != nil {
		return nil, err
	}
	return api.FireSandboxEvent202JSONResponse{Body: api.SandboxEventResponse{Code: 202, Message: "Accepted", Data: out}}, nil
}

// eventResource reads the resource an event of domain is about, as its
// surface returns it: the organization's own, or NotFound. Invalid
// (resourceId): not an id of that kind.
func (s *Server) eventResource(ctx context.Context, org investing.Org, domain, id string) (any, error) {
	number := func() (int64, error) {
		n, err := strconv.ParseInt(id, 10, 64)
		if err != nil || n <= 0 {
			return 0, badResourceID(domain, "a positive integer id (digits)")
		}
		return n, nil
	}
	guid := func() (uuid.UUID, error) {
		g, err := uuid.Parse(id)
		if err != nil {
			return uuid.UUID{}, badResourceID(domain, "a guid (UUID)")
		}
		return g, nil
	}
	borg := banking.Org{ID: org.ID, Sandbox: org.Sandbox}
	switch domain {
	case "INSTRUMENT":
		return as(apiInstrument)(s.Trading.Instrument(ctx, org, id))
	case "WALLET_CUSTOMER":
		g, err := guid()
		if err != nil {
			return nil, err
		}
		return as(apiWalletCustomer)(s.Wallet.FindCustomer(ctx, org.ID, g))
	case "WALLET_ACCOUNT":
		g, err := guid()
		if err != nil {
			return nil, err
		}
		return as(apiWalletAccount)(s.Wallet.FindAccount(ctx, org.ID, g))
	case "BANKING_APPLICATION":
		return as(apiApplication)(s.Banking.Application(ctx, borg, id))
	case "BANKING_CUSTOMER":
		return as(apiBankingCustomer)(s.Banking.Customer(ctx, borg, id))
	case "BANKING_INDIVIDUAL":
		return as(apiIndividual)(s.Banking.FindIndividual(ctx, borg, id))
	}
	n, err := number()
	if err != nil {
		return nil, err
	}
	switch domain {
	case "CUSTOMER":
		return as(apiCustomer)(s.Investing.Customer(ctx, org, n))
	case "ACCOUNT":
		return as(apiAccount)(s.Investing.Account(ctx, org, n))
	case "PORTFOLIO":
		return as(apiPortfolio)(s.Investing.Portfolio(ctx, org, n))
	case "REQUEST":
		return as(apiRequest)(s.Trading.Request(ctx, org, n))
	case "ASSET":
		return as(apiAsset)(s.Trading.Asset(ctx, org, n))
	case "TRANSACTION":
		return as(apiTransaction)(s.Trading.Transaction(ctx, org, n))
	case "REPORT":
		return as(apiReport)(s.Reports.Report(ctx, org, n, false))
	case "WEBHOOK":
		w, _, err := s.Webhooks.WebhookKey(ctx, org.ID, &n)
		return as(apiWebhook)(w, err)
	}
	return nil, errcode.New(errcode.Invalid, "events of %s cannot be fired", domain)
}

// as renders a resource read with convert, passing its error on.
func as[T, R any](convert func(T) R) func(T, error) (any, error) {
	return func(v T, err error) (any, error) {
		if err != nil {
			return nil, err
		}
		return convert(v), nil
	}
}

func badResourceID(domain, want string) error {
	e := errcode.New(errcode.Invalid, "resourceId: an event of %s names its resource by %s", domain, want)
	e.Fields = []errcode.FieldError{{Field: "resourceId", In: "body", Message: "must be " + want + " for an event of " + domain}}
	return e
}
