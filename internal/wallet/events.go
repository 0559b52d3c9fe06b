package wallet

import (
	"context"

	"github.com/google/uuid"
)

// The events of the wallet surface (subscribable through the webhook
// engine as WALLET_CUSTOMER, WALLET_ACCOUNT or one event).
const (
	EventCustomerCreated = "WALLET_CUSTOMER.CREATED"
	EventCustomerUpdated = "WALLET_CUSTOMER.UPDATED"
	EventAccountCreated  = "WALLET_ACCOUNT.CREATED"
)

// Change is one event of a change: its name and the changed domain value
// (a Customer or an Account).
type Change struct {
	Event    string
	Resource any
}

// Events receives the events of changes in the transaction of the change
// that ctx carries: an event commits with its change or not at all.
type Events interface {
	EmitWallet(ctx context.Context, orgID int64, changes ...Change) error
}

type noEvents struct{}

func (noEvents) EmitWallet(context.Context, int64, ...Change) error { return nil }

// WithEvents sends the service's events to e and returns s.
func (s *Service) WithEvents(e Events) *Service {
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
