package ussd

import (
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"
)

// TestPagesFitTheScreen: every page of a long list, with its header,
// footer and "Next" line, fits MaxText; the pages cover every item once,
// in order; at most 8 items a page.
func TestPagesFitTheScreen(t *testing.T) {
	t.Parallel()
	for _, width := range []int{5, 20, 60} {
		var items []string
		for i := range 40 {
			items = append(items, fmt.Sprintf("8. %s", strings.Repeat("x", width-3+i%3)))
		}
		var seen []string
		for page := 1; page <= len(items)+1; page++ {
			start, end, p, more := pageOf("Choose a stock", items, []string{"0. Home"}, "9. Next", page)
			require.Equal(t, page, p)
			require.LessOrEqual(t, end-start, 8)
			require.Greater(t, end, start)
			lines := append([]string{"Choose a stock"}, items[start:end]...)
			if more {
				lines = append(lines, "9. Next")
			}
			lines = append(lines, "0. Home")
			require.LessOrEqual(t, utf8.RuneCountInString(strings.Join(lines, "\n")), MaxText, "width %d page %d", width, page)
			seen = append(seen, items[start:end]...)
			if !more {
				break
			}
		}
		require.Equal(t, items, seen, "width %d", width)
	}
	// A page past the end is the last; an empty list is one empty page.
	_, _, p, more := pageOf("h", []string{"a", "b"}, nil, "9. Next", 7)
	require.Equal(t, 1, p)
	require.False(t, more)
	start, end, p, more := pageOf("h", nil, nil, "9. Next", 1)
	require.Equal(t, []int{0, 0, 1}, []int{start, end, p})
	require.False(t, more)
}

func TestFitTextCutsToTheScreen(t *testing.T) {
	t.Parallel()
	long := fitText(strings.Repeat("é", 100), strings.Repeat("b", 100))
	require.Equal(t, MaxText, utf8.RuneCountInString(long))
	require.True(t, strings.HasSuffix(long, "…"))
	require.Equal(t, "a\nb", fitText("a", "b"))
}
