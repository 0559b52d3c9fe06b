package txn

import (
	"context"
	"sync"
)

// AfterCommit runs fn once the unit of work ctx carries has committed, and
// never if it rolls back (nor for a run of it that the Transactor runs
// again); without a unit of work it runs fn at once. For what must follow
// the commit and not precede it, such as dropping a cache of what the
// transaction changes: dropped before the commit, it could be filled again
// from the rows as they were.
func AfterCommit(ctx context.Context, fn func()) {
	if h, ok := ctx.Value(hooksKey{}).(*hooks); ok {
		h.mu.Lock()
		h.fns = append(h.fns, fn)
		h.mu.Unlock()
		return
	}
	fn()
}

// Track is for Transactor implementations: it returns ctx carrying the
// after-commit functions (and the notes: Note) of one run of an outermost
// transaction, and the function that runs them, to call once that run has
// committed.
func Track(ctx context.Context) (context.Context, func()) {
	h := &hooks{}
	return context.WithValue(ctx, hooksKey{}, h), func() {
		h.mu.Lock()
		fns := h.fns
		h.fns = nil
		h.mu.Unlock()
		for _, fn := range fns {
			fn()
		}
	}
}

type hooksKey struct{}

type hooks struct {
	mu    sync.Mutex
	fns   []func()
	notes map[any]struct{} // Note
}
