// Package market is the market data the investing requests execute
// against: the instruments that can be traded, their prices and the
// exchange rates between the supported currencies and the dollar.
//
// Feed is the interface a real price feed implements; Sandbox is the
// built-in one: a fixed catalog of real US stocks and ETFs whose prices
// follow a deterministic daily walk around a reference price, so that the
// same instant always has the same price on every machine.
//
// Prices are in US dollars. Every number is a decimal.Decimal: nothing here
// passes through binary floating point.
package market

import (
	"context"
	"errors"
	"time"

	"github.com/shopspring/decimal"
)

// InvestmentType is the investment type of an instrument (the investing
// surface's INTERNATIONAL_STOCKS, …).
type InvestmentType string

// InternationalStocks is the investment type of every sandbox instrument.
const InternationalStocks InvestmentType = "INTERNATIONAL_STOCKS"

// Instrument is something that can be bought and sold.
type Instrument struct {
	// ID is stable: it never changes and is never reused for another symbol.
	ID             int64
	Symbol         string
	Name           string
	InvestmentType InvestmentType
	// FractionalEnabled instruments can be bought in fractions of a share
	// (to 8 decimal places); the others in whole shares only.
	FractionalEnabled bool
	// IsAvailable instruments can be traded now.
	IsAvailable bool
	// MinimumAmount is the smallest purchase, in US dollars.
	MinimumAmount decimal.Decimal
}

// Currency is an ISO 4217 code.
type Currency string

// USD is the currency prices are quoted in.
const USD Currency = "USD"

// ErrUnknown is wrapped by the errors for an unknown symbol, id or currency.
var ErrUnknown = errors.New("unknown to the market")

// Feed is a source of instruments, prices and exchange rates. Its methods
// are safe for concurrent use.
type Feed interface {
	// Instruments lists every instrument, in id order.
	Instruments(ctx context.Context) ([]Instrument, error)
	// Instrument finds one by symbol (case-sensitive, upper case). ErrUnknown.
	Instrument(ctx context.Context, symbol string) (Instrument, error)
	// InstrumentByID finds one by id. ErrUnknown.
	InstrumentByID(ctx context.Context, id int64) (Instrument, error)
	// Price is the price of one share in US dollars at the instant at. ErrUnknown.
	Price(ctx context.Context, symbol string, at time.Time) (decimal.Decimal, error)
	// Rate is the number of US dollars one unit of currency buys at the
	// instant at (1 for USD). ErrUnknown.
	Rate(ctx context.Context, currency Currency, at time.Time) (decimal.Decimal, error)
}
