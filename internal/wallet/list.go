package wallet

import (
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"
)

// CustomerFilter narrows a customer list. Every set field must match (AND);
// a list field matches any of its values (OR). Empty means no condition.
type CustomerFilter struct {
	GUIDs               []uuid.UUID
	Logins              []string
	KYCLevels           []int
	IsDisabled          *bool
	MinBalanceAllowed   *decimal.Decimal // inclusive
	MaxBalanceAllowed   *decimal.Decimal // inclusive
	BalanceAssetCodes   []string
	BalanceAssetIssuers []string
	BranchGUIDs         []uuid.UUID
	Names               []string
	PaternalNames       []string
	PhoneNumbers        []string
	Segments            []Segment
	Statuses            []string
	Surnames            []string
	MinCreatedAt        *time.Time // inclusive
	MaxCreatedAt        *time.Time // inclusive
	MinUpdatedAt        *time.Time // inclusive
	MaxUpdatedAt        *time.Time // inclusive
	// Search matches, case-insensitively, a substring of the name, surname
	// or login, or exactly a customer guid, a wallet account guid or an IBAN.
	Search string
}

// Search is a search string resolved for the repository.
type Search struct {
	Text string     // the substring to find in name, surname and login
	GUID *uuid.UUID // set when the text is a guid: a customer's or a wallet account's
	IBAN string     // the text in IBAN form, when it could be one
}

// ParseSearch prepares a search string: trimmed, with its guid and IBAN
// readings. ok is false for a blank string (no condition).
func ParseSearch(s string) (Search, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return Search{}, false
	}
	out := Search{Text: s}
	if id, err := uuid.Parse(s); err == nil {
		out.GUID = &id
	}
	if iban := NormalizeIBAN(s); len(iban) >= 15 && len(iban) <= 34 {
		out.IBAN = iban
	}
	return out, true
}

// SortField is a field a customer list can be ordered by.
type SortField string

// The sortable fields.
const (
	SortCreatedAt      SortField = "created_at"
	SortUpdatedAt      SortField = "updated_at"
	SortName           SortField = "name"
	SortSurname        SortField = "surname"
	SortLogin          SortField = "login"
	SortKYCLevel       SortField = "kyc_level"
	SortBalanceAllowed SortField = "balance_allowed"
)

// SortFields lists the sortable fields.
var SortFields = []SortField{SortCreatedAt, SortUpdatedAt, SortName, SortSurname, SortLogin, SortKYCLevel, SortBalanceAllowed}

// Ordering is the order of a customer list: one field, ascending or
// descending, ties broken by creation order (id) in the same direction.
// Absent values (a customer without a name) sort after every value
// ascending, and first descending.
type Ordering struct {
	Field SortField
	Desc  bool
}

// DefaultOrdering is oldest first.
var DefaultOrdering = Ordering{Field: SortCreatedAt}

// ParseOrdering reads `field` (ascending) or `-field` (descending).
func ParseOrdering(s string) (Ordering, error) {
	o := Ordering{Field: SortField(strings.TrimPrefix(s, "-")), Desc: strings.HasPrefix(s, "-")}
	for _, f := range SortFields {
		if o.Field == f {
			return o, nil
		}
	}
	return Ordering{}, fmt.Errorf("unknown ordering %q", s)
}

// String is the ordering's query form.
func (o Ordering) String() string {
	if o.Desc {
		return "-" + string(o.Field)
	}
	return string(o.Field)
}

// ListRequest asks for one page of an ordered list.
type ListRequest struct {
	PageRequest
	Ordering Ordering
}
