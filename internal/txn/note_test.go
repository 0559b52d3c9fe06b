package txn_test

import (
	"context"
	"testing"

	"github.com/openvest/openvest/internal/txn"
)

type fact struct{ org int64 }

// TestNote: a note serves one TakeNote in the unit of work it was made in;
// outside a unit of work nothing is noted. (That a run of a transaction
// the store runs again starts without the notes of the run before:
// store's TestNotesDoNotCrossRetries.)
func TestNote(t *testing.T) {
	bare := context.Background()
	txn.Note(bare, fact{1})
	if txn.TakeNote(bare, fact{1}) {
		t.Fatal("a note without a unit of work was kept")
	}

	run, _ := txn.Track(bare)
	if txn.TakeNote(run, fact{1}) {
		t.Fatal("a note that was never made was taken")
	}
	txn.Note(run, fact{1})
	if txn.TakeNote(run, fact{2}) {
		t.Fatal("the note of another fact was taken")
	}
	if !txn.TakeNote(run, fact{1}) {
		t.Fatal("the note was not taken")
	}
	if txn.TakeNote(run, fact{1}) {
		t.Fatal("a note was taken twice")
	}
}
