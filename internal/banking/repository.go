package banking

import (
	"context"
	"time"

	"github.com/openvest/openvest/internal/txn"
)

// Repository is the storage the banking service needs. Every method is
// scoped by organization; a row of another organization is NotFound.
// Lists return up to limit rows strictly after the position (all from the
// start when it is nil), newest first, ties by id descending.
type Repository interface {
	// Transactor opens the service's units of work: every method called
	// with the context WithTx's fn receives joins its transaction, the
	// service's events included.
	txn.Transactor

	// CreateApplication inserts a with its individuals.
	CreateApplication(ctx context.Context, a *Application) error
	// Application reads one application with its individuals and document
	// metadata; lock holds it until the transaction ends. NotFound.
	Application(ctx context.Context, orgID int64, id string, lock bool) (Application, error)
	// SaveApplication writes a's fields, and replaces its individuals when
	// individuals is true.
	SaveApplication(ctx context.Context, a *Application, individuals bool) error
	// ListApplications returns applications with their individuals and document metadata.
	ListApplications(ctx context.Context, orgID int64, f ApplicationFilter, after *Position, limit int) ([]Application, error)

	// CreateDocument inserts d with its content.
	CreateDocument(ctx context.Context, d *Document) error
	// Document reads one document of an application, content included. NotFound.
	Document(ctx context.Context, orgID int64, applicationID, id string) (Document, error)

	// CreateCustomer inserts c with its individuals and accounts.
	CreateCustomer(ctx context.Context, c *CustomerDetail) error
	// Customer reads one customer; lock holds it until the transaction ends. NotFound.
	Customer(ctx context.Context, orgID int64, id string, lock bool) (Customer, error)
	// CustomerDetail reads one customer with its individuals and accounts. NotFound.
	CustomerDetail(ctx context.Context, orgID int64, id string) (CustomerDetail, error)
	// SaveCustomer writes c's contact details, address, status and times.
	SaveCustomer(ctx context.Context, c *Customer) error
	// UpdateCustomer changes one customer through update, in the
	// transaction ctx carries (or one of its own): it reads the customer
	// with its row lock, calls update with it and, when update returns
	// nil, saves what update left (as SaveCustomer does) and returns it.
	// An error of update is returned as it is, and nothing is saved.
	// NotFound.
	UpdateCustomer(ctx context.Context, orgID int64, id string, update func(c *Customer) error) (Customer, error)
	// ListCustomers returns customers (without individuals and accounts).
	ListCustomers(ctx context.Context, orgID int64, f CustomerFilter, after *Position, limit int) ([]Customer, error)
	// Individual reads one individual of a customer; lock holds it until
	// the transaction ends. NotFound.
	Individual(ctx context.Context, orgID int64, customerID, id string, lock bool) (Individual, error)
	// FindIndividual reads one individual of the organization by id
	// alone, whatever its customer. NotFound.
	FindIndividual(ctx context.Context, orgID int64, id string) (Individual, error)
	// SaveIndividual writes i's contact details, address and time.
	SaveIndividual(ctx context.Context, i *Individual) error
	// CloseAccounts closes the customer's accounts that are not closed.
	CloseAccounts(ctx context.Context, orgID int64, customerID string, at time.Time) error
	// MarkDormant moves up to limit customers (of any organization) whose
	// status is one of from and whose last activity is before cutoff to
	// DORMANT, and returns which it moved.
	MarkDormant(ctx context.Context, from []CustomerStatus, cutoff, at time.Time, limit int) ([]CustomerRef, error)
}

// CustomerRef names a customer of an organization.
type CustomerRef struct {
	OrganizationID int64
	ID             string
}
