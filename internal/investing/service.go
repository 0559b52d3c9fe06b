package investing

import (
	"context"
	"time"

	"github.com/openvest/openvest/internal/errcode"
	"github.com/openvest/openvest/internal/event"
	"github.com/openvest/openvest/internal/patch"
	"github.com/shopspring/decimal"
)

// Service carries out the investing use cases. Each write runs in one
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

// WithEvents sends the service's events (CUSTOMER.*, ACCOUNT.*,
// PORTFOLIO.*; see events.go) to e, in the transaction of each change, and
// returns s.
func (s *Service) WithEvents(e event.Emitter) *Service {
	s.events = e
	return s
}

// cascadeChanges are the ACCOUNT.UPDATED and PORTFOLIO.UPDATED events of
// the rows a status cascade changed.
func cascadeChanges(accounts []Account, portfolios []Portfolio) []event.Event {
	out := make([]event.Event, 0, len(accounts)+len(portfolios))
	for _, a := range accounts {
		out = append(out, AccountUpdated{a})
	}
	for _, p := range portfolios {
		out = append(out, PortfolioUpdated{p})
	}
	return out
}

// clock returns the current time as stored: UTC, microsecond precision.
func (s *Service) clock() time.Time { return s.now().UTC().Truncate(time.Microsecond) }

// NewCustomer is the input of CreateCustomer.
type NewCustomer struct {
	FirstName   string
	LastName    string
	ReferenceID *string
}

// CreateCustomer creates an ACTIVE customer and, in the same transaction,
// one USD account per default investment type of the organization and one
// portfolio per account. Conflict: referenceId already used.
func (s *Service) CreateCustomer(ctx context.Context, org Org, in NewCustomer) (Customer, error) {
	now := s.clock()
	c := Customer{
		OrganizationID: org.ID, FirstName: in.FirstName, LastName: in.LastName,
		ReferenceID: in.ReferenceID, Status: Active, CreatedAt: now, UpdatedAt: now,
	}
	err := s.repo.WithTx(ctx, func(ctx context.Context) error {
		accounts := make([]*Account, len(org.Defaults))
		for i, t := range org.Defaults {
			accounts[i] = &Account{
				OrganizationID: org.ID, InvestmentType: t,
				Currency: DefaultCurrency, Status: Active, CreatedAt: now, UpdatedAt: now,
			}
		}
		if cc, ok := s.repo.(CustomerCreator); ok {
			return s.createCustomerAtOnce(ctx, cc, &c, accounts)
		}
		if err := s.repo.CreateCustomer(ctx, &c); err != nil {
			return err
		}
		for _, a := range accounts {
			a.CustomerID = c.ID
		}
		return s.createAccountsWithPortfolios(ctx, org.ID, accounts, CustomerCreated{c})
	})
	return c, errcode.Wrapf(err, "create customer of organization %d", org.ID)
}

// createCustomerAtOnce is CreateCustomer's work through a CustomerCreator:
// the same rows, written in one step, and the same events.
func (s *Service) createCustomerAtOnce(ctx context.Context, cc CustomerCreator, c *Customer, accounts []*Account) error {
	portfolios := make([]*Portfolio, len(accounts))
	for i, a := range accounts {
		portfolios[i] = portfolioOf(a)
	}
	if err := cc.CreateCustomerWithAccounts(ctx, c, accounts, portfolios); err != nil {
		return err
	}
	changes := make([]event.Event, 0, 1+2*len(accounts))
	changes = append(changes, CustomerCreated{*c})
	for i, a := range accounts {
		changes = append(changes, AccountCreated{*a}, PortfolioCreated{*portfolios[i]})
	}
	return s.events.Emit(ctx, c.OrganizationID, changes...)
}

// portfolioOf is the new, empty portfolio linked to account a, of its
// customer, investment type, currency and status (its AccountID points at
// a.ID, so it is right once a is stored).
func portfolioOf(a *Account) *Portfolio {
	return &Portfolio{
		OrganizationID: a.OrganizationID, CustomerID: a.CustomerID, AccountID: &a.ID,
		InvestmentType: &a.InvestmentType, Currency: a.Currency, Status: a.Status,
		InvestmentAmount: decimal.Zero, MarketValue: decimal.Zero, Performance: decimal.Zero,
		CreatedAt: a.CreatedAt, UpdatedAt: a.UpdatedAt,
	}
}

// createAccountsWithPortfolios inserts the accounts and one portfolio linked
// to each, with their CREATED events.
func (s *Service) createAccountsWithPortfolios(ctx context.Context, orgID int64, accounts []*Account, changes ...event.Event) error {
	if len(accounts) == 0 {
		return s.events.Emit(ctx, orgID, changes...)
	}
	if err := s.repo.CreateAccounts(ctx, accounts); err != nil {
		return errcode.Wrapf(err, "create customer %d accounts", accounts[0].CustomerID)
	}
	portfolios := make([]*Portfolio, len(accounts))
	for i, a := range accounts {
		portfolios[i] = portfolioOf(a)
	}
	if err := s.repo.CreatePortfolios(ctx, portfolios); err != nil {
		return errcode.Wrapf(err, "create customer %d portfolios", accounts[0].CustomerID)
	}
	for i, a := range accounts {
		changes = append(changes, AccountCreated{*a}, PortfolioCreated{*portfolios[i]})
	}
	return s.events.Emit(ctx, orgID, changes...)
}

// CustomerUpdate is the input of UpdateCustomer: nil fields stay as they are.
type CustomerUpdate struct {
	ID          int64
	FirstName   *string
	LastName    *string
	ReferenceID *string
	Status      *Status
}

// UpdateCustomer changes a customer. SUSPENDED and CLOSED cascade to the
// customer's accounts and portfolios in the same transaction; ACTIVE does
// not. NotFound; Conflict: the customer is CLOSED, or referenceId is taken.
func (s *Service) UpdateCustomer(ctx context.Context, org Org, in CustomerUpdate) (Customer, error) {
	var c Customer
	err := s.repo.WithTx(ctx, func(ctx context.Context) error {
		var err error
		if c, err = s.repo.Customer(ctx, org.ID, in.ID, true); err != nil {
			return err
		}
		if c.Status == Closed {
			return errcode.New(errcode.Conflict, "customer %d is CLOSED, which is permanent: it cannot be changed or reopened; create a new customer instead", c.ID)
		}
		now := s.clock()
		patch.Set(&c.FirstName, in.FirstName)
		patch.Set(&c.LastName, in.LastName)
		if in.ReferenceID != nil {
			c.ReferenceID = in.ReferenceID
		}
		cascade := in.Status != nil && *in.Status != c.Status && *in.Status != Active
		patch.Set(&c.Status, in.Status)
		c.UpdatedAt = now
		if err := s.repo.SaveCustomer(ctx, &c); err != nil {
			return err
		}
		changes := []event.Event{CustomerUpdated{c}}
		if cascade {
			accounts, portfolios, err := s.repo.CascadeStatus(ctx, org.ID, c.ID, nil, c.Status, now)
			if err != nil {
				return err
			}
			changes = append(changes, cascadeChanges(accounts, portfolios)...)
		}
		return s.events.Emit(ctx, org.ID, changes...)
	})
	return c, errcode.Wrapf(err, "update customer %d", in.ID)
}

// Customer returns one customer. NotFound.
func (s *Service) Customer(ctx context.Context, org Org, id int64) (Customer, error) {
	return s.repo.Customer(ctx, org.ID, id, false)
}

// Customers lists the organization's customers.
func (s *Service) Customers(ctx context.Context, org Org, f CustomerFilter, p PageRequest) (Page[Customer], error) {
	return s.repo.ListCustomers(ctx, org.ID, f, p)
}

// NewAccount is the input of CreateAccount.
type NewAccount struct {
	CustomerID     int64
	Currency       Currency
	InvestmentType InvestmentType
}

// CreateAccount opens an account of one investment type for a customer and,
// in the same transaction, its portfolio. The account takes the customer's
// status. NotFound: no such customer. Unprocessable: the investment type is
// not available to the organization. Conflict: the customer is CLOSED or
// already has an account of that type.
func (s *Service) CreateAccount(ctx context.Context, org Org, in NewAccount) (Account, error) {
	if !org.Offers(in.InvestmentType) {
		return Account{}, errcode.New(errcode.Unprocessable, "investment type %s is not available to this organization (available: %v); see GET /v1/investments", in.InvestmentType, org.InvestmentTypes)
	}
	var a Account
	err := s.repo.WithTx(ctx, func(ctx context.Context) error {
		c, err := s.repo.Customer(ctx, org.ID, in.CustomerID, true)
		if err != nil {
			return err
		}
		if c.Status == Closed {
			return errcode.New(errcode.Conflict, "customer %d is CLOSED: it cannot get new accounts", c.ID)
		}
		now := s.clock()
		a = Account{
			OrganizationID: org.ID, CustomerID: c.ID, InvestmentType: in.InvestmentType,
			Currency: in.Currency, Status: c.Status, CreatedAt: now, UpdatedAt: now,
		}
		return s.createAccountsWithPortfolios(ctx, org.ID, []*Account{&a})
	})
	return a, errcode.Wrapf(err, "create %s account of customer %d", in.InvestmentType, in.CustomerID)
}

// AccountUpdate is the input of UpdateAccount: nil fields stay as they are.
type AccountUpdate struct {
	ID       int64
	Status   *Status
	Currency *Currency
}

// UpdateAccount changes an account. SUSPENDED and CLOSED cascade to its
// portfolio. NotFound; Conflict: the account is CLOSED, or it would be
// ACTIVE under a customer that is not.
func (s *Service) UpdateAccount(ctx context.Context, org Org, in AccountUpdate) (Account, error) {
	var a Account
	err := s.repo.WithTx(ctx, func(ctx context.Context) error {
		// Lock order is customer, then account, then portfolio, everywhere.
		peek, err := s.repo.Account(ctx, org.ID, in.ID, false)
		if err != nil {
			return err
		}
		c, err := s.repo.Customer(ctx, org.ID, peek.CustomerID, true)
		if err != nil {
			return err
		}
		if a, err = s.repo.Account(ctx, org.ID, in.ID, true); err != nil {
			return err
		}
		if a.Status == Closed {
			return errcode.New(errcode.Conflict, "account %d is CLOSED, which is permanent: it cannot be changed or reopened; open a new account instead", a.ID)
		}
		if in.Status != nil && *in.Status == Active && c.Status != Active {
			return errcode.New(errcode.Conflict, "account %d cannot be ACTIVE while customer %d is %s: reactivate the customer first", a.ID, c.ID, c.Status)
		}
		now := s.clock()
		cascade := in.Status != nil && *in.Status != a.Status && *in.Status != Active
		patch.Set(&a.Status, in.Status)
		patch.Set(&a.Currency, in.Currency)
		a.UpdatedAt = now
		if err := s.repo.SaveAccount(ctx, &a); err != nil {
			return err
		}
		changes := []event.Event{AccountUpdated{a}}
		if cascade {
			_, portfolios, err := s.repo.CascadeStatus(ctx, org.ID, c.ID, &a.ID, a.Status, now)
			if err != nil {
				return err
			}
			changes = append(changes, cascadeChanges(nil, portfolios)...)
		}
		return s.events.Emit(ctx, org.ID, changes...)
	})
	return a, errcode.Wrapf(err, "update account %d", in.ID)
}

// Account returns one account. NotFound.
func (s *Service) Account(ctx context.Context, org Org, id int64) (Account, error) {
	return s.repo.Account(ctx, org.ID, id, false)
}

// Accounts lists accounts, of one customer when customerID is set.
// NotFound: customerID names no customer of the organization.
func (s *Service) Accounts(ctx context.Context, org Org, customerID *int64, p PageRequest) (Page[Account], error) {
	if customerID != nil {
		if _, err := s.repo.Customer(ctx, org.ID, *customerID, false); err != nil {
			return Page[Account]{}, err
		}
	}
	return s.repo.ListAccounts(ctx, org.ID, customerID, p)
}
