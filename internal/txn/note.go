package txn

import "context"

// Note records fact in the unit of work ctx carries, for one later
// TakeNote of it in the same run of that unit of work: a statement's
// finding that the code after it may rely on instead of reading again
// (the store's customer create, for one, reads whether the organization
// has any active webhook with its insert). Without a unit of work it
// records nothing: outside a transaction what a statement found may have
// changed before the next one. fact must be comparable.
func Note(ctx context.Context, fact any) {
	if h, ok := ctx.Value(hooksKey{}).(*hooks); ok {
		h.mu.Lock()
		if h.notes == nil {
			h.notes = make(map[any]struct{}, 1)
		}
		h.notes[fact] = struct{}{}
		h.mu.Unlock()
	}
}

// TakeNote reports whether fact was noted in the unit of work ctx carries,
// and forgets it: each note is used at most once, by the code that
// follows the statement that found it.
func TakeNote(ctx context.Context, fact any) bool {
	h, ok := ctx.Value(hooksKey{}).(*hooks)
	if !ok {
		return false
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, ok := h.notes[fact]; !ok {
		return false
	}
	delete(h.notes, fact)
	return true
}
