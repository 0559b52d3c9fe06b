package store_test

import (
	"testing"
	"time"

	"github.com/openvest/openvest/internal/errcode"
	"github.com/openvest/openvest/internal/store"
	"github.com/openvest/openvest/internal/ussd"
	"github.com/stretchr/testify/require"
)

func TestUSSDSessions(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, s *store.Store) {
		f := setup(t, s)
		c := f.customer(t, f.org, customerOpts{})
		repo := s.USSD()
		x := ussd.Session{ID: "ussd_0123456789abcdef0123456789abcdef", OrganizationID: f.org, CustomerID: c.ID, State: ussd.Home,
			ExpiresAt: t0.Add(5 * time.Minute), CreatedAt: t0, UpdatedAt: t0}
		require.NoError(t, repo.CreateSession(f.ctx, &x))

		got, err := repo.Session(f.ctx, f.org, x.ID, false)
		require.NoError(t, err)
		require.Equal(t, x, got)
		_, err = repo.Session(f.ctx, f.other, x.ID, true)
		require.True(t, errcode.Is(err, errcode.NotFound), "%v", err)

		x.State, x.Data = ussd.ConfirmOrder, ussd.Data{Symbol: "AAPL", OrderType: "PURCHASE", Amount: "500.50", Page: 2}
		x.ExpiresAt, x.UpdatedAt = t0.Add(9*time.Minute), t0.Add(4*time.Minute)
		require.NoError(t, repo.SaveSession(f.ctx, &x))
		got, err = repo.Session(f.ctx, f.org, x.ID, false)
		require.NoError(t, err)
		require.Equal(t, x, got)

		// Another organization's save changes nothing.
		stray := x
		stray.OrganizationID, stray.State = f.other, ussd.Exit
		require.NoError(t, repo.SaveSession(f.ctx, &stray))
		got, err = repo.Session(f.ctx, f.org, x.ID, false)
		require.NoError(t, err)
		require.Equal(t, ussd.ConfirmOrder, got.State)

		// The database refuses a malformed id and another organization's customer.
		bad := x
		bad.ID = "ussd_short"
		require.Error(t, repo.CreateSession(f.ctx, &bad))
		foreign := x
		foreign.ID, foreign.OrganizationID = "ussd_fedcba9876543210fedcba9876543210", f.other
		require.Error(t, repo.CreateSession(f.ctx, &foreign))
	})
}
