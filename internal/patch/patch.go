// Package patch applies partial updates: an input field left nil keeps
// the value it would replace.
package patch

// Set stores *v in *dst when v is not nil; a nil v leaves *dst as it is.
//
//	patch.Set(&c.FirstName, in.FirstName) // in.FirstName is a *string
func Set[T any](dst, v *T) {
	if v != nil {
		*dst = *v
	}
}
