// Package banking is the domain of the banking surface: applications that
// onboard customers, the customers they create (individuals and
// corporations, with the people behind a corporation), their default
// accounts, and the customer status machine.
//
// Customers exist only through applications: an application is drafted,
// completed (documents included), submitted and decided; approval creates
// the customer, its individuals and a default USD account in one
// transaction.
//
// It imports neither the generated API code, nor Echo, nor GORM: it declares
// the Repository it needs and returns *errcode.Error values.
package banking

import (
	"crypto/rand"
	"strings"
	"time"

	"github.com/openvest/openvest/internal/patch"
	"github.com/shopspring/decimal"
)

// Org is what the domain needs to know of the calling organization.
type Org struct {
	ID      int64
	Sandbox bool // sandbox organizations get the magic values and the sandbox controls
}

// CustomerType says whether a customer (or an application) is a person or a company.
type CustomerType string

// The customer types.
const (
	TypeIndividual  CustomerType = "INDIVIDUAL"
	TypeCorporation CustomerType = "CORPORATION"
)

// Role is what an individual is to a corporate customer.
type Role string

// The roles.
const (
	// BeneficialOwner owns more than 25% of the corporation.
	BeneficialOwner Role = "BENEFICIAL_OWNER"
	// ControllingPerson controls the corporation (a director or officer).
	ControllingPerson Role = "CONTROLLING_PERSON"
)

// BeneficialOwnership is the share above which an owner is a beneficial owner, in percent.
var BeneficialOwnership = decimal.NewFromInt(25)

// AccountStatus is the status of an account.
type AccountStatus string

// The account statuses.
const (
	AccountActive AccountStatus = "ACTIVE"
	AccountClosed AccountStatus = "CLOSED"
)

// DefaultCurrency is the currency of the account an approval opens.
const DefaultCurrency = "USD"

// Address is a postal address. Line2 and State are optional.
type Address struct {
	Line1      string
	Line2      string
	City       string
	State      string
	PostalCode string
	Country    string // ISO 3166-1 alpha-2
}

// AddressPatch changes some fields of an address: nil fields stay as they are.
type AddressPatch struct {
	Line1, Line2, City, State, PostalCode, Country *string
}

// Merge returns a with the fields of p that are set.
func (a Address) Merge(p AddressPatch) Address {
	patch.Set(&a.Line1, p.Line1)
	patch.Set(&a.Line2, p.Line2)
	patch.Set(&a.City, p.City)
	patch.Set(&a.State, p.State)
	patch.Set(&a.PostalCode, p.PostalCode)
	patch.Set(&a.Country, p.Country)
	return a
}

// missing lists the required fields of a that are empty, as prefix.field.
func (a Address) missing(prefix string) []string {
	var out []string
	for _, f := range []struct{ name, value string }{
		{"line1", a.Line1}, {"city", a.City}, {"postal_code", a.PostalCode}, {"country", a.Country},
	} {
		if strings.TrimSpace(f.value) == "" {
			out = append(out, prefix+"."+f.name)
		}
	}
	return out
}

// Customer is a customer of an organization's bank: a person (FirstName,
// LastName, DateOfBirth) or a corporation (LegalName, RegistrationNumber).
type Customer struct {
	ID                 string // cust_…
	OrganizationID     int64
	ApplicationID      string // the application that created it
	Type               CustomerType
	Status             CustomerStatus
	Email              string
	Phone              string // optional for corporations
	Address            Address
	FirstName          string    // INDIVIDUAL
	LastName           string    // INDIVIDUAL
	DateOfBirth        time.Time // INDIVIDUAL: a date (midnight UTC)
	LegalName          string    // CORPORATION
	RegistrationNumber string    // CORPORATION
	// LastActivityAt is the last change made for the customer through the
	// API; the dormancy sweep compares it with the inactivity period.
	LastActivityAt time.Time
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// Individual is a person of a corporate customer.
type Individual struct {
	ID                  string // ind_…
	OrganizationID      int64
	CustomerID          string
	Position            int // order within the customer, as the application listed them
	Role                Role
	FirstName           string
	LastName            string
	DateOfBirth         time.Time
	Email               string // optional
	Phone               string // optional
	Address             Address
	OwnershipPercentage *decimal.Decimal // required for beneficial owners
	CreatedAt           time.Time
	UpdatedAt           time.Time
}

// Account is a customer's account.
type Account struct {
	ID             string // acc_…
	OrganizationID int64
	CustomerID     string
	Currency       string
	Status         AccountStatus
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// CustomerDetail is a customer with its individuals (corporations) and accounts.
type CustomerDetail struct {
	Customer
	Individuals []Individual
	Accounts    []Account
}

// CustomerFilter narrows a customer list.
type CustomerFilter struct {
	Type   *CustomerType
	Status *CustomerStatus
}

// ApplicationFilter narrows an application list.
type ApplicationFilter struct {
	Status *ApplicationStatus
}

// The ID prefixes.
const (
	prefixCustomer    = "cust_"
	prefixIndividual  = "ind_"
	prefixAccount     = "acc_"
	prefixApplication = "app_"
	prefixDocument    = "doc_"
)

// newID returns prefix followed by 128 random bits in lower-case base32.
func newID(prefix string) string { return prefix + strings.ToLower(rand.Text()) }
