package httpapi

import (
	"fmt"
	"reflect"

	"github.com/openvest/openvest/gen/api"
	"github.com/openvest/openvest/internal/auth"
	"github.com/openvest/openvest/internal/banking"
	"github.com/openvest/openvest/internal/event"
	"github.com/openvest/openvest/internal/investing"
	"github.com/openvest/openvest/internal/reports"
	"github.com/openvest/openvest/internal/trading"
	"github.com/openvest/openvest/internal/wallet"
	"github.com/openvest/openvest/internal/webhook"
)

// eventData renders the data of each event type: the changed value as the
// API returns it (the payload schemas of the spec's WebhookEvent union).
// Adding an event type is its declaration in its domain package, its
// schema in the spec and one line here; a test fails when any of the three
// is missing.
var eventData = renderers(
	// investing
	render(func(e investing.CustomerCreated) any { return apiCustomer(e.Customer) }),
	render(func(e investing.CustomerUpdated) any { return apiCustomer(e.Customer) }),
	render(func(e investing.AccountCreated) any { return apiAccount(e.Account) }),
	render(func(e investing.AccountUpdated) any { return apiAccount(e.Account) }),
	render(func(e investing.PortfolioCreated) any { return apiPortfolio(e.Portfolio) }),
	render(func(e investing.PortfolioUpdated) any { return apiPortfolio(e.Portfolio) }),
	// trading
	render(func(e trading.RequestCreated) any { return apiRequest(e.Request) }),
	render(func(e trading.RequestUpdated) any { return apiRequest(e.Request) }),
	render(func(e trading.TransactionCreated) any { return apiTransaction(e.Transaction) }),
	render(func(e trading.AssetCreated) any { return apiAsset(e.Asset) }),
	render(func(e trading.AssetUpdated) any { return apiAsset(e.Asset) }),
	render(func(e trading.InstrumentUpdated) any { return apiInstrument(e.Instrument) }),
	// reports
	render(func(e reports.ReportCreated) any { return apiReport(e.Report) }),
	render(func(e reports.ReportUpdated) any { return apiReport(e.Report) }),
	// tokens
	render(func(e auth.TokenCreated) any { return apiAuthEvent(e.Token, e.Org) }),
	render(func(e auth.TokenDeleted) any { return apiAuthEvent(e.Token, e.Org) }),
	// webhooks
	render(func(e webhook.WebhookCreated) any { return apiWebhook(e.Webhook) }),
	render(func(e webhook.WebhookUpdated) any { return apiWebhook(e.Webhook) }),
	render(func(webhook.TestSent) any { return api.WebhookTestData{Test: api.True} }),
	// wallet
	render(func(e wallet.CustomerCreated) any { return apiWalletCustomer(e.Customer) }),
	render(func(e wallet.CustomerUpdated) any { return apiWalletCustomer(e.Customer) }),
	render(func(e wallet.AccountCreated) any { return apiWalletAccount(e.Account) }),
	// banking
	render(func(e banking.ApplicationCreated) any { return apiApplication(e.Application) }),
	render(func(e banking.ApplicationUpdated) any { return apiApplication(e.Application) }),
	render(func(e banking.ApplicationSubmitted) any { return apiApplication(e.Application) }),
	render(func(e banking.ApplicationApproved) any { return apiApplication(e.Application) }),
	render(func(e banking.ApplicationDenied) any { return apiApplication(e.Application) }),
	render(func(e banking.ApplicationManualReview) any { return apiApplication(e.Application) }),
	render(func(e banking.CustomerCreated) any { return apiBankingCustomer(e.Customer) }),
	render(func(e banking.CustomerUpdated) any { return apiBankingCustomer(e.Customer) }),
	render(func(e banking.CustomerStatusChanged) any { return apiBankingCustomer(e.Customer) }),
	render(func(e banking.IndividualUpdated) any { return apiIndividual(e.Individual) }),
)

// eventRenderer renders the data of one event type.
type eventRenderer struct {
	typ  reflect.Type
	name string
	data func(event.Event) any
}

// render is the renderer of events of type E.
func render[E event.Event](data func(E) any) eventRenderer {
	var zero E
	return eventRenderer{typ: reflect.TypeFor[E](), name: zero.EventName(), data: func(e event.Event) any { return data(e.(E)) }}
}

// renderers indexes rs by event type; a type or a name given twice is a
// programming error.
func renderers(rs ...eventRenderer) map[reflect.Type]eventRenderer {
	out := make(map[reflect.Type]eventRenderer, len(rs))
	names := make(map[string]reflect.Type, len(rs))
	for _, r := range rs {
		if _, dup := out[r.typ]; dup {
			panic(fmt.Sprintf("httpapi: two renderers for %v", r.typ))
		}
		if other, dup := names[r.name]; dup {
			panic(fmt.Sprintf("httpapi: %v and %v are both %s", other, r.typ, r.name))
		}
		out[r.typ], names[r.name] = r, r.typ
	}
	return out
}

// renderEvent is the data of e as the API returns it.
func renderEvent(e event.Event) (any, error) {
	r, ok := eventData[reflect.TypeOf(e)]
	if !ok {
		return nil, fmt.Errorf("render event %s: no renderer for %T (add it to eventData)", e.EventName(), e)
	}
	return r.data(e), nil
}
