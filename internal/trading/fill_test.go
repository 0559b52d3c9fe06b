package trading

import (
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"
)

func d(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func ptr(s string) *decimal.Decimal { v := d(s); return &v }

func TestBuy(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, amount, rate, price string
		fractional                bool
		qty, value, uninvested    string
		reason                    string
	}{
		{"fractional, truncated to 8 places", "100", "1", "230", true, "0.4347826", "100", "0", ""},
		{"kwacha, converted down to the cent", "500", "0.0378", "231.45", true, "0.08165910", "18.90", "0", ""},
		{"whole shares, the rest uninvested", "50", "1", "10.25", false, "4", "41", "9", ""},
		{"not one whole share", "10", "1", "10.25", false, "", "", "", "does not buy one share of X"},
		{"less than the smallest fraction", "0.01", "1", "1000000.01", true, "", "", "", "less than 0.00000001 share"},
		{"euros", "100", "1.085", "100", true, "1.085", "108.5", "0", ""},
	} {
		f, reason := buy(d(tc.amount), quote{Symbol: "X", Price: d(tc.price), Rate: d(tc.rate), Fractional: tc.fractional})
		if tc.reason != "" {
			require.Contains(t, reason, tc.reason, tc.name)
			continue
		}
		require.Empty(t, reason, tc.name)
		require.Equal(t, d(tc.qty).String(), f.Quantity.String(), tc.name)
		require.Equal(t, d(tc.value).String(), f.Value.String(), tc.name)
		require.Equal(t, d(tc.uninvested).String(), f.Uninvested.String(), tc.name)
		require.True(t, f.Value.LessThanOrEqual(d(tc.amount).Mul(d(tc.rate))), "%s: never spends more than given", tc.name)
	}
}

func TestSell(t *testing.T) {
	t.Parallel()
	q := quote{Symbol: "X", Price: d("40"), Rate: d("1"), Fractional: true}
	f, reason := sell(d("2.5"), nil, ptr("50"), q)
	require.Empty(t, reason)
	require.Equal(t, "1.25", f.Quantity.String())
	require.Equal(t, "50", f.Amount.String())

	f, reason = sell(d("0.33333333"), nil, ptr("100"), q)
	require.Empty(t, reason)
	require.Equal(t, "0.33333333", f.Quantity.String(), "100% sells every share, not a rounded share of them")

	f, reason = sell(d("3"), ptr("60"), nil, q)
	require.Empty(t, reason)
	require.Equal(t, "1.5", f.Quantity.String())

	_, reason = sell(d("1"), ptr("60"), nil, q)
	require.Equal(t, "selling 1.5 shares of X (sellAmount 60 at 40 USD a share) exceeds the 1 shares held", reason)
	_, reason = sell(d("0"), nil, ptr("100"), q)
	require.Contains(t, reason, "nothing to sell")

	whole := quote{Symbol: "F", Price: d("10"), Rate: d("1")}
	f, reason = sell(d("5"), nil, ptr("50"), whole)
	require.Empty(t, reason)
	require.Equal(t, "2", f.Quantity.String(), "whole shares: half of 5 is 2")
	_, reason = sell(d("5"), ptr("5"), nil, whole)
	require.Contains(t, reason, "less than the smallest tradable quantity")

	kwacha := quote{Symbol: "X", Price: d("40"), Rate: d("0.0378"), Fractional: true}
	f, reason = sell(d("1"), nil, ptr("100"), kwacha)
	require.Empty(t, reason)
	require.Equal(t, "1058.2", f.Amount.String(), "40 USD / 0.0378 = 1058.201…, down to the ngwee")
}

func TestPerformance(t *testing.T) {
	t.Parallel()
	require.Equal(t, "10", performance(d("110"), d("100")).String())
	require.Equal(t, "-33.33", performance(d("2"), d("3")).String())
	require.Equal(t, "0", performance(d("5"), d("0")).String())
}

func TestScheduleCycles(t *testing.T) {
	t.Parallel()
	anchor := time.Date(2031, 1, 31, 9, 15, 0, 0, time.UTC)
	require.Equal(t, anchor.AddDate(0, 0, 3), Daily.Cycle(anchor, 3))
	require.Equal(t, anchor.AddDate(0, 0, 21), Weekly.Cycle(anchor, 3))
	require.Equal(t, anchor.AddDate(0, 0, 28), BiWeekly.Cycle(anchor, 2))
	// Monthly keeps the day of the month, or the month's last day.
	require.Equal(t, time.Date(2031, 2, 28, 9, 15, 0, 0, time.UTC), Monthly.Cycle(anchor, 1))
	require.Equal(t, time.Date(2031, 3, 31, 9, 15, 0, 0, time.UTC), Monthly.Cycle(anchor, 2))
	require.Equal(t, time.Date(2031, 4, 30, 9, 15, 0, 0, time.UTC), Monthly.Cycle(anchor, 3))
	require.Equal(t, time.Date(2032, 2, 29, 9, 15, 0, 0, time.UTC), Monthly.Cycle(anchor, 13), "leap year")
	require.True(t, Weekly.Recurring())
	require.False(t, Once.Recurring())
}
