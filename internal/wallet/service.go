package wallet

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/openvest/openvest/internal/errcode"
	"github.com/openvest/openvest/internal/event"
	"github.com/openvest/openvest/internal/patch"
	"github.com/shopspring/decimal"
)

// Service carries out the wallet use cases. Each write runs in one
// transaction with its side effects.
type Service struct {
	repo   Repository
	now    func() time.Time
	events event.Emitter
}

// NewService returns a Service on repo; now is the clock (time.Now in production).
func NewService(repo Repository, now func() time.Time) *Service {
	return &Service{repo: repo, now: now, events: event.Discard{}}
}

// clock returns the current time as stored: UTC, microsecond precision.
func (s *Service) clock() time.Time { return s.now().UTC().Truncate(time.Microsecond) }

// newGUID returns a version 7 UUID: random, but time-ordered, so that new
// rows land at the end of the guid indexes.
func newGUID() uuid.UUID { return uuid.Must(uuid.NewV7()) }

// Field limits, the same as the API's and the database's.
const (
	MaxNameLength   = 200 // counterparty and customer names
	MaxLoginLength  = 254 // an e-mail address fits
	MaxPhoneLength  = 32
	MaxStatusLength = 64
)

// CreateCounterparty creates a counterparty of the organization.
// Invalid (VALIDATION_ERROR): the name is blank or too long.
func (s *Service) CreateCounterparty(ctx context.Context, orgID int64, name string) (Counterparty, error) {
	var v validation
	name = strings.TrimSpace(name)
	if name == "" {
		v.add("name", "must not be blank")
	}
	v.length("name", &name, MaxNameLength)
	if err := v.err(); err != nil {
		return Counterparty{}, err
	}
	now := s.clock()
	c := Counterparty{GUID: newGUID(), OrganizationID: orgID, Name: name, CreatedAt: now, UpdatedAt: now}
	return c, errcode.Wrapf(s.repo.CreateCounterparty(ctx, &c), "create counterparty of organization %d", orgID)
}

// Counterparty returns one counterparty. NotFound (COUNTERPARTY_NOT_FOUND).
func (s *Service) Counterparty(ctx context.Context, orgID int64, guid uuid.UUID) (Counterparty, error) {
	return s.repo.Counterparty(ctx, orgID, guid)
}

// Counterparties lists the organization's counterparties, oldest first.
func (s *Service) Counterparties(ctx context.Context, orgID int64, p PageRequest) (Page[Counterparty], error) {
	return s.repo.ListCounterparties(ctx, orgID, p)
}

// NewCustomer is the input of CreateCustomer. Nil fields take their
// defaults: balance_allowed 0, kyc_level 0, is_disabled false, the rest
// absent. An empty string counts as absent.
type NewCustomer struct {
	AssetCode          string
	AssetIssuer        string
	BalanceAllowed     *decimal.Decimal
	BalanceAssetCode   *string
	BalanceAssetIssuer *string
	BranchGUID         *uuid.UUID
	IBAN               *string
	IsDisabled         *bool
	KYCLevel           *int
	Login              *string
	Name               *string
	PaternalName       *string
	PhoneNumber        *string
	Segment            *Segment
	Status             *string
	Surname            *string
}

// CreateCustomer creates a customer of a counterparty and, in the same
// transaction, its first wallet account (holding the customer's asset, with
// the IBAN when one is given). Invalid (VALIDATION_ERROR, naming each
// field): an asset code, issuer, IBAN, range or length is wrong. Invalid
// (CUSTOMER_ALREADY_EXISTS, naming login): the login is taken in the
// counterparty; the source API answers that as a bad request, not a
// conflict. NotFound (COUNTERPARTY_NOT_FOUND). Conflict
// (IBAN_ALREADY_EXISTS): the IBAN is taken in the organization. Nothing is
// written on any error.
func (s *Service) CreateCustomer(ctx context.Context, orgID int64, counterparty uuid.UUID, in NewCustomer) (Customer, Account, error) {
	var v validation
	v.assetCode("asset_code", in.AssetCode)
	v.accountID("asset_issuer", in.AssetIssuer)
	c := Customer{
		GUID: newGUID(), OrganizationID: orgID, AssetCode: in.AssetCode, AssetIssuer: in.AssetIssuer,
		BalanceAllowed: decimal.Zero,
		Login:          v.length("login", in.Login, MaxLoginLength),
		Name:           v.length("name", in.Name, MaxNameLength),
		Surname:        v.length("surname", in.Surname, MaxNameLength),
		PaternalName:   v.length("paternal_name", in.PaternalName, MaxNameLength),
		PhoneNumber:    v.length("phone_number", in.PhoneNumber, MaxPhoneLength),
		Status:         v.length("status", in.Status, MaxStatusLength),
		Segment:        in.Segment,
		BranchGUID:     in.BranchGUID,
	}
	patch.Set(&c.BalanceAllowed, in.BalanceAllowed)
	patch.Set(&c.KYCLevel, in.KYCLevel)
	patch.Set(&c.IsDisabled, in.IsDisabled)
	c.BalanceAssetCode, c.BalanceAssetIssuer = blankToNil(in.BalanceAssetCode), blankToNil(in.BalanceAssetIssuer)
	v.customer(&c)
	iban := v.iban("iban", in.IBAN)
	if err := v.err(); err != nil {
		return Customer{}, Account{}, err
	}
	var a Account
	err := s.repo.WithTx(ctx, func(ctx context.Context) error {
		cp, err := s.repo.Counterparty(ctx, orgID, counterparty)
		if err != nil {
			return err
		}
		now := s.clock()
		c.CounterpartyID, c.CounterpartyGUID, c.CreatedAt, c.UpdatedAt = cp.ID, cp.GUID, now, now
		if err := s.repo.CreateCustomer(ctx, &c); err != nil {
			return loginTaken(err)
		}
		a = newAccount(c, iban, now)
		if err := s.repo.CreateAccount(ctx, &a); err != nil {
			return err
		}
		return s.events.Emit(ctx, orgID, CustomerCreated{c}, AccountCreated{a})
	})
	if err != nil {
		return Customer{}, Account{}, errcode.Wrapf(err, "create customer of counterparty %s", counterparty)
	}
	return c, a, nil
}

// newAccount is a new wallet account of c holding c's asset.
func newAccount(c Customer, iban *string, now time.Time) Account {
	return Account{
		GUID: newGUID(), OrganizationID: c.OrganizationID, CounterpartyID: c.CounterpartyID,
		CustomerID: c.ID, CustomerGUID: c.GUID, IBAN: iban,
		AssetCode: c.AssetCode, AssetIssuer: c.AssetIssuer, Balance: decimal.Zero,
		CreatedAt: now, UpdatedAt: now,
	}
}

// CustomerUpdate is the input of UpdateCustomer: nil fields stay as they
// are; an empty string clears name, surname, paternal_name, phone_number or
// status. WalletUserGUID, when given, must be the customer's guid.
type CustomerUpdate struct {
	BalanceAllowed     *decimal.Decimal
	BalanceAssetCode   *string
	BalanceAssetIssuer *string
	BranchGUID         *uuid.UUID
	IsDisabled         *bool
	KYCLevel           *int
	Name               *string
	PaternalName       *string
	PhoneNumber        *string
	Segment            *Segment
	Status             *string
	Surname            *string
	WalletUserGUID     *uuid.UUID
}

// UpdateCustomer changes a customer. Invalid (VALIDATION_ERROR, naming each
// field); NotFound (COUNTERPARTY_NOT_FOUND, CUSTOMER_NOT_FOUND).
func (s *Service) UpdateCustomer(ctx context.Context, orgID int64, counterparty, guid uuid.UUID, in CustomerUpdate) (Customer, error) {
	var v validation
	if in.WalletUserGUID != nil && *in.WalletUserGUID != guid {
		v.add("wallet_user_guid", "must be the customer_guid of the path, "+guid.String())
	}
	if err := v.err(); err != nil {
		return Customer{}, err
	}
	var c Customer
	err := s.repo.WithTx(ctx, func(ctx context.Context) error {
		cp, err := s.repo.Counterparty(ctx, orgID, counterparty)
		if err != nil {
			return err
		}
		if c, err = s.repo.Customer(ctx, orgID, cp.ID, guid, true); err != nil {
			return err
		}
		c.CounterpartyGUID = cp.GUID
		text := func(dst **string, field string, val *string, limit int) {
			if val != nil {
				*dst = v.length(field, val, limit)
			}
		}
		text(&c.Name, "name", in.Name, MaxNameLength)
		text(&c.Surname, "surname", in.Surname, MaxNameLength)
		text(&c.PaternalName, "paternal_name", in.PaternalName, MaxNameLength)
		text(&c.PhoneNumber, "phone_number", in.PhoneNumber, MaxPhoneLength)
		text(&c.Status, "status", in.Status, MaxStatusLength)
		patch.Set(&c.BalanceAllowed, in.BalanceAllowed)
		patch.Set(&c.KYCLevel, in.KYCLevel)
		patch.Set(&c.IsDisabled, in.IsDisabled)
		if in.Segment != nil {
			c.Segment = in.Segment
		}
		if in.BranchGUID != nil {
			c.BranchGUID = in.BranchGUID
		}
		if in.BalanceAssetCode != nil {
			c.BalanceAssetCode = blankToNil(in.BalanceAssetCode)
		}
		if in.BalanceAssetIssuer != nil {
			c.BalanceAssetIssuer = blankToNil(in.BalanceAssetIssuer)
		}
		v.customer(&c)
		if err := v.err(); err != nil {
			return err
		}
		c.UpdatedAt = s.clock()
		if err := s.repo.SaveCustomer(ctx, &c); err != nil {
			return err
		}
		return s.events.Emit(ctx, orgID, CustomerUpdated{c})
	})
	if err != nil {
		return Customer{}, errcode.Wrapf(err, "update customer %s of counterparty %s", guid, counterparty)
	}
	return c, nil
}

// Customer returns one customer of a counterparty. NotFound
// (COUNTERPARTY_NOT_FOUND, CUSTOMER_NOT_FOUND).
func (s *Service) Customer(ctx context.Context, orgID int64, counterparty, guid uuid.UUID) (Customer, error) {
	cp, err := s.repo.Counterparty(ctx, orgID, counterparty)
	if err != nil {
		return Customer{}, err
	}
	c, err := s.repo.Customer(ctx, orgID, cp.ID, guid, false)
	c.CounterpartyGUID = cp.GUID
	return c, err
}

// Customers lists a counterparty's customers. Invalid (VALIDATION_ERROR): a
// balance bound outside what CheckBalance allows. NotFound (COUNTERPARTY_NOT_FOUND).
func (s *Service) Customers(ctx context.Context, orgID int64, counterparty uuid.UUID, f CustomerFilter, r ListRequest) (Page[Customer], error) {
	var v validation
	for _, b := range []struct {
		field string
		v     *decimal.Decimal
	}{{"min_balance_allowed", f.MinBalanceAllowed}, {"max_balance_allowed", f.MaxBalanceAllowed}} {
		if b.v != nil {
			if problem := CheckBalance(*b.v); problem != "" {
				v.fields = append(v.fields, errcode.FieldError{Field: b.field, In: "query", Message: problem})
			}
		}
	}
	if err := v.err(); err != nil {
		return Page[Customer]{}, err
	}
	cp, err := s.repo.Counterparty(ctx, orgID, counterparty)
	if err != nil {
		return Page[Customer]{}, err
	}
	if r.Ordering.Field == "" {
		r.Ordering = DefaultOrdering
	}
	page, err := s.repo.ListCustomers(ctx, orgID, cp.ID, f, r)
	for i := range page.Items {
		page.Items[i].CounterpartyGUID = cp.GUID
	}
	return page, err
}

// CreateAccount opens another wallet account for a customer, holding the
// customer's asset. Invalid (VALIDATION_ERROR): the IBAN is not valid.
// NotFound (COUNTERPARTY_NOT_FOUND, CUSTOMER_NOT_FOUND). Conflict
// (IBAN_ALREADY_EXISTS): the IBAN is taken in the organization.
func (s *Service) CreateAccount(ctx context.Context, orgID int64, counterparty, customer uuid.UUID, iban *string) (Account, error) {
	var v validation
	normalized := v.iban("iban", iban)
	if err := v.err(); err != nil {
		return Account{}, err
	}
	var a Account
	err := s.repo.WithTx(ctx, func(ctx context.Context) error {
		cp, err := s.repo.Counterparty(ctx, orgID, counterparty)
		if err != nil {
			return err
		}
		c, err := s.repo.Customer(ctx, orgID, cp.ID, customer, false)
		if err != nil {
			return err
		}
		a = newAccount(c, normalized, s.clock())
		if err := s.repo.CreateAccount(ctx, &a); err != nil {
			return err
		}
		return s.events.Emit(ctx, orgID, AccountCreated{a})
	})
	if err != nil {
		return Account{}, errcode.Wrapf(err, "create account of customer %s", customer)
	}
	return a, nil
}

// Accounts lists a customer's wallet accounts, oldest first; only the one
// with this IBAN (in any spacing or case) when iban is set. NotFound
// (COUNTERPARTY_NOT_FOUND, CUSTOMER_NOT_FOUND).
func (s *Service) Accounts(ctx context.Context, orgID int64, counterparty, customer uuid.UUID, iban *string) ([]Account, error) {
	cp, err := s.repo.Counterparty(ctx, orgID, counterparty)
	if err != nil {
		return nil, err
	}
	c, err := s.repo.Customer(ctx, orgID, cp.ID, customer, false)
	if err != nil {
		return nil, err
	}
	if iban != nil {
		n := NormalizeIBAN(*iban)
		iban = &n
	}
	accounts, err := s.repo.ListAccounts(ctx, orgID, c.ID, iban)
	for i := range accounts {
		accounts[i].CustomerGUID = c.GUID
	}
	return accounts, err
}

// validation collects the failing fields of one input.
type validation struct{ fields []errcode.FieldError }

func (v *validation) add(field, msg string) {
	v.fields = append(v.fields, errcode.FieldError{Field: field, In: "body", Message: msg})
}

func (v *validation) check(field, problem string) {
	if problem != "" {
		v.add(field, problem)
	}
}

func (v *validation) assetCode(field, code string) { v.check(field, CheckAssetCode(code)) }

func (v *validation) accountID(field, id string) { v.check(field, CheckAccountID(id)) }

// length returns val, or nil when it is nil or empty, and records a field
// error when it is longer than limit characters.
func (v *validation) length(field string, val *string, limit int) *string {
	val = blankToNil(val)
	if val != nil && utf8.RuneCountInString(*val) > limit {
		v.add(field, fmt.Sprintf("must be at most %d characters", limit))
	}
	return val
}

// iban returns the IBAN in electronic form (nil when absent) and records a
// field error when it is not valid.
func (v *validation) iban(field string, iban *string) *string {
	if iban == nil {
		return nil
	}
	n := NormalizeIBAN(*iban)
	v.check(field, CheckIBAN(n))
	return &n
}

// customer checks the rules every saved customer keeps.
func (v *validation) customer(c *Customer) {
	if c.KYCLevel < 0 || c.KYCLevel > MaxKYCLevel {
		v.add("kyc_level", fmt.Sprintf("must be from 0 to %d", MaxKYCLevel))
	}
	v.check("balance_allowed", CheckBalance(c.BalanceAllowed))
	if c.Segment != nil && !c.Segment.Valid() {
		v.add("segment", "must be PL (Public Liability) or PI (Professional Indemnity)")
	}
	if c.BalanceAssetCode != nil {
		v.assetCode("balance_asset_code", *c.BalanceAssetCode)
	}
	if c.BalanceAssetIssuer != nil {
		v.accountID("balance_asset_issuer", *c.BalanceAssetIssuer)
	}
	switch {
	case c.BalanceAssetCode != nil && c.BalanceAssetIssuer == nil:
		v.add("balance_asset_issuer", "is required with balance_asset_code: a Stellar asset is a code and its issuer")
	case c.BalanceAssetCode == nil && c.BalanceAssetIssuer != nil:
		v.add("balance_asset_code", "is required with balance_asset_issuer: a Stellar asset is a code and its issuer")
	}
}

// err is the VALIDATION_ERROR naming every failing field, or nil.
func (v *validation) err() error {
	if len(v.fields) == 0 {
		return nil
	}
	parts := make([]string, len(v.fields))
	for i, f := range v.fields {
		parts[i] = f.Field + ": " + f.Message
	}
	e := errcode.New(errcode.Invalid, "validation failed: %s", strings.Join(parts, "; ")).WithReason(ReasonValidation)
	e.Fields = v.fields
	return e
}

// loginTaken turns the repository's conflict on a taken login into what the
// source API answers for it: a bad request (CUSTOMER_ALREADY_EXISTS) naming
// login. Any other error is returned as it is.
func loginTaken(err error) error {
	e, ok := errcode.As(err)
	if !ok || e.Reason != ReasonCustomerAlreadyExists {
		return err
	}
	return &errcode.Error{
		Code: errcode.Invalid, Message: e.Message, Reason: ReasonCustomerAlreadyExists,
		Fields: []errcode.FieldError{{Field: "login", In: "body", Message: "is taken in this counterparty: choose another login"}},
	}
}

func blankToNil(s *string) *string {
	if s == nil || *s == "" {
		return nil
	}
	return s
}
