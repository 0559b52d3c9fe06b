package investing_test

import (
	"context"
	"errors"
	"testing"

	"github.com/openvest/openvest/internal/event"
	"github.com/openvest/openvest/internal/investing"
	"github.com/stretchr/testify/require"
)

// recorder is an event.Emitter that keeps what it is given, or fails (as
// the outbox would on a database error).
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

// TestInvestingEmitsEachChange: a customer created hands its event, then
// each default account's and its portfolio's, with the values as stored;
// a suspension hands the customer's and those of every account and
// portfolio the cascade moved; and when the events cannot be recorded,
// nothing is written.
func TestInvestingEmitsEachChange(t *testing.T) {
	t.Parallel()
	b := setup(t)
	rec := &recorder{}
	b.svc.WithEvents(rec)
	c := b.customer(t, customerOpts{})
	bonds := b.accountOf(t, c.ID, investing.Bonds)
	crypto := b.accountOf(t, c.ID, investing.Crypto)
	require.Len(t, rec.got, 5)
	require.Equal(t, investing.CustomerCreated{Customer: c}, rec.got[0])
	for i, a := range []investing.Account{bonds, crypto} {
		require.Equal(t, investing.AccountCreated{Account: a}, rec.got[1+2*i])
		p := rec.got[2+2*i].(investing.PortfolioCreated).Portfolio
		require.Equal(t, b.portfolioOf(t, a).ID, p.ID, "the portfolio of account %d follows it", a.ID)
		require.Equal(t, &a.ID, p.AccountID)
	}

	rec.got = nil
	suspended := investing.Suspended
	c, err := b.svc.UpdateCustomer(b.ctx, b.org, investing.CustomerUpdate{ID: c.ID, Status: &suspended})
	require.NoError(t, err)
	require.Len(t, rec.got, 5)
	require.Equal(t, investing.CustomerUpdated{Customer: c}, rec.got[0])
	kinds := map[string]int{}
	for _, e := range rec.got[1:] {
		switch e := e.(type) {
		case investing.AccountUpdated:
			require.Equal(t, investing.Suspended, e.Account.Status)
		case investing.PortfolioUpdated:
			require.Equal(t, investing.Suspended, e.Portfolio.Status)
		}
		kinds[e.EventName()]++
	}
	require.Equal(t, map[string]int{"ACCOUNT.UPDATED": 2, "PORTFOLIO.UPDATED": 2}, kinds, "the cascade's events")

	broken := errors.New("outbox unavailable")
	rec.fail = broken
	_, err = b.svc.CreateCustomer(b.ctx, b.org, investing.NewCustomer{FirstName: "Mallory", LastName: "Zulu"})
	require.ErrorIs(t, err, broken)
	active := investing.Active
	_, err = b.svc.UpdateCustomer(b.ctx, b.org, investing.CustomerUpdate{ID: c.ID, Status: &active})
	require.ErrorIs(t, err, broken)
	page, err := b.svc.Customers(b.ctx, b.org, investing.CustomerFilter{}, investing.PageRequest{Limit: 10})
	require.NoError(t, err)
	require.Len(t, page.Items, 1, "the failed customer was not created")
	require.Equal(t, investing.Suspended, page.Items[0].Status, "the failed update wrote nothing")
}
