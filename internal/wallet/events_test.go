package wallet_test

import (
	"context"
	"errors"
	"testing"

	"github.com/openvest/openvest/internal/event"
	"github.com/openvest/openvest/internal/wallet"
	"github.com/stretchr/testify/require"
)

// recorder is an event.Emitter that keeps what it is given, or fails.
type recorder struct {
	got  []event.Event
	fail error
}

func (r *recorder) Emit(_ context.Context, _ int64, events ...event.Event) error {
	if r.fail != nil {
		return r.fail
	}
	r.got = append(r.got, events...)
	return nil
}

// TestWalletEmitsEachChange: a customer created (with its account),
// updated, and another account opened each hand their events and values
// to Events; when the events cannot be recorded, nothing is written.
func TestWalletEmitsEachChange(t *testing.T) {
	t.Parallel()
	b := setup(t)
	rec := &recorder{}
	b.svc.WithEvents(rec)
	ctx := t.Context()
	c, a, err := b.svc.CreateCustomer(ctx, b.org, b.cp.GUID, wallet.NewCustomer{AssetCode: "ZMWT", AssetIssuer: usdcIssuer, Login: ptr("eve")})
	require.NoError(t, err)
	_, err = b.svc.UpdateCustomer(ctx, b.org, b.cp.GUID, c.GUID, wallet.CustomerUpdate{Name: ptr("Eve")})
	require.NoError(t, err)
	a2, err := b.svc.CreateAccount(ctx, b.org, b.cp.GUID, c.GUID, nil)
	require.NoError(t, err)
	require.Len(t, rec.got, 4)
	require.Equal(t, wallet.CustomerCreated{Customer: c}, rec.got[0])
	require.Equal(t, wallet.AccountCreated{Account: a}, rec.got[1])
	require.IsType(t, wallet.CustomerUpdated{}, rec.got[2])
	require.Equal(t, "Eve", *rec.got[2].(wallet.CustomerUpdated).Customer.Name)
	require.Equal(t, wallet.AccountCreated{Account: a2}, rec.got[3])

	broken := errors.New("outbox unavailable")
	rec.fail = broken
	_, _, err = b.svc.CreateCustomer(ctx, b.org, b.cp.GUID, wallet.NewCustomer{AssetCode: "ZMWT", AssetIssuer: usdcIssuer, Login: ptr("mallory")})
	require.ErrorIs(t, err, broken)
	_, err = b.svc.UpdateCustomer(ctx, b.org, b.cp.GUID, c.GUID, wallet.CustomerUpdate{Name: ptr("Mallory")})
	require.ErrorIs(t, err, broken)
	_, err = b.svc.CreateAccount(ctx, b.org, b.cp.GUID, c.GUID, nil)
	require.ErrorIs(t, err, broken)
	got, err := b.svc.Customer(ctx, b.org, b.cp.GUID, c.GUID)
	require.NoError(t, err)
	require.Equal(t, "Eve", *got.Name, "the failed update wrote nothing")
	accounts, err := b.svc.Accounts(ctx, b.org, b.cp.GUID, c.GUID, nil)
	require.NoError(t, err)
	require.Len(t, accounts, 2, "the failed account was not opened")
	page, err := b.svc.Customers(ctx, b.org, b.cp.GUID, wallet.CustomerFilter{}, wallet.ListRequest{})
	require.NoError(t, err)
	require.Equal(t, int64(1), page.Total, "the failed customer was not created")
}
