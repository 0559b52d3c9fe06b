package store

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestArgListSharesEqualValuesOfOneType: an equal value of the same SQL
// type is one argument; the same value as another type, or a different
// value, is another; the key tells the patterns apart.
func TestArgListSharesEqualValuesOfOneType(t *testing.T) {
	now := time.Date(2030, 1, 2, 3, 4, 5, 6000, time.UTC)
	var l argList
	ref := "0"
	uses := []int{
		l.bigint(7), l.text("ACTIVE"), l.timestamptz(now),
		l.bigint(7), l.text("ACTIVE"), l.timestamptz(now),
		l.text("7"), l.numeric("0"), l.optionalText(&ref), l.nullText(), l.optionalText(nil),
		l.timestamptz(now.Add(time.Microsecond)),
	}
	require.Equal(t, []int{0, 1, 2, 0, 1, 2, 3, 4, 5, 6, 6, 7}, uses)
	require.Equal(t, []any{int64(7), "ACTIVE", now, "7", "0", "0", nil, now.Add(time.Microsecond)}, l.args)
	require.Equal(t, "CAST($2 AS text)", l.placeholder(1))
	require.Equal(t, "CAST($8 AS timestamptz)", l.placeholder(7))

	var same, other argList
	for _, v := range []string{"a", "b", "a"} {
		same.text(v)
	}
	for _, v := range []string{"a", "b", "b"} {
		other.text(v)
	}
	require.NotEqual(t, same.key(), other.key(), "which values repeat changes the statement")
	var again argList
	for _, v := range []string{"x", "y", "x"} {
		again.text(v)
	}
	require.Equal(t, same.key(), again.key(), "the same pattern of other values is the same statement")
}
