package httpapi

import (
	"context"
	"fmt"

	"github.com/openvest/openvest/internal/auth"
	"github.com/openvest/openvest/internal/banking"
	"github.com/openvest/openvest/internal/investing"
	"github.com/openvest/openvest/internal/reports"
	"github.com/openvest/openvest/internal/trading"
	"github.com/openvest/openvest/internal/wallet"
	"github.com/openvest/openvest/internal/webhook"
)

// Events implements investing.Events: it renders each changed domain value
// as the API returns it and hands it to the webhook engine, in the
// transaction of the change.
type Events struct{ Webhooks *webhook.Service }

var (
	_ investing.Events = Events{}
	_ auth.Events      = Events{}
	_ wallet.Events    = Events{}
	_ banking.Events   = Events{}
)

// EmitWallet implements wallet.Events (WALLET_CUSTOMER.*, WALLET_ACCOUNT.*).
func (e Events) EmitWallet(ctx context.Context, orgID int64, changes ...wallet.Change) error {
	out := make([]investing.Change, len(changes))
	for i, c := range changes {
		out[i] = investing.Change{Event: c.Event, Resource: c.Resource}
	}
	return e.Emit(ctx, orgID, out...)
}

// EmitBanking implements banking.Events (BANKING_APPLICATION.*,
// BANKING_CUSTOMER.*, BANKING_INDIVIDUAL.*).
func (e Events) EmitBanking(ctx context.Context, orgID int64, changes ...banking.Change) error {
	out := make([]investing.Change, len(changes))
	for i, c := range changes {
		out[i] = investing.Change{Event: c.Event, Resource: c.Resource}
	}
	return e.Emit(ctx, orgID, out...)
}

// EmitToken implements auth.Events (AUTH.CREATED, AUTH.DELETED).
func (e Events) EmitToken(ctx context.Context, event string, c auth.TokenChange) error {
	return e.Emit(ctx, c.Org.ID, investing.Change{Event: event, Resource: c})
}

// Emit implements investing.Events: one call records all the changes' events.
func (e Events) Emit(ctx context.Context, orgID int64, changes ...investing.Change) error {
	if len(changes) == 0 {
		return nil
	}
	out := make([]webhook.Emission, len(changes))
	for i, c := range changes {
		v, err := Present(c.Resource)
		if err != nil {
			return err
		}
		out[i] = webhook.Emission{Event: c.Event, Resource: v}
	}
	return e.Webhooks.EmitAll(ctx, orgID, out...)
}

// Present is a domain value as the API returns it: the data of its events.
func Present(resource any) (any, error) {
	var v any
	switch r := resource.(type) {
	case investing.Customer:
		v = apiCustomer(r)
	case investing.Account:
		v = apiAccount(r)
	case investing.Portfolio:
		v = apiPortfolio(r)
	case trading.Request:
		v = apiRequest(r)
	case trading.Asset:
		v = apiAsset(r)
	case trading.Transaction:
		v = apiTransaction(r)
	case trading.Quote:
		v = apiInstrument(r)
	case auth.TokenChange:
		v = apiAuthEvent(r)
	case webhook.Webhook:
		v = apiWebhook(r)
	case reports.Report:
		v = apiReport(r)
	case wallet.Customer:
		v = apiWalletCustomer(r)
	case wallet.Account:
		v = apiWalletAccount(r)
	case banking.Application:
		v = apiApplication(r)
	case banking.CustomerDetail:
		v = apiBankingCustomer(r)
	case banking.Individual:
		v = apiIndividual(r)
	default:
		return nil, fmt.Errorf("events: no API representation for %T", resource)
	}
	return v, nil
}
