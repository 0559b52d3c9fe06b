package ussd_test

import (
	"crypto/rand"
	"errors"
	"testing"
	"time"

	"github.com/openvest/openvest/internal/auth"
	"github.com/openvest/openvest/internal/investing"
	"github.com/openvest/openvest/internal/market"
	"github.com/openvest/openvest/internal/testdb"
	"github.com/openvest/openvest/internal/trading"
	"github.com/openvest/openvest/internal/ussd"
	"github.com/stretchr/testify/require"
)

func TestMain(m *testing.M) { testdb.Main(m, "ussd") }

// TestProcessLocksTheSession: a step waits for another step of the same
// session (the row lock) and then sees where that one left the session:
// here, ended, so the late step answers that the session is gone.
func TestProcessLocksTheSession(t *testing.T) {
	t.Parallel()
	s := testdb.Postgres(t)
	stocks := investing.InvestmentType("INTERNATIONAL_STOCKS")
	a := auth.Organization{
		Name: "Org " + rand.Text()[:6], ClientID: "client_" + rand.Text(),
		InvestmentTypes: []string{string(stocks)}, DefaultInvestmentTypes: []string{string(stocks)},
		SignaturePolicy: auth.PolicyOptional, CreatedAt: time.Now().UTC(),
	}
	require.NoError(t, s.Auth().CreateOrganization(t.Context(), &a, auth.Hash("secret")))
	org := investing.Org{ID: a.ID, InvestmentTypes: []investing.InvestmentType{stocks}, Defaults: []investing.InvestmentType{stocks}}
	inv := investing.NewService(s.Investing(), time.Now)
	c, err := inv.CreateCustomer(t.Context(), org, investing.NewCustomer{FirstName: "Jane", LastName: "Banda"})
	require.NoError(t, err)
	svc := ussd.NewService(inv, trading.NewService(s.Trading(), market.NewSandbox(), nil, time.Now), s.USSD(), time.Now, time.Hour) // no order is placed: no scheduler
	v, err := svc.Start(t.Context(), org, c.ID)
	require.NoError(t, err)

	h := testdb.Hold(t, s, `UPDATE ussd_sessions SET state = 'EXIT' WHERE id = ?`, v.Session.ID)
	err = h.RequireWaits(t, testdb.ForUpdate("ussd_sessions"), func() error {
		_, err := svc.Process(t.Context(), org, v.Session.ID, "1")
		return err
	})
	require.True(t, errors.Is(err, ussd.ErrGone), "%v", err)
	require.ErrorContains(t, err, "has ended")
}
