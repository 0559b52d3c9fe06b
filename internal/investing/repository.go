package investing

import (
	"context"
	"time"

	"github.com/openvest/openvest/internal/txn"
)

// Repository is the storage the investing service needs. Every method is
// scoped by organization; a row of another organization is NotFound.
// Methods return *errcode.Error values for NotFound and Conflict.
type Repository interface {
	// Transactor opens the service's units of work: every method called
	// with the context WithTx's fn receives joins its transaction, the
	// service's events included.
	txn.Transactor

	// CreateCustomer inserts c and sets its ID. Conflict: referenceId taken.
	CreateCustomer(ctx context.Context, c *Customer) error
	// Customer reads one customer; lock holds it until the transaction ends. NotFound.
	Customer(ctx context.Context, orgID, id int64, lock bool) (Customer, error)
	// SaveCustomer writes c's fields. Conflict: referenceId taken.
	SaveCustomer(ctx context.Context, c *Customer) error
	// ListCustomers returns one page of the organization's customers.
	ListCustomers(ctx context.Context, orgID int64, f CustomerFilter, p PageRequest) (Page[Customer], error)

	// CreateAccounts inserts the accounts and sets their IDs. Conflict: the
	// customer already has an account of that investment type.
	CreateAccounts(ctx context.Context, as []*Account) error
	// Account reads one account; lock holds it until the transaction ends. NotFound.
	Account(ctx context.Context, orgID, id int64, lock bool) (Account, error)
	// SaveAccount writes a's status and currency.
	SaveAccount(ctx context.Context, a *Account) error
	// ListAccounts returns one page of accounts, of one customer when customerID is set.
	ListAccounts(ctx context.Context, orgID int64, customerID *int64, p PageRequest) (Page[Account], error)

	// CreatePortfolios inserts the portfolios and sets their IDs.
	CreatePortfolios(ctx context.Context, ps []*Portfolio) error
	// Portfolio reads one portfolio; lock holds it until the transaction ends. NotFound.
	Portfolio(ctx context.Context, orgID, id int64, lock bool) (Portfolio, error)
	// SavePortfolio writes p's status and currency.
	SavePortfolio(ctx context.Context, p *Portfolio) error
	// ListPortfolios returns one page of a customer's portfolios.
	ListPortfolios(ctx context.Context, orgID, customerID int64, p PageRequest) (Page[Portfolio], error)

	// CascadeStatus sets status on the customer's accounts and portfolios
	// (only the given account and its portfolio when accountID is set) that
	// are not CLOSED, and returns the rows it changed, as changed.
	CascadeStatus(ctx context.Context, orgID, customerID int64, accountID *int64, status Status, at time.Time) ([]Account, []Portfolio, error)

	// Investments lists the investment types in id order.
	Investments(ctx context.Context) ([]Investment, error)
}

// CustomerCreator is a Repository that writes a new customer, its
// accounts and one portfolio per account (ps[i] is as[i]'s) in one step,
// setting every ID and the rows' CustomerID and AccountID. Conflict as
// CreateCustomer and CreateAccounts. CreateCustomer uses it when the
// repository has it.
type CustomerCreator interface {
	CreateCustomerWithAccounts(ctx context.Context, c *Customer, as []*Account, ps []*Portfolio) error
}

// CustomerFilter narrows a customer list.
type CustomerFilter struct {
	Status      *Status
	ReferenceID *string
}
