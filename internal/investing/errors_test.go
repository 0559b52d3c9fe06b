package investing_test

import (
	"context"
	"errors"
	"testing"

	"github.com/openvest/openvest/internal/errcode"
	"github.com/openvest/openvest/internal/investing"
	"github.com/stretchr/testify/require"
)

// failingPortfolios is the store's repository with CreatePortfolios
// failing as the database would.
type failingPortfolios struct {
	investing.Repository
	err error
}

func (r failingPortfolios) CreatePortfolios(context.Context, []*investing.Portfolio) error {
	return r.err
}

// TestErrorsSayWhatWasAttempted: an internal error leaves a service method
// with what the method and its step were attempting (what a 500's log line
// shows), the cause still found by errors.Is; a domain error keeps its
// code and its message (what the client is shown) through the wrapping.
func TestErrorsSayWhatWasAttempted(t *testing.T) {
	t.Parallel()
	b := setup(t)
	boom := errors.New("connection reset by the database")
	svc := investing.NewService(failingPortfolios{Repository: b.s.Investing(), err: boom}, b.clock.Now)
	_, err := svc.CreateCustomer(b.ctx, b.org, investing.NewCustomer{FirstName: "Ada", LastName: "Obi"})
	require.ErrorIs(t, err, boom)
	require.Regexp(t, `^create customer of organization \d+: create customer \d+ portfolios: connection reset by the database$`, err.Error())

	ref := "ref-wrapped"
	_, err = b.svc.CreateCustomer(b.ctx, b.org, investing.NewCustomer{FirstName: "Ada", LastName: "Obi", ReferenceID: &ref})
	require.NoError(t, err)
	_, err = b.svc.CreateCustomer(b.ctx, b.org, investing.NewCustomer{FirstName: "Ada", LastName: "Obi", ReferenceID: &ref})
	e, ok := errcode.As(err)
	require.True(t, ok, "%v", err)
	require.Equal(t, errcode.Conflict, e.Code)
	require.NotContains(t, e.Message, "create customer of organization", "the client's message is the domain error's own")
	require.Contains(t, err.Error(), "create customer of organization", "the log line says what was attempted")
}
