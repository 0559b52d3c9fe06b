package banking_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/openvest/openvest/internal/banking"
	"github.com/openvest/openvest/internal/event"
	"github.com/stretchr/testify/require"
)

// recorder is an event.Emitter that keeps what it is given, and fails
// when fail is set (as the outbox would on a database error).
type recorder struct {
	mu   sync.Mutex
	got  []event.Event
	fail error
}

func (r *recorder) Emit(_ context.Context, _ int64, events ...event.Event) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fail != nil {
		return r.fail
	}
	r.got = append(r.got, events...)
	return nil
}

func (r *recorder) names() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return names(r.got...)
}

// names are the events' names, in order.
func names(events ...event.Event) []string {
	out := make([]string, len(events))
	for i, e := range events {
		out[i] = e.EventName()
	}
	return out
}

// TestBankingEmitsEachChange: every banking change hands its events, with
// the changed value, to Events: an application drafted, given a document,
// submitted (SUBMITTED as submitted, then its decision and the customer
// it created), a contact change, an individual's, and a status change.
func TestBankingEmitsEachChange(t *testing.T) {
	t.Parallel()
	b := setup(t)
	rec := &recorder{}
	b.svc.WithEvents(rec)
	a := b.application(t, customerOpts{Type: banking.TypeCorporation})
	require.Equal(t, names(banking.ApplicationCreated{}, banking.ApplicationUpdated{}), rec.names())
	a, err := b.svc.SubmitApplication(b.ctx, b.org, a.ID)
	require.NoError(t, err)
	require.Equal(t, names(banking.ApplicationCreated{}, banking.ApplicationUpdated{},
		banking.ApplicationSubmitted{}, banking.ApplicationApproved{}, banking.CustomerCreated{}), rec.names())
	require.Equal(t, banking.Submitted, rec.got[2].(banking.ApplicationSubmitted).Application.Status, "SUBMITTED carries the application as submitted")
	require.Equal(t, a.CustomerID, rec.got[3].(banking.ApplicationApproved).Application.CustomerID)
	created := rec.got[4].(banking.CustomerCreated).Customer
	require.Equal(t, a.CustomerID, created.ID)
	require.Len(t, created.Individuals, 2)

	_, err = b.svc.UpdateCustomer(b.ctx, b.org, created.ID, banking.ContactUpdate{Phone: ptr("+15550100")})
	require.NoError(t, err)
	_, err = b.svc.UpdateIndividual(b.ctx, b.org, created.ID, created.Individuals[0].ID, banking.ContactUpdate{Phone: ptr("+15550101")})
	require.NoError(t, err)
	_, err = b.svc.SetCustomerStatus(b.ctx, b.org, created.ID, banking.Frozen)
	require.NoError(t, err)
	require.Equal(t, names(banking.CustomerUpdated{}, banking.IndividualUpdated{}, banking.CustomerStatusChanged{}), rec.names()[5:])
	require.Equal(t, banking.Frozen, rec.got[7].(banking.CustomerStatusChanged).Customer.Status)
	require.Equal(t, "+15550101", rec.got[6].(banking.IndividualUpdated).Individual.Phone)

	denied := b.application(t, customerOpts{LastName: banking.DenyLastName})
	_, err = b.svc.SubmitApplication(b.ctx, b.org, denied.ID)
	require.NoError(t, err)
	review := b.application(t, customerOpts{LastName: banking.ReviewLastName})
	_, err = b.svc.SubmitApplication(b.ctx, b.org, review.ID)
	require.NoError(t, err)
	_, err = b.svc.DecideApplication(b.ctx, b.org, review.ID, banking.Denied, "")
	require.NoError(t, err)
	require.Equal(t, names(
		banking.ApplicationCreated{}, banking.ApplicationUpdated{}, banking.ApplicationSubmitted{}, banking.ApplicationDenied{},
		banking.ApplicationCreated{}, banking.ApplicationUpdated{}, banking.ApplicationSubmitted{}, banking.ApplicationManualReview{},
		banking.ApplicationDenied{},
	), rec.names()[8:])
}

// TestBankingEventFailureUndoesTheChange: an event that cannot be
// recorded fails its change, and nothing of the change is written: no
// application, no submission, no customer, no status change.
func TestBankingEventFailureUndoesTheChange(t *testing.T) {
	t.Parallel()
	b := setup(t)
	rec := &recorder{}
	b.svc.WithEvents(rec)
	a := b.application(t, customerOpts{})
	c := b.customer(t, customerOpts{})
	broken := errors.New("outbox unavailable")
	rec.fail = broken

	_, err := b.svc.CreateApplication(b.ctx, b.org, banking.TypeIndividual, individualInput("Doe"))
	require.ErrorIs(t, err, broken)
	page, err := b.svc.Applications(b.ctx, b.org, banking.ApplicationFilter{}, banking.PageRequest{})
	require.NoError(t, err)
	require.Len(t, page.Items, 2, "only the two applications made before")

	_, err = b.svc.SubmitApplication(b.ctx, b.org, a.ID)
	require.ErrorIs(t, err, broken)
	got, err := b.svc.Application(b.ctx, b.org, a.ID)
	require.NoError(t, err)
	require.Equal(t, banking.ReadyForSubmission, got.Status)
	require.Empty(t, got.CustomerID)
	customers, err := b.svc.Customers(b.ctx, b.org, banking.CustomerFilter{}, banking.PageRequest{})
	require.NoError(t, err)
	require.Len(t, customers.Items, 1, "the rejected approval created no customer")

	_, err = b.svc.SetCustomerStatus(b.ctx, b.org, c.ID, banking.Frozen)
	require.ErrorIs(t, err, broken)
	after, err := b.svc.Customer(b.ctx, b.org, c.ID)
	require.NoError(t, err)
	require.Equal(t, c.Status, after.Status)
}
