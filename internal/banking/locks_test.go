package banking_test

import (
	"testing"

	"github.com/openvest/openvest/internal/banking"
	"github.com/openvest/openvest/internal/errcode"
	"github.com/openvest/openvest/internal/testdb"
	"github.com/stretchr/testify/require"
)

// TestApplicationRowLocks: another transaction submits the application
// while a method that locks it runs; the method waits on its lock and
// then sees the submission.
func TestApplicationRowLocks(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		hold string // the other transaction's change ($1: the application id)
		op   func(b bundle, a banking.Application) (banking.Application, error)
		want string // the refusal the committed change causes; empty: none
		then banking.ApplicationStatus
	}{
		{
			name: "UpdateApplication", hold: `UPDATE banking_applications SET status = 'SUBMITTED', submitted_at = now() WHERE id = ?`,
			op: func(b bundle, a banking.Application) (banking.Application, error) {
				return b.svc.UpdateApplication(b.ctx, b.org, a.ID, banking.ApplicationInput{Phone: ptr("+1234567891")})
			},
			want: "SUBMITTED",
		},
		{
			name: "AddDocument", hold: `UPDATE banking_applications SET status = 'SUBMITTED', submitted_at = now() WHERE id = ?`,
			op: func(b bundle, a banking.Application) (banking.Application, error) {
				_, err := b.svc.AddDocument(b.ctx, b.org, a.ID, banking.NewDocument{Type: banking.Passport, FileName: "again.pdf", ContentType: "application/pdf", Content: pdf})
				return banking.Application{}, err
			},
			want: "SUBMITTED",
		},
		{
			name: "SubmitApplication", hold: `UPDATE banking_applications SET status = 'SUBMITTED', submitted_at = now() WHERE id = ?`,
			op: func(b bundle, a banking.Application) (banking.Application, error) {
				return b.svc.SubmitApplication(b.ctx, b.org, a.ID)
			},
			want: "an application is submitted once",
		},
		{
			name: "DecideApplication", hold: `UPDATE banking_applications SET status = 'MANUAL_REVIEW', submitted_at = now() WHERE id = ?`,
			op: func(b bundle, a banking.Application) (banking.Application, error) {
				return b.svc.DecideApplication(b.ctx, b.org, a.ID, banking.Denied, "")
			},
			then: banking.Denied, // decided on the committed MANUAL_REVIEW, not refused on the READY_FOR_SUBMISSION it read without the lock
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b := setup(t)
			a := b.application(t, customerOpts{})
			h := testdb.Hold(t, b.s, tc.hold, a.ID)
			var got banking.Application
			err := h.RequireWaits(t, testdb.ForUpdate("banking_applications"), func() error {
				var err error
				got, err = tc.op(b, a)
				return err
			})
			if tc.want == "" {
				require.NoError(t, err)
				require.Equal(t, tc.then, got.Status)
				return
			}
			requireCode(t, err, errcode.Conflict)
			require.ErrorContains(t, err, tc.want)
		})
	}
}

// TestCustomerRowLocks: another transaction changes the customer (or the
// individual) while a method that locks it runs; the method waits on its
// lock and then decides on the change.
func TestCustomerRowLocks(t *testing.T) {
	t.Parallel()
	t.Run("UpdateCustomer locks the customer", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		c := b.customer(t, customerOpts{})
		h := testdb.Hold(t, b.s, `UPDATE banking_customers SET status = 'CLOSED' WHERE id = ?`, c.ID)
		err := h.RequireWaits(t, testdb.ForUpdate("banking_customers"), func() error {
			_, err := b.svc.UpdateCustomer(b.ctx, b.org, c.ID, banking.ContactUpdate{Phone: ptr("+1234567899")})
			return err
		})
		requireCode(t, err, errcode.Conflict)
		require.ErrorContains(t, err, "CLOSED")
	})
	t.Run("SetCustomerStatus locks the customer", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		c := b.customer(t, customerOpts{})
		h := testdb.Hold(t, b.s, `UPDATE banking_customers SET status = 'CLOSED' WHERE id = ?`, c.ID)
		err := h.RequireWaits(t, testdb.ForUpdate("banking_customers"), func() error {
			_, err := b.svc.SetCustomerStatus(b.ctx, b.org, c.ID, banking.Frozen)
			return err
		})
		requireCode(t, err, errcode.Conflict)
		require.ErrorContains(t, err, "CLOSED")
	})
	t.Run("UpdateIndividual locks the customer", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		c := b.customer(t, customerOpts{Type: banking.TypeCorporation})
		h := testdb.Hold(t, b.s, `UPDATE banking_customers SET status = 'CLOSED' WHERE id = ?`, c.ID)
		err := h.RequireWaits(t, testdb.ForUpdate("banking_customers"), func() error {
			_, err := b.svc.UpdateIndividual(b.ctx, b.org, c.ID, c.Individuals[0].ID, banking.ContactUpdate{Phone: ptr("+1234567899")})
			return err
		})
		requireCode(t, err, errcode.Conflict)
		require.ErrorContains(t, err, "CLOSED")
	})
	t.Run("UpdateIndividual locks the individual", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		c := b.customer(t, customerOpts{Type: banking.TypeCorporation})
		ind := c.Individuals[0]
		h := testdb.Hold(t, b.s, `UPDATE banking_individuals SET email = 'changed.meanwhile@acmecorp.com' WHERE id = ?`, ind.ID)
		err := h.RequireWaits(t, testdb.ForUpdate("banking_individuals"), func() error {
			_, err := b.svc.UpdateIndividual(b.ctx, b.org, c.ID, ind.ID, banking.ContactUpdate{Phone: ptr("+1234567899")})
			return err
		})
		require.NoError(t, err)
		got, err := b.svc.Individual(b.ctx, b.org, c.ID, ind.ID)
		require.NoError(t, err)
		require.Equal(t, "+1234567899", got.Phone)
		require.Equal(t, "changed.meanwhile@acmecorp.com", got.Email, "the other transaction's change is not lost")
	})
}
