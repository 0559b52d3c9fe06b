// Package wallet is the domain of the wallet surface (counterparty-scoped,
// e-money on Stellar): counterparties of an organization, their customers
// and the customers' wallet accounts, with the rules that tie them together
// (a customer is created with its first wallet account; a login is unique
// within a counterparty; an IBAN is unique within an organization; asset
// codes, Stellar issuers and IBANs are validated for real).
//
// It imports neither the generated API code, nor Echo, nor GORM: it declares
// the Repository it needs and returns *errcode.Error values. Errors carry a
// Reason (CUSTOMER_ALREADY_EXISTS, …) that the wallet surface shows as its
// machine-readable `error` code.
package wallet

import (
	"math"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"
)

// The machine-readable reasons of the errors this package returns.
const (
	ReasonValidation            = "VALIDATION_ERROR"
	ReasonCounterpartyNotFound  = "COUNTERPARTY_NOT_FOUND"
	ReasonCustomerNotFound      = "CUSTOMER_NOT_FOUND"
	ReasonCustomerAlreadyExists = "CUSTOMER_ALREADY_EXISTS"
	ReasonIBANAlreadyExists     = "IBAN_ALREADY_EXISTS"
)

// Segment is a customer's segment.
type Segment string

// The segments: Public Liability and Professional Indemnity.
const (
	PublicLiability       Segment = "PL"
	ProfessionalIndemnity Segment = "PI"
)

const (
	// MaxKYCLevel is the highest level of verification; levels run from 0
	// (none). The source API sets no bound: this is the 32-bit column's.
	MaxKYCLevel = math.MaxInt32
	// Platform is where every wallet account lives.
	Platform = "stellar"
	// AccountType is the owner kind of every account this surface opens.
	AccountType = "customer"
	// AssetMinorUnit is the number of decimal places of an asset's balance.
	AssetMinorUnit = BalanceScale
)

// Valid reports whether s is a known segment.
func (s Segment) Valid() bool { return s == PublicLiability || s == ProfessionalIndemnity }

// Counterparty is an organization's integrating party (a bank, a branch
// network); customers belong to one.
type Counterparty struct {
	ID             int64
	GUID           uuid.UUID
	OrganizationID int64
	Name           string
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// Customer is a counterparty's customer. Optional text fields are nil when absent.
type Customer struct {
	ID               int64
	GUID             uuid.UUID
	OrganizationID   int64
	CounterpartyID   int64
	CounterpartyGUID uuid.UUID // set by the service, not stored twice

	Login        *string
	Name         *string
	Surname      *string
	PaternalName *string
	PhoneNumber  *string
	Segment      *Segment
	Status       *string
	KYCLevel     int
	IsDisabled   bool
	BranchGUID   *uuid.UUID

	BalanceAllowed     decimal.Decimal
	BalanceAssetCode   *string
	BalanceAssetIssuer *string
	AssetCode          string
	AssetIssuer        string

	CreatedAt time.Time
	UpdatedAt time.Time
}

// Account is a customer's wallet account: one Stellar asset and its balance.
type Account struct {
	ID             int64
	GUID           uuid.UUID
	OrganizationID int64
	CounterpartyID int64
	CustomerID     int64
	CustomerGUID   uuid.UUID // set by the service, not stored twice
	IBAN           *string
	AssetCode      string
	AssetIssuer    string
	Balance        decimal.Decimal
	// Status attributes; the source API documents them as not used yet.
	Activated  bool
	Registered bool
	Blocked    bool
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// Asset is one asset an account holds, as the API shows it.
type Asset struct {
	// Activated is the account's status attribute (not used yet).
	Activated     bool
	Balance       decimal.Decimal
	Code          string
	MinorUnit     int
	Name          string // the code: no other name is kept
	Platform      string
	StellarCode   string
	StellarIssuer string
}

// Assets lists the account's assets: its one Stellar asset.
func (a Account) Assets() []Asset {
	return []Asset{{
		Activated: a.Activated, Balance: a.Balance, Code: a.AssetCode, MinorUnit: AssetMinorUnit, Name: a.AssetCode,
		Platform: Platform, StellarCode: a.AssetCode, StellarIssuer: a.AssetIssuer,
	}}
}

// PageRequest asks for one page by offset and limit.
type PageRequest struct {
	Offset int
	Limit  int // 1..1000
}

// Page is one page of a list and the number of items on all pages.
type Page[T any] struct {
	Items []T
	Total int64
}
