package store

import "fmt"

// wrapf says what a repository method was attempting when err happened:
// "read customer 12 of organization 3: …". It returns nil for nil. A
// domain error (*errcode.Error: NotFound, Conflict) stays what errors.As
// and errcode.As find, with its client-facing message unchanged; the
// wrapping shows in err.Error(), which is what the 500 path logs.
func wrapf(err error, format string, args ...any) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf(format+": %w", append(args, err)...)
}
