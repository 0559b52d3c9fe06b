// Package investing is the domain of the Pipevest-compatible investing
// surface: customers, accounts, portfolios and investment types, with the
// rules that tie them together (creation side effects, status cascades, one
// account per investment type per customer).
//
// It imports neither the generated API code, nor Echo, nor GORM: it declares
// the Repository it needs and returns *errcode.Error values.
package investing

import (
	"time"

	"github.com/shopspring/decimal"
)

// InvestmentType is the bucket of products an account trades.
type InvestmentType string

// The investment types.
const (
	InternationalStocks InvestmentType = "INTERNATIONAL_STOCKS"
	Commodity           InvestmentType = "COMMODITY"
	Bonds               InvestmentType = "BONDS"
	LocalStocks         InvestmentType = "LOCAL_STOCKS"
	ForeignExchange     InvestmentType = "FOREIGN_EXCHANGE"
	Crypto              InvestmentType = "CRYPTO"
)

// InvestmentTypes lists every investment type, in id order.
var InvestmentTypes = []InvestmentType{InternationalStocks, Commodity, Bonds, LocalStocks, ForeignExchange, Crypto}

// Valid reports whether t is a known investment type.
func (t InvestmentType) Valid() bool {
	for _, v := range InvestmentTypes {
		if t == v {
			return true
		}
	}
	return false
}

// Status is the lifecycle status shared by customers, accounts and portfolios.
type Status string

// The statuses.
const (
	Active    Status = "ACTIVE"
	Suspended Status = "SUSPENDED"
	Closed    Status = "CLOSED"
)

// Statuses is every status (the investing_status domain allows these and
// no other; the maintained customer totals sum over them).
var Statuses = []Status{Active, Suspended, Closed}

// Currency is an ISO 4217 code.
type Currency string

// The supported currencies.
const (
	USD Currency = "USD"
	EUR Currency = "EUR"
	ZMW Currency = "ZMW"
	// ZK is the kwacha as the investing vendor's endpoint pages write it:
	// the same currency as ZMW, kept as written so that a resource answers
	// with the spelling it was created with.
	ZK Currency = "ZK"
)

// ISO is c's ISO 4217 code: ZMW for ZK, c itself otherwise.
func (c Currency) ISO() Currency {
	if c == ZK {
		return ZMW
	}
	return c
}

// DefaultCurrency is the currency of the accounts created with a customer.
const DefaultCurrency = USD

// Org is what the domain needs to know of the calling organization.
type Org struct {
	ID              int64
	InvestmentTypes []InvestmentType // the types its customers may have accounts in
	Defaults        []InvestmentType // the types every new customer gets an account in
	Sandbox         bool             // a sandbox organization: simulation controls apply
}

// Offers reports whether the organization may use investment type t.
func (o Org) Offers(t InvestmentType) bool {
	for _, v := range o.InvestmentTypes {
		if v == t {
			return true
		}
	}
	return false
}

// Customer is an investor of an organization.
type Customer struct {
	ID             int64
	OrganizationID int64
	FirstName      string
	LastName       string
	ReferenceID    *string
	Status         Status
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// Account holds one investment type for a customer.
type Account struct {
	ID             int64
	OrganizationID int64
	CustomerID     int64
	InvestmentType InvestmentType
	Currency       Currency
	Status         Status
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// Portfolio aggregates a customer's assets. AccountID and InvestmentType are
// set on portfolios that an account created.
type Portfolio struct {
	ID               int64
	OrganizationID   int64
	CustomerID       int64
	AccountID        *int64
	InvestmentType   *InvestmentType
	Currency         Currency
	Status           Status
	InvestmentAmount decimal.Decimal
	MarketValue      decimal.Decimal
	Performance      decimal.Decimal
	CreatedAt        time.Time
	UpdatedAt        time.Time
}

// Investment is an investment type as the API shows it.
type Investment struct {
	ID          int64
	Type        InvestmentType
	Description string
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// PageRequest asks for one page of a list sorted by creation time (ties by id).
type PageRequest struct {
	Page  int // from 0
	Limit int // 1..1000
	Desc  bool
}

// Offset is the number of items before the page.
func (p PageRequest) Offset() int { return p.Page * p.Limit }

// Page is one page of a list and the number of items on all pages.
type Page[T any] struct {
	Items []T
	Total int64
}
