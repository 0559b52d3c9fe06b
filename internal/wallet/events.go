package wallet

import (
	"context"

	"github.com/google/uuid"
	"github.com/openvest/openvest/internal/event"
)

// The events of the wallet surface (subscribable through the webhook
// engine as WALLET_CUSTOMER, WALLET_ACCOUNT or one event), each emitted in
// the transaction of its change.
type (
	// CustomerCreated: a wallet customer was created (with its first
	// account, whose AccountCreated follows it).
	CustomerCreated struct{ Customer Customer }
	// CustomerUpdated: a wallet customer's fields changed.
	CustomerUpdated struct{ Customer Customer }
	// AccountCreated: a wallet account was opened.
	AccountCreated struct{ Account Account }
)

// EventName implements event.Event: the name on the wire (DOMAIN.ACTION).
func (CustomerCreated) EventName() string { return "WALLET_CUSTOMER.CREATED" }
func (CustomerUpdated) EventName() string { return "WALLET_CUSTOMER.UPDATED" }
func (AccountCreated) EventName() string  { return "WALLET_ACCOUNT.CREATED" }

// WithEvents sends the service's events to e and returns s.
func (s *Service) WithEvents(e event.Emitter) *Service {
	s.events = e
	return s
}

// FindCustomer returns one customer of the organization by guid alone,
// whatever its counterparty (to fire its events). NotFound (CUSTOMER_NOT_FOUND).
func (s *Service) FindCustomer(ctx context.Context, orgID int64, guid uuid.UUID) (Customer, error) {
	return s.repo.FindCustomer(ctx, orgID, guid)
}

// FindAccount returns one wallet account of the organization by guid
// alone (to fire its events). NotFound.
func (s *Service) FindAccount(ctx context.Context, orgID int64, guid uuid.UUID) (Account, error) {
	return s.repo.FindAccount(ctx, orgID, guid)
}
