package txn_test

import (
	"context"
	"testing"

	"github.com/openvest/openvest/internal/txn"
)

type fact struct{ org int64 }

// TestNote: a note lives in one run of a unit of work and serves one
// TakeNote; outside a unit of work nothing is noted.
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

	txn.Note(run, fact{3})
	again, _ := txn.Track(bare) // the next run of the unit of work starts without notes
	if txn.TakeNote(again, fact{3}) {
		t.Fatal("a note crossed into another run")
	}
}
