package banking_test

import (
	"testing"

	"github.com/openvest/openvest/internal/banking"
	"github.com/stretchr/testify/require"
)

// referenceTransitions is the customer status table of the reference
// documentation, written out again here so that the machine is checked
// against it rather than against itself.
var referenceTransitions = map[banking.CustomerStatus][]banking.CustomerStatus{
	banking.Pending: {banking.Active, banking.Closed},
	banking.Active:  {banking.EDD, banking.Dormant, banking.Closed, banking.Frozen},
	banking.EDD:     {banking.Active, banking.Closed, banking.Frozen},
	banking.Frozen:  {banking.Active, banking.Closed, banking.EDD},
	banking.Dormant: {banking.Active, banking.Closed, banking.EDD},
	banking.Closed:  {},
}

// allowedByReference reports whether the reference table allows from → to.
func allowedByReference(from, to banking.CustomerStatus) bool {
	for _, s := range referenceTransitions[from] {
		if s == to {
			return true
		}
	}
	return false
}

// TestCustomerStatusMatrix checks every pair of statuses, the same status
// twice included: the allowed moves pass and every other one is refused.
func TestCustomerStatusMatrix(t *testing.T) {
	t.Parallel()
	require.Len(t, banking.CustomerStatuses, len(referenceTransitions))
	allowed := 0
	for _, from := range banking.CustomerStatuses {
		require.True(t, from.Valid())
		for _, to := range banking.CustomerStatuses {
			want := allowedByReference(from, to)
			require.Equal(t, want, from.CanMoveTo(to), "%s → %s", from, to)
			if want {
				allowed++
			}
		}
	}
	require.Equal(t, 15, allowed, "the reference table has 15 moves")
	require.False(t, banking.CustomerStatus("SUSPENDED").Valid())
}

func TestApplicationStatusMachine(t *testing.T) {
	t.Parallel()
	moves := map[banking.ApplicationStatus][]banking.ApplicationStatus{
		banking.Draft:              {banking.ReadyForSubmission},
		banking.ReadyForSubmission: {banking.Draft, banking.Submitted},
		banking.Submitted:          {banking.ManualReview, banking.Approved, banking.Denied},
		banking.ManualReview:       {banking.Approved, banking.Denied},
	}
	for _, from := range banking.ApplicationStatuses {
		for _, to := range banking.ApplicationStatuses {
			want := false
			for _, s := range moves[from] {
				want = want || s == to
			}
			require.Equal(t, want, from.CanMoveTo(to), "%s → %s", from, to)
		}
		require.Equal(t, from == banking.Draft || from == banking.ReadyForSubmission, from.Editable(), from)
	}
}
