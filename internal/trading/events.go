package trading

import "github.com/openvest/openvest/internal/event"

// The events of requests, their executions, holdings and sandbox prices.
// Each is emitted in the transaction of its change (see
// Service.WithEvents); a fill also emits investing.PortfolioUpdated for
// the portfolio it revalues.
type (
	// RequestCreated: a purchase or sale request was placed.
	RequestCreated struct{ Request Request }
	// RequestUpdated: a request was executed, completed, failed or
	// cancelled.
	RequestUpdated struct{ Request Request }
	// TransactionCreated: an execution of a request was booked.
	TransactionCreated struct{ Transaction Transaction }
	// AssetCreated: a fill opened a holding.
	AssetCreated struct{ Asset Asset }
	// AssetUpdated: a fill or a sandbox change moved a holding.
	AssetUpdated struct{ Asset Asset }
	// InstrumentUpdated: a sandbox organization set or cleared an
	// instrument's price.
	InstrumentUpdated struct{ Instrument Quote }
)

// EventName implements event.Event: the name on the wire (DOMAIN.ACTION).
func (RequestCreated) EventName() string     { return "REQUEST.CREATED" }
func (RequestUpdated) EventName() string     { return "REQUEST.UPDATED" }
func (TransactionCreated) EventName() string { return "TRANSACTION.CREATED" }
func (AssetCreated) EventName() string       { return "ASSET.CREATED" }
func (AssetUpdated) EventName() string       { return "ASSET.UPDATED" }
func (InstrumentUpdated) EventName() string  { return "INSTRUMENT.UPDATED" }

// assetChanged is the event of a holding a fill wrote: AssetCreated when
// the fill opened it, else AssetUpdated.
func assetChanged(a Asset, created bool) event.Event {
	if created {
		return AssetCreated{a}
	}
	return AssetUpdated{a}
}
