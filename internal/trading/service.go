package trading

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/openvest/openvest/internal/errcode"
	"github.com/openvest/openvest/internal/event"
	"github.com/openvest/openvest/internal/investing"
	"github.com/openvest/openvest/internal/market"
	"github.com/shopspring/decimal"
)

// Service carries out the trading use cases.
type Service struct {
	repo   Repository
	market market.Feed
	sched  Scheduler
	now    func() time.Time
	events event.Emitter
}

// NewService returns a Service; now is the clock (time.Now in production).
func NewService(repo Repository, feed market.Feed, sched Scheduler, now func() time.Time) *Service {
	return &Service{repo: repo, market: feed, sched: sched, now: now, events: event.Discard{}}
}

// WithEvents sends the service's events (REQUEST.*, ASSET.*, TRANSACTION.CREATED,
// PORTFOLIO.UPDATED, INSTRUMENT.UPDATED on a sandbox price change) to e, in
// the transaction of each change, and returns s.
func (s *Service) WithEvents(e event.Emitter) *Service {
	s.events = e
	return s
}

// orgNow is the organization's current time: the clock, plus the offset a
// sandbox organization moved its clock by. UTC, microsecond precision.
func (s *Service) orgNow(ctx context.Context, orgID int64) (time.Time, error) {
	d, err := s.repo.ClockOffset(ctx, orgID)
	if err != nil {
		return time.Time{}, err
	}
	return s.nowWith(d), nil
}

// nowWith is the clock moved by a sandbox clock offset d, as orgNow.
func (s *Service) nowWith(d time.Duration) time.Time {
	return s.now().Add(d).UTC().Truncate(time.Microsecond)
}

// Quote is an instrument with its current price as the organization sees it.
type Quote struct {
	market.Instrument
	InvestmentID int64           // the id of the instrument's investment type (GET /v1/investments)
	Price        decimal.Decimal // US dollars per share
	Overridden   bool            // the price was set with the sandbox controls
	// Change is the price change in percent over the last day, week, month (30 days) and year (365 days).
	Change Change
	// CreatedAt is when the instrument was listed; UpdatedAt when its price
	// last changed for the organization (its sandbox price set, else the
	// start of the UTC day: the market's prices move at midnight).
	CreatedAt, UpdatedAt time.Time
}

// Change is a price change over periods, in percent.
type Change struct{ Day, Week, Month, Year decimal.Decimal }

// investmentID is the id GET /v1/investments shows for an investment type.
func investmentID(t market.InvestmentType) int64 {
	return int64(slices.Index(investing.InvestmentTypes, investing.InvestmentType(t)) + 1)
}

// Instruments lists the instruments, of one investment type when t is set,
// in id order. Invalid: an unknown investment type.
func (s *Service) Instruments(ctx context.Context, org investing.Org, t *investing.InvestmentType, p investing.PageRequest) (investing.Page[Quote], error) {
	all, err := s.market.Instruments(ctx)
	if err != nil {
		return investing.Page[Quote]{}, err
	}
	if t != nil {
		all = slices.DeleteFunc(all, func(i market.Instrument) bool { return string(i.InvestmentType) != string(*t) })
	}
	if p.Desc {
		slices.Reverse(all)
	}
	lo := min(p.Offset(), len(all))
	hi := min(lo+p.Limit, len(all))
	now, err := s.orgNow(ctx, org.ID)
	if err != nil {
		return investing.Page[Quote]{}, err
	}
	overrides, err := s.repo.PriceOverrides(ctx, org.ID)
	if err != nil {
		return investing.Page[Quote]{}, err
	}
	page := investing.Page[Quote]{Items: make([]Quote, 0, hi-lo), Total: int64(len(all))}
	for _, inst := range all[lo:hi] {
		q, err := s.quote(ctx, org.ID, inst, now, overrides)
		if err != nil {
			return investing.Page[Quote]{}, err
		}
		page.Items = append(page.Items, q)
	}
	return page, nil
}

// Instrument returns one instrument by symbol. NotFound.
func (s *Service) Instrument(ctx context.Context, org investing.Org, symbol string) (Quote, error) {
	inst, err := s.instrument(ctx, symbol)
	if err != nil {
		return Quote{}, err
	}
	now, err := s.orgNow(ctx, org.ID)
	if err != nil {
		return Quote{}, err
	}
	overrides, err := s.repo.PriceOverrides(ctx, org.ID)
	if err != nil {
		return Quote{}, err
	}
	return s.quote(ctx, org.ID, inst, now, overrides)
}

func (s *Service) instrument(ctx context.Context, symbol string) (market.Instrument, error) {
	inst, err := s.market.Instrument(ctx, symbol)
	if errors.Is(err, market.ErrUnknown) {
		return inst, errcode.New(errcode.NotFound, "instrument %q not found; GET /v1/instruments lists the symbols", symbol)
	}
	return inst, err
}

func (s *Service) instrumentByID(ctx context.Context, id int64) (market.Instrument, error) {
	inst, err := s.market.InstrumentByID(ctx, id)
	if errors.Is(err, market.ErrUnknown) {
		return inst, errcode.New(errcode.NotFound, "instrument %d not found; GET /v1/instruments lists the instruments and their instrumentId", id)
	}
	return inst, err
}

func (s *Service) quote(ctx context.Context, orgID int64, inst market.Instrument, now time.Time, overrides map[int64]decimal.Decimal) (Quote, error) {
	q := Quote{Instrument: inst, InvestmentID: investmentID(inst.InvestmentType), CreatedAt: market.Listed()}
	q.UpdatedAt = now.Truncate(24 * time.Hour)
	if q.UpdatedAt.Before(q.CreatedAt) {
		q.UpdatedAt = q.CreatedAt
	}
	var err error
	if q.Price, err = s.market.Price(ctx, inst.Symbol, now); err != nil {
		return Quote{}, err
	}
	if p, ok := overrides[inst.ID]; ok {
		q.Price, q.Overridden = p, true
		set, err := s.repo.PriceOverrideSetAt(ctx, orgID, inst.ID)
		if err != nil {
			return Quote{}, err
		}
		q.UpdatedAt = set
	}
	past := func(d time.Duration) (decimal.Decimal, error) {
		before, err := s.market.Price(ctx, inst.Symbol, now.Add(-d))
		if err != nil {
			return decimal.Zero, err
		}
		return performance(q.Price, before), nil
	}
	if q.Change.Day, err = past(24 * time.Hour); err != nil {
		return Quote{}, err
	}
	if q.Change.Week, err = past(7 * 24 * time.Hour); err != nil {
		return Quote{}, err
	}
	if q.Change.Month, err = past(30 * 24 * time.Hour); err != nil {
		return Quote{}, err
	}
	if q.Change.Year, err = past(365 * 24 * time.Hour); err != nil {
		return Quote{}, err
	}
	return q, nil
}

// price is an instrument's price at t for the organization: its sandbox
// price when one is set, else the market's.
func (s *Service) price(ctx context.Context, orgID int64, inst market.Instrument, t time.Time, overrides map[int64]decimal.Decimal) (decimal.Decimal, error) {
	if p, ok := overrides[inst.ID]; ok {
		return p, nil
	}
	return s.market.Price(ctx, inst.Symbol, t)
}

// rate is the dollars one unit of c buys at t. Unprocessable: the market
// has no rate for c.
func (s *Service) rate(ctx context.Context, c investing.Currency, t time.Time) (decimal.Decimal, error) {
	r, err := s.market.Rate(ctx, market.Currency(c.ISO()), t)
	if errors.Is(err, market.ErrUnknown) {
		return r, errcode.New(errcode.Unprocessable, "currency %s is not supported: the market has no %s/USD rate; use USD, EUR or ZMW (ZK)", c, c)
	}
	return r, err
}
