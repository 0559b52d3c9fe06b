package market_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/openvest/openvest/internal/market"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"
)

func TestCatalog(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := market.NewSandbox()
	all, err := s.Instruments(ctx)
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(all), 30)
	symbols := map[string]bool{}
	fractional, whole, unavailable := 0, 0, 0
	for i, inst := range all {
		require.Equal(t, int64(i+1), inst.ID, "ids are 1..n in catalog order and never renumbered")
		require.False(t, symbols[inst.Symbol], "duplicate symbol %s", inst.Symbol)
		symbols[inst.Symbol] = true
		require.Equal(t, market.InternationalStocks, inst.InvestmentType)
		require.True(t, inst.MinimumAmount.IsPositive())
		require.NotEmpty(t, inst.Name)
		switch {
		case !inst.IsAvailable:
			unavailable++
		case inst.FractionalEnabled:
			fractional++
		default:
			whole++
		}
		byID, err := s.InstrumentByID(ctx, inst.ID)
		require.NoError(t, err)
		require.Equal(t, inst, byID)
		bySymbol, err := s.Instrument(ctx, inst.Symbol)
		require.NoError(t, err)
		require.Equal(t, inst, bySymbol)
	}
	require.Positive(t, fractional)
	require.Positive(t, whole)
	require.Positive(t, unavailable)
	require.Equal(t, "AAPL", all[0].Symbol, "instrument 1 is AAPL, and stays so")

	_, err = s.Instrument(ctx, "NOPE")
	require.True(t, errors.Is(err, market.ErrUnknown))
	_, err = s.InstrumentByID(ctx, 9999)
	require.True(t, errors.Is(err, market.ErrUnknown))
}

func TestPricesAreDeterministicDailyAndBounded(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	a, b := market.NewSandbox(), market.NewSandbox()
	day := time.Date(2027, 3, 14, 9, 30, 0, 0, time.UTC)
	p1, err := a.Price(ctx, "MSFT", day)
	require.NoError(t, err)
	p2, err := b.Price(ctx, "MSFT", day.Add(14*time.Hour)) // same UTC day, another feed
	require.NoError(t, err)
	require.True(t, p1.Equal(p2), "%s != %s", p1, p2)
	require.True(t, p1.Equal(p1.Round(2)), "prices are to the cent: %s", p1)

	ref, err := a.ReferencePrice("MSFT")
	require.NoError(t, err)
	lo, hi := ref.Mul(decimal.RequireFromString("0.75")), ref.Mul(decimal.RequireFromString("1.25"))
	moved := 0
	prev := decimal.Zero
	for d := -400; d < 800; d++ {
		p, err := a.Price(ctx, "MSFT", day.AddDate(0, 0, d))
		require.NoError(t, err)
		require.True(t, p.GreaterThanOrEqual(lo.Round(2)) && p.LessThanOrEqual(hi.Round(2)), "day %d: %s outside ±25%% of %s", d, p, ref)
		if !p.Equal(prev) {
			moved++
		}
		prev = p
	}
	require.Greater(t, moved, 1000, "the price walks from day to day")

	// The anchor day is the reference price.
	p, err := a.Price(ctx, "MSFT", time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC))
	require.NoError(t, err)
	require.True(t, p.Equal(ref))
	_, err = a.Price(ctx, "NOPE", day)
	require.True(t, errors.Is(err, market.ErrUnknown))
}

func TestRates(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := market.NewSandbox()
	at := time.Date(2027, 6, 1, 0, 0, 0, 0, time.UTC)
	usd, err := s.Rate(ctx, market.USD, at)
	require.NoError(t, err)
	require.Equal(t, "1", usd.String())
	zmw, err := s.Rate(ctx, "ZMW", at)
	require.NoError(t, err)
	require.True(t, zmw.GreaterThan(decimal.RequireFromString("0.036")) && zmw.LessThan(decimal.RequireFromString("0.040")), "ZMW/USD %s", zmw)
	eur, err := s.Rate(ctx, "EUR", at)
	require.NoError(t, err)
	require.True(t, eur.GreaterThan(decimal.RequireFromString("1.05")) && eur.LessThan(decimal.RequireFromString("1.12")), "EUR/USD %s", eur)
	again, err := market.NewSandbox().Rate(ctx, "ZMW", at)
	require.NoError(t, err)
	require.True(t, zmw.Equal(again))
	_, err = s.Rate(ctx, "GBP", at)
	require.True(t, errors.Is(err, market.ErrUnknown))
}
