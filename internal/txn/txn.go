// Package txn declares the unit of work the domain services open: one
// database transaction, carried by the context.
//
// A service method that changes state opens it with WithTx and passes the
// context fn receives to everything inside: every repository call, event,
// job insert and idempotency record made with that context joins the one
// transaction, and all of it commits together or not at all. Opening a
// unit of work with a context that already carries one joins it instead
// (units of work do not nest), which is how the HTTP layer makes a
// business change and the response stored for its idempotency key commit
// together.
//
// The package imports nothing but the standard library, so that every
// domain package can depend on it; the store implements it.
package txn

import "context"

// Transactor runs units of work.
type Transactor interface {
	// WithTx runs fn in one database transaction that the context fn
	// receives carries, joining the one ctx carries if there is one. The
	// transaction commits when fn returns nil and rolls back otherwise;
	// the outermost one may run fn again, from the start, when the
	// database aborted it for losing a race with another transaction.
	WithTx(ctx context.Context, fn func(ctx context.Context) error) error
}
