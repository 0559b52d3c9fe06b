package store

import (
	"reflect"
	"testing"

	"github.com/openvest/openvest/internal/wallet"
	"github.com/stretchr/testify/require"
)

// TestUnfiltered: empty non-nil list filters are no condition, and every
// field of the filter (one at a time, including any field added later)
// makes the list filtered, so that it is counted rather than given the
// counterparty's total.
func TestUnfiltered(t *testing.T) {
	t.Parallel()
	var empty wallet.CustomerFilter
	v := reflect.ValueOf(&empty).Elem()
	for i := range v.NumField() {
		if f := v.Field(i); f.Kind() == reflect.Slice {
			f.Set(reflect.MakeSlice(f.Type(), 0, 0))
		}
	}
	require.True(t, unfiltered(empty), "empty, non-nil slices")
	require.True(t, unfiltered(wallet.CustomerFilter{}))

	for i := range v.NumField() {
		var f wallet.CustomerFilter
		fv := reflect.ValueOf(&f).Elem().Field(i)
		switch fv.Kind() {
		case reflect.Slice:
			fv.Set(reflect.MakeSlice(fv.Type(), 1, 1))
		case reflect.Pointer:
			fv.Set(reflect.New(fv.Type().Elem()))
		case reflect.String:
			fv.SetString("jane")
		default:
			t.Fatalf("field %s: kind %s is not covered by this test", v.Type().Field(i).Name, fv.Kind())
		}
		require.False(t, unfiltered(f), "field %s set", v.Type().Field(i).Name)
	}
}
