package store_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/openvest/openvest/internal/testdb"
	"github.com/openvest/openvest/internal/txn"
	"github.com/stretchr/testify/require"
)

type retriedNote struct{}

// TestNotesDoNotCrossRetries: a transaction the database aborted for a
// serialization failure runs again from the start, and its second run
// does not see what the first noted (txn.Note): the first run's
// statements were rolled back, so what they found is no longer known.
func TestNotesDoNotCrossRetries(t *testing.T) {
	t.Parallel()
	s := testdb.Postgres(t)
	var took []bool
	err := s.WithTx(t.Context(), func(ctx context.Context) error {
		took = append(took, txn.TakeNote(ctx, retriedNote{}))
		txn.Note(ctx, retriedNote{})
		if len(took) == 1 {
			return &pgconn.PgError{Code: "40001", Message: "could not serialize access"}
		}
		return nil
	})
	require.NoError(t, err)
	require.Equal(t, []bool{false, false}, took, "two runs, neither finding the note of the one before")
}
