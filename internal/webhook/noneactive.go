package webhook

import (
	"context"

	"github.com/openvest/openvest/internal/txn"
)

// noneActive is the note (txn.Note) that a statement of the unit of work
// found no active webhook of the organization.
type noneActive struct{ orgID int64 }

// NoteNoneActive records, in the unit of work ctx carries, that a
// statement of it has just found no active webhook of organization orgID:
// the organization's next emission in the unit of work (httpapi.Events,
// the application's event.Emitter, takes the note before it renders the
// events) then records nothing without a statement (with no active
// webhook the emission's statement inserts no event and no delivery). A webhook that becomes
// active after that statement is in the position of one that became
// active after the emission's own: it gets the events of the changes that
// follow. The store's customer create reads it with its insert, so that
// a POST /v1/customers of an organization without webhooks makes no
// round trip for its five events.
func NoteNoneActive(ctx context.Context, orgID int64) { txn.Note(ctx, noneActive{orgID}) }

// TakeNoneActive reports whether NoteNoneActive was noted for orgID in
// the unit of work ctx carries, and forgets it (a note serves one
// emission).
func TakeNoneActive(ctx context.Context, orgID int64) bool {
	return txn.TakeNote(ctx, noneActive{orgID})
}
