package market

import (
	"context"
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"sync"
	"time"

	"github.com/shopspring/decimal"
)

// Sandbox is the built-in Feed: the catalog below, with prices that walk
// deterministically from day to day around each instrument's reference
// price. A price holds for a whole UTC day; the walk is seeded by the
// symbol and the day, so every machine sees the same price for the same
// day. It stays within ±25% of the reference price (±3% for exchange rates).
type Sandbox struct {
	bySymbol map[string]int
	byID     map[int64]int
	mu       sync.Mutex
	walks    map[string]*walk
}

var _ Feed = (*Sandbox)(nil)

// NewSandbox returns the sandbox feed.
func NewSandbox() *Sandbox {
	s := &Sandbox{bySymbol: map[string]int{}, byID: map[int64]int{}, walks: map[string]*walk{}}
	for i, l := range catalog {
		s.bySymbol[l.Symbol] = i
		s.byID[l.ID] = i
	}
	return s
}

// anchor is the day every walk starts from, at its reference price.
var anchor = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

const (
	stockStep  = 150  // the largest daily move of a stock, in basis points
	stockBound = 2500 // the largest distance from the reference price, in basis points
	fxStep     = 20
	fxBound    = 300
)

// Instruments implements Feed.
func (s *Sandbox) Instruments(context.Context) ([]Instrument, error) {
	out := make([]Instrument, len(catalog))
	for i, l := range catalog {
		out[i] = l.Instrument
	}
	return out, nil
}

// Instrument implements Feed.
func (s *Sandbox) Instrument(_ context.Context, symbol string) (Instrument, error) {
	i, ok := s.bySymbol[symbol]
	if !ok {
		return Instrument{}, fmt.Errorf("symbol %q: %w", symbol, ErrUnknown)
	}
	return catalog[i].Instrument, nil
}

// InstrumentByID implements Feed.
func (s *Sandbox) InstrumentByID(_ context.Context, id int64) (Instrument, error) {
	i, ok := s.byID[id]
	if !ok {
		return Instrument{}, fmt.Errorf("instrument %d: %w", id, ErrUnknown)
	}
	return catalog[i].Instrument, nil
}

// ReferencePrice is the price an instrument's walk starts from.
func (s *Sandbox) ReferencePrice(symbol string) (decimal.Decimal, error) {
	i, ok := s.bySymbol[symbol]
	if !ok {
		return decimal.Decimal{}, fmt.Errorf("symbol %q: %w", symbol, ErrUnknown)
	}
	return decimal.RequireFromString(catalog[i].reference), nil
}

// Price implements Feed: the reference price moved by the day's walk,
// rounded to the cent.
func (s *Sandbox) Price(_ context.Context, symbol string, at time.Time) (decimal.Decimal, error) {
	i, ok := s.bySymbol[symbol]
	if !ok {
		return decimal.Decimal{}, fmt.Errorf("symbol %q: %w", symbol, ErrUnknown)
	}
	ref := decimal.RequireFromString(catalog[i].reference)
	p := scale(ref, s.offset(symbol, stockStep, stockBound, at)).Round(2)
	if p.LessThan(cent) {
		p = cent
	}
	return p, nil
}

var cent = decimal.New(1, -2)

// rates are the reference rates: US dollars per unit of currency.
var rates = map[Currency]string{
	USD:   "1",
	"EUR": "1.085",
	"ZMW": "0.0378",
}

// Rate implements Feed: USD is 1; the others walk around their reference
// rate, rounded to 8 decimal places.
func (s *Sandbox) Rate(_ context.Context, c Currency, at time.Time) (decimal.Decimal, error) {
	ref, ok := rates[c]
	if !ok {
		return decimal.Decimal{}, fmt.Errorf("currency %q: %w", c, ErrUnknown)
	}
	if c == USD {
		return decimal.NewFromInt(1), nil
	}
	return scale(decimal.RequireFromString(ref), s.offset("fx:"+string(c), fxStep, fxBound, at)).Round(8), nil
}

// scale moves v by bp basis points.
func scale(v decimal.Decimal, bp int64) decimal.Decimal {
	return v.Mul(decimal.NewFromInt(10000 + bp)).Div(decimal.NewFromInt(10000))
}

// walk caches a series' daily offsets from the anchor day: after[n] is the
// offset n+1 days after it, before[n] n+1 days before it.
type walk struct {
	after, before []int64
}

// offset is the series' distance from its reference, in basis points, on
// the UTC day of at: a bounded walk whose daily step is drawn from a hash
// of the series and the day.
func (s *Sandbox) offset(series string, step, bound int64, at time.Time) int64 {
	since := at.Sub(anchor)
	day := int64(since / (24 * time.Hour))
	if since < 0 && since%(24*time.Hour) != 0 {
		day-- // floor, not truncation toward zero
	}
	if day == 0 {
		return 0
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	w := s.walks[series]
	if w == nil {
		w = &walk{}
		s.walks[series] = w
	}
	steps, dir := &w.after, int64(1)
	n := day
	if day < 0 {
		steps, dir, n = &w.before, -1, -day
	}
	for int64(len(*steps)) < n {
		prev := int64(0)
		if k := len(*steps); k > 0 {
			prev = (*steps)[k-1]
		}
		d := dir * int64(len(*steps)+1)
		next := min(max(prev+drawStep(series, d, step), -bound), bound)
		*steps = append(*steps, next)
	}
	return (*steps)[n-1]
}

// drawStep is the series' step on day d: an integer in [-step, step].
func drawStep(series string, d, step int64) int64 {
	h := fnv.New64a()
	h.Write([]byte(series))
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], uint64(d))
	h.Write(b[:])
	return int64(h.Sum64()%uint64(2*step+1)) - step
}

func mustDecimal(s string) decimal.Decimal { return decimal.RequireFromString(s) }
