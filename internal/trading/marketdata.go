package trading

import (
	"context"
	"time"

	"github.com/openvest/openvest/internal/errcode"
	"github.com/openvest/openvest/internal/investing"
	"github.com/openvest/openvest/internal/market"
	"github.com/shopspring/decimal"
)

// TimeFrame is the length of a market data bar.
type TimeFrame string

// The bar lengths.
const (
	Hour TimeFrame = "1h"
	Day  TimeFrame = "1d"
	Week TimeFrame = "1w"
)

// MaxBars bounds the number of bars one market data range covers.
const MaxBars = 10000

func (f TimeFrame) duration() (time.Duration, int64, error) {
	switch f {
	case Hour:
		return time.Hour, 1, nil
	case Day:
		return 24 * time.Hour, 2, nil
	case Week:
		return 7 * 24 * time.Hour, 3, nil
	}
	return 0, 0, errcode.New(errcode.Invalid, "timeFrame is 1h, 1d or 1w, not %q", string(f))
}

// align is the start of the bar of length d containing t: hours and days
// from midnight UTC, weeks from Monday.
func align(t time.Time, f TimeFrame, d time.Duration) time.Time {
	t = t.UTC()
	if f == Week {
		day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
		return day.AddDate(0, 0, -((int(day.Weekday()) + 6) % 7))
	}
	return t.Truncate(d)
}

// Bar is one OHLCV bar of an instrument, in US dollars.
type Bar struct {
	ID                     int64
	Instrument             market.Instrument
	Open, High, Low, Close decimal.Decimal
	Volume                 int64
	Start, End             time.Time
	TimeFrame              TimeFrame
	// UpdatedAt is the bar's last instant so far: its end, or now for the bar in progress.
	UpdatedAt time.Time
}

// BarQuery selects market data bars. Zero Start/End take the defaults
// (End now, Start 30 bars before End); an empty TimeFrame is Day.
type BarQuery struct {
	InstrumentID *int64 // nil: every instrument
	Start, End   *time.Time
	TimeFrame    TimeFrame
}

// Bars lists one page of OHLCV bars: the bars of the time frame that
// overlap [Start, End) and start no later than the organization's now,
// ordered by start then instrument id. A bar's close is the price a fill
// at its last instant uses (price below, with the organization's sandbox
// prices). Invalid: Start after End, more than MaxBars bars, an unknown
// time frame. NotFound: an unknown instrument.
func (s *Service) Bars(ctx context.Context, org investing.Org, q BarQuery, p investing.PageRequest) (investing.Page[Bar], error) {
	if q.TimeFrame == "" {
		q.TimeFrame = Day
	}
	d, code, err := q.TimeFrame.duration()
	if err != nil {
		return investing.Page[Bar]{}, err
	}
	now, err := s.orgNow(ctx, org.ID)
	if err != nil {
		return investing.Page[Bar]{}, err
	}
	end := now
	if q.End != nil {
		end = q.End.UTC()
	}
	start := end.Add(-30 * d)
	if q.Start != nil {
		start = q.Start.UTC()
	}
	if start.After(end) {
		return investing.Page[Bar]{}, errcode.New(errcode.Invalid, "start (%d) must be at or before end (%d)", start.Unix(), end.Unix())
	}
	var insts []market.Instrument
	if q.InstrumentID != nil {
		inst, err := s.instrumentByID(ctx, *q.InstrumentID)
		if err != nil {
			return investing.Page[Bar]{}, err
		}
		insts = []market.Instrument{inst}
	} else if insts, err = s.market.Instruments(ctx); err != nil {
		return investing.Page[Bar]{}, err
	}
	// The bars overlapping [start, end): from the one containing start to
	// the last starting before end, and none starting after now.
	first := align(start, q.TimeFrame, d)
	last := end
	if now.Before(last) {
		last = now.Add(time.Microsecond) // the bar in progress is included
	}
	n := int64(0)
	if start.Before(end) && first.Before(last) {
		n = int64((last.Sub(first) + d - 1) / d)
	}
	if n > MaxBars {
		return investing.Page[Bar]{}, errcode.New(errcode.Invalid, "the range from start to end covers %d bars of %s: at most %d; narrow it or use a longer timeFrame", n, q.TimeFrame, MaxBars)
	}
	total := n * int64(len(insts))
	page := investing.Page[Bar]{Total: total, Items: []Bar{}}
	lo := min(int64(p.Offset()), total)
	hi := min(lo+int64(p.Limit), total)
	if lo == hi {
		return page, nil
	}
	overrides, err := s.repo.PriceOverrides(ctx, org.ID)
	if err != nil {
		return investing.Page[Bar]{}, err
	}
	for k := lo; k < hi; k++ {
		i := k
		if p.Desc {
			i = total - 1 - k
		}
		inst := insts[i%int64(len(insts))]
		bs := first.Add(time.Duration(i/int64(len(insts))) * d)
		b, err := s.bar(ctx, org.ID, inst, bs, d, now, overrides)
		if err != nil {
			return investing.Page[Bar]{}, err
		}
		b.TimeFrame = q.TimeFrame
		b.ID = inst.ID*1_000_000_000_000 + code*10_000_000_000 + bs.Unix()/3600
		page.Items = append(page.Items, b)
	}
	return page, nil
}

// bar computes the bar of inst that starts at bs and lasts d: open at its
// start, close at its last instant (now for the bar in progress), high and
// low over the daily prices in between, volume the market's hours summed.
func (s *Service) bar(ctx context.Context, orgID int64, inst market.Instrument, bs time.Time, d time.Duration, now time.Time, overrides map[int64]decimal.Decimal) (Bar, error) {
	b := Bar{Instrument: inst, Start: bs, End: bs.Add(d), UpdatedAt: bs.Add(d)}
	lastInstant := b.End.Add(-time.Microsecond)
	if now.Before(b.End) {
		lastInstant, b.UpdatedAt = now, now
	}
	var err error
	if b.Open, err = s.price(ctx, orgID, inst, bs, overrides); err != nil {
		return Bar{}, err
	}
	if b.Close, err = s.price(ctx, orgID, inst, lastInstant, overrides); err != nil {
		return Bar{}, err
	}
	b.High, b.Low = decimal.Max(b.Open, b.Close), decimal.Min(b.Open, b.Close)
	// The walk moves at midnight UTC: the days strictly inside the bar.
	for day := bs.Truncate(24 * time.Hour).Add(24 * time.Hour); day.Before(lastInstant); day = day.Add(24 * time.Hour) {
		p, err := s.price(ctx, orgID, inst, day, overrides)
		if err != nil {
			return Bar{}, err
		}
		b.High, b.Low = decimal.Max(b.High, p), decimal.Min(b.Low, p)
	}
	for h := bs; h.Before(lastInstant); h = h.Add(time.Hour) {
		b.Volume += market.Volume(inst.Symbol, h)
	}
	return b, nil
}
