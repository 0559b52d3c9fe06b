package banking_test

import (
	"errors"
	"testing"
	"time"

	"github.com/openvest/openvest/internal/banking"
	"github.com/openvest/openvest/internal/errcode"
	"github.com/stretchr/testify/require"
)

// TestCustomerStatusTransitions drives the full matrix through the sandbox
// control: from each status, every allowed move passes and every other one
// answers Conflict naming both statuses and changes nothing.
func TestCustomerStatusTransitions(t *testing.T) {
	t.Parallel()
	b := setup(t)
	for _, from := range banking.CustomerStatuses {
		for _, to := range banking.CustomerStatuses {
			t.Run(string(from)+"→"+string(to), func(t *testing.T) {
				t.Parallel()
				c := b.customer(t, customerOpts{Status: from})
				require.Equal(t, from, c.Status)
				got, err := b.svc.SetCustomerStatus(b.ctx, b.org, c.ID, to)
				if allowedByReference(from, to) {
					require.NoError(t, err)
					require.Equal(t, to, got.Status)
				} else {
					e := requireCode(t, err, errcode.Conflict)
					require.Contains(t, e.Message, "from "+string(from)+" to "+string(to))
					require.Equal(t, "status", e.Fields[0].Field)
				}
				stored, err := b.svc.Customer(b.ctx, b.org, c.ID)
				require.NoError(t, err)
				if allowedByReference(from, to) {
					require.Equal(t, to, stored.Status)
				} else {
					require.Equal(t, from, stored.Status, "a refused move changes nothing")
				}
			})
		}
	}
}

func TestPendingCustomerUntilTheSandboxMovesIt(t *testing.T) {
	t.Parallel()
	b := setup(t)
	c := b.customer(t, customerOpts{Type: banking.TypeCorporation, LastName: banking.PendingLastName})
	require.Equal(t, banking.Pending, c.Status, "the sandbox AML check did not pass")
	activated := b.tick()
	c, err := b.svc.SetCustomerStatus(b.ctx, b.org, c.ID, banking.Active)
	require.NoError(t, err)
	require.Equal(t, banking.Active, c.Status)
	require.Equal(t, activated, c.LastActivityAt)

	// The control is for sandboxes, on their own customers, with known statuses.
	prod := b.customer(t, customerOpts{Org: &b.prod})
	_, err = b.svc.SetCustomerStatus(b.ctx, b.prod, prod.ID, banking.Frozen)
	requireCode(t, err, errcode.NotFound)
	_, err = b.svc.SetCustomerStatus(b.ctx, b.another, c.ID, banking.Frozen)
	requireCode(t, err, errcode.NotFound)
	_, err = b.svc.SetCustomerStatus(b.ctx, b.org, c.ID, "SUSPENDED")
	requireCode(t, err, errcode.Invalid)
}

func TestClosingACustomerClosesItsAccounts(t *testing.T) {
	t.Parallel()
	b := setup(t)
	c := b.customer(t, customerOpts{})
	closed := b.tick()
	c, err := b.svc.SetCustomerStatus(b.ctx, b.org, c.ID, banking.Closed)
	require.NoError(t, err)
	require.Equal(t, banking.AccountClosed, c.Accounts[0].Status)
	require.Equal(t, closed, c.Accounts[0].UpdatedAt)

	_, err = b.svc.UpdateCustomer(b.ctx, b.org, c.ID, banking.ContactUpdate{Email: ptr("new@example.com")})
	requireCode(t, err, errcode.Conflict)
}

func TestUpdateCustomer(t *testing.T) {
	t.Parallel()
	b := setup(t)
	c := b.customer(t, customerOpts{})
	updated := b.tick()
	got, err := b.svc.UpdateCustomer(b.ctx, b.org, c.ID, banking.ContactUpdate{
		Email: ptr("john.newemail@example.com"), Address: &banking.AddressPatch{Line1: ptr("1 Broadway"), Line2: ptr("Floor 2")},
	})
	require.NoError(t, err)
	require.Equal(t, "john.newemail@example.com", got.Email)
	require.Equal(t, c.Phone, got.Phone)
	require.Equal(t, banking.Address{Line1: "1 Broadway", Line2: "Floor 2", City: "New York", State: "NY", PostalCode: "10001", Country: "US"}, got.Address)
	require.Equal(t, updated, got.UpdatedAt)
	require.Equal(t, updated, got.LastActivityAt)
	require.Equal(t, c.CreatedAt, got.CreatedAt)
	require.Len(t, got.Accounts, 1)

	_, err = b.svc.UpdateCustomer(b.ctx, b.org, c.ID, banking.ContactUpdate{Address: &banking.AddressPatch{City: ptr(" ")}})
	e := requireCode(t, err, errcode.Invalid)
	require.Equal(t, "address.city", e.Fields[0].Field)

	_, err = b.svc.UpdateCustomer(b.ctx, b.org, c.ID, banking.ContactUpdate{Phone: ptr("+15550000000"), Major: []string{"first_name", "date_of_birth"}})
	e = requireCode(t, err, errcode.Unprocessable)
	require.Equal(t, []string{"first_name", "date_of_birth"}, fields(e.Fields))
	require.Contains(t, e.Message, "POST /applications")
	stored, err := b.svc.Customer(b.ctx, b.org, c.ID)
	require.NoError(t, err)
	require.Equal(t, c.Phone, stored.Phone, "a refused change changes nothing")

	_, err = b.svc.UpdateCustomer(b.ctx, b.another, c.ID, banking.ContactUpdate{Major: []string{"type"}})
	requireCode(t, err, errcode.NotFound)
}

func TestIndividualsOfCorporateCustomersOnly(t *testing.T) {
	t.Parallel()
	b := setup(t)
	corp := b.customer(t, customerOpts{Type: banking.TypeCorporation, LastName: "Smith"})
	person := b.customer(t, customerOpts{})
	owner := corp.Individuals[0]

	got, err := b.svc.Individual(b.ctx, b.org, corp.ID, owner.ID)
	require.NoError(t, err)
	require.Equal(t, owner, got)

	_, err = b.svc.Individual(b.ctx, b.org, person.ID, owner.ID)
	e := requireCode(t, err, errcode.NotFound)
	require.Contains(t, e.Message, "INDIVIDUAL customer")
	_, err = b.svc.UpdateIndividual(b.ctx, b.org, person.ID, owner.ID, banking.ContactUpdate{Email: ptr("x@example.com")})
	requireCode(t, err, errcode.NotFound)
	_, err = b.svc.Individual(b.ctx, b.another, corp.ID, owner.ID)
	requireCode(t, err, errcode.NotFound)

	updated := b.tick()
	got, err = b.svc.UpdateIndividual(b.ctx, b.org, corp.ID, owner.ID, banking.ContactUpdate{
		Phone: ptr("+14155550123"), Address: &banking.AddressPatch{PostalCode: ptr("10002")},
	})
	require.NoError(t, err)
	require.Equal(t, "+14155550123", got.Phone)
	require.Equal(t, owner.Email, got.Email)
	require.Equal(t, "10002", got.Address.PostalCode)
	require.Equal(t, owner.Address.Line1, got.Address.Line1)
	require.Equal(t, updated, got.UpdatedAt)
	customer, err := b.svc.Customer(b.ctx, b.org, corp.ID)
	require.NoError(t, err)
	require.Equal(t, updated, customer.LastActivityAt, "a change to an individual is the customer's activity")

	_, err = b.svc.UpdateIndividual(b.ctx, b.org, corp.ID, owner.ID, banking.ContactUpdate{Major: []string{"ownership_percentage"}})
	requireCode(t, err, errcode.Unprocessable)
}

func TestCustomersListAndFilters(t *testing.T) {
	t.Parallel()
	b := setup(t)
	person := b.customer(t, customerOpts{})
	b.tick()
	corp := b.customer(t, customerOpts{Type: banking.TypeCorporation, LastName: "Smith", Status: banking.Frozen})
	b.tick()
	pending := b.customer(t, customerOpts{Status: banking.Pending})
	b.customer(t, customerOpts{Org: &b.another})

	list := func(f banking.CustomerFilter) []string {
		page, err := b.svc.Customers(b.ctx, b.org, f, banking.PageRequest{})
		require.NoError(t, err)
		var ids []string
		for _, c := range page.Items {
			ids = append(ids, c.ID)
		}
		return ids
	}
	individual, corporation := banking.TypeIndividual, banking.TypeCorporation
	frozen, pendingStatus := banking.Frozen, banking.Pending
	require.Equal(t, []string{pending.ID, corp.ID, person.ID}, list(banking.CustomerFilter{}), "newest first")
	require.Equal(t, []string{pending.ID, person.ID}, list(banking.CustomerFilter{Type: &individual}))
	require.Equal(t, []string{corp.ID}, list(banking.CustomerFilter{Status: &frozen}))
	require.Equal(t, []string{pending.ID}, list(banking.CustomerFilter{Type: &individual, Status: &pendingStatus}))
	require.Empty(t, list(banking.CustomerFilter{Type: &corporation, Status: &pendingStatus}))

	_, err := b.svc.Customers(b.ctx, b.org, banking.CustomerFilter{}, banking.PageRequest{Cursor: "nope"})
	e := requireCode(t, err, errcode.Invalid)
	require.Equal(t, "cursor", e.Fields[0].Field)
}

// TestDormancySweep moves the injected clock past the inactivity period.
// Its customers live in 1992, long before every other test's, because the
// sweep covers every organization of the shared database.
func TestDormancySweep(t *testing.T) {
	t.Parallel()
	b := setupWith(t, setupOpts{Start: time.Date(1992, 1, 10, 12, 0, 0, 0, time.UTC), DormancyMonths: 6})
	idle := b.customer(t, customerOpts{})
	busy := b.customer(t, customerOpts{})
	frozen := b.customer(t, customerOpts{Status: banking.Frozen})
	pending := b.customer(t, customerOpts{Status: banking.Pending})
	elsewhere := b.customer(t, customerOpts{Org: &b.another})

	b.clock.Set(time.Date(1992, 5, 1, 0, 0, 0, 0, time.UTC))
	_, err := b.svc.UpdateCustomer(b.ctx, b.org, busy.ID, banking.ContactUpdate{Phone: ptr("+15550000001")})
	require.NoError(t, err)

	// Six months to the minute: not yet.
	b.clock.Set(time.Date(1992, 7, 10, 12, 0, 0, 0, time.UTC))
	n, err := b.svc.MarkDormant(b.ctx)
	require.NoError(t, err)
	require.Zero(t, n)

	b.clock.Set(time.Date(1992, 7, 10, 12, 1, 0, 0, time.UTC))
	rec := &recorder{fail: errors.New("outbox unavailable")}
	b.svc.WithEvents(rec)
	_, err = b.svc.MarkDormant(b.ctx)
	require.ErrorIs(t, err, rec.fail, "an event that cannot be recorded fails the sweep…")
	c, err := b.svc.Customer(b.ctx, b.org, idle.ID)
	require.NoError(t, err)
	require.Equal(t, banking.Active, c.Status, "…and moves nobody")
	rec.fail = nil
	n, err = b.svc.MarkDormant(b.ctx)
	require.NoError(t, err)
	require.EqualValues(t, 2, n)
	moved := map[string]banking.CustomerStatus{}
	for _, e := range rec.got {
		require.IsType(t, banking.CustomerStatusChanged{}, e)
		c := e.(banking.CustomerStatusChanged).Customer
		moved[c.ID] = c.Status
	}
	require.Equal(t, map[string]banking.CustomerStatus{idle.ID: banking.Dormant, elsewhere.ID: banking.Dormant}, moved,
		"a BANKING_CUSTOMER.STATUS_CHANGED for each customer the sweep moved")

	status := func(org banking.Org, id string) banking.CustomerStatus {
		c, err := b.svc.Customer(b.ctx, org, id)
		require.NoError(t, err)
		return c.Status
	}
	require.Equal(t, banking.Dormant, status(b.org, idle.ID))
	require.Equal(t, banking.Dormant, status(b.another, elsewhere.ID))
	require.Equal(t, banking.Active, status(b.org, busy.ID), "activity in May keeps it active")
	require.Equal(t, banking.Frozen, status(b.org, frozen.ID), "only ACTIVE customers may become DORMANT")
	require.Equal(t, banking.Pending, status(b.org, pending.ID))

	// Reactivation counts as activity: the next sweep leaves it alone.
	_, err = b.svc.SetCustomerStatus(b.ctx, b.org, idle.ID, banking.Active)
	require.NoError(t, err)
	n, err = b.svc.MarkDormant(b.ctx)
	require.NoError(t, err)
	require.Zero(t, n)

	b.clock.Set(time.Date(1992, 11, 2, 0, 0, 0, 0, time.UTC))
	n, err = b.svc.MarkDormant(b.ctx)
	require.NoError(t, err)
	require.EqualValues(t, 1, n, "busy, six months after its last change")
	require.Equal(t, banking.Dormant, status(b.org, busy.ID))
}
