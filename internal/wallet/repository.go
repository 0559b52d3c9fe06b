package wallet

import (
	"context"

	"github.com/google/uuid"
	"github.com/openvest/openvest/internal/txn"
)

// Repository is the storage the wallet service needs. Every method is scoped
// by organization (and by counterparty or customer below it); a row of
// another organization, counterparty or customer is NotFound. Methods return
// *errcode.Error values for NotFound and Conflict, with a Reason.
type Repository interface {
	// Transactor opens the service's units of work: every method called
	// with the context WithTx's fn receives joins its transaction, the
	// service's events included.
	txn.Transactor

	// CreateCounterparty inserts c and sets its ID.
	CreateCounterparty(ctx context.Context, c *Counterparty) error
	// Counterparty reads one counterparty by guid. NotFound (COUNTERPARTY_NOT_FOUND).
	Counterparty(ctx context.Context, orgID int64, guid uuid.UUID) (Counterparty, error)
	// ListCounterparties returns one page of the organization's
	// counterparties, oldest first (ties by id).
	ListCounterparties(ctx context.Context, orgID int64, p PageRequest) (Page[Counterparty], error)

	// CreateCustomer inserts c and sets its ID. Conflict
	// (CUSTOMER_ALREADY_EXISTS): the login is taken in the counterparty.
	CreateCustomer(ctx context.Context, c *Customer) error
	// Customer reads one customer of a counterparty by guid; lock holds it
	// until the transaction ends. NotFound (CUSTOMER_NOT_FOUND).
	Customer(ctx context.Context, orgID, counterpartyID int64, guid uuid.UUID, lock bool) (Customer, error)
	// FindCustomer reads one customer of any of the organization's
	// counterparties by guid, with its counterparty's guid. NotFound
	// (CUSTOMER_NOT_FOUND).
	FindCustomer(ctx context.Context, orgID int64, guid uuid.UUID) (Customer, error)
	// FindAccount reads one account of the organization by guid, with its
	// customer's guid. NotFound.
	FindAccount(ctx context.Context, orgID int64, guid uuid.UUID) (Account, error)
	// SaveCustomer writes c's changeable fields and updated_at.
	SaveCustomer(ctx context.Context, c *Customer) error
	// ListCustomers returns one page of a counterparty's customers.
	ListCustomers(ctx context.Context, orgID, counterpartyID int64, f CustomerFilter, r ListRequest) (Page[Customer], error)

	// CreateAccount inserts a and sets its ID. Conflict
	// (IBAN_ALREADY_EXISTS): the IBAN is taken in the organization.
	CreateAccount(ctx context.Context, a *Account) error
	// ListAccounts returns a customer's accounts, oldest first, only the
	// one with this IBAN when iban is set.
	ListAccounts(ctx context.Context, orgID, customerID int64, iban *string) ([]Account, error)
}
