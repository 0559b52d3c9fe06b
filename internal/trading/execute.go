package trading

import (
	"context"
	"fmt"
	"iter"
	"slices"
	"strings"
	"time"

	"github.com/openvest/openvest/internal/errcode"
	"github.com/openvest/openvest/internal/event"
	"github.com/openvest/openvest/internal/investing"
	"github.com/openvest/openvest/internal/market"
	"github.com/openvest/openvest/internal/metrics"
	"github.com/shopspring/decimal"
)

// ExecuteRequest executes a request once, in one transaction: the fill
// (holding, portfolio, transaction, status) or the failure (transaction,
// status with its reason). due is the recurring cycle the execution is
// for, zero for a one-time request.
//
// It is safe to run any number of times for the same execution: the
// request row is locked, and a request that is no longer PENDING, or whose
// due cycle has already run, is left as it is. A transaction row per
// request cycle (unique in the database) backs that up.
//
// Lock order: the request, then the account's portfolio, then the
// holding; ExecuteBatch takes the portfolio first and the requests with
// SKIP LOCKED, so that neither waits on the other in a cycle.
func (s *Service) ExecuteRequest(ctx context.Context, orgID, requestID int64, due time.Time) error {
	outcome := "skipped"
	err := s.repo.WithTx(ctx, func(ctx context.Context) error {
		r, err := s.repo.Request(ctx, orgID, requestID, true)
		if errcode.Is(err, errcode.NotFound) {
			return nil // deleted since it was queued (a sandbox reset): nothing to run
		}
		if err != nil {
			return err
		}
		if r.Status != Pending {
			return nil
		}
		if r.IsRecurring && (r.NextExecutionAt == nil || due.IsZero() || !r.NextExecutionAt.Equal(due.UTC().Truncate(time.Microsecond))) {
			return nil // a stale job: that cycle has run
		}
		t, err := s.execute(ctx, &r, nil)
		outcome = strings.ToLower(string(t.Status))
		return err
	})
	if err != nil {
		outcome = "error"
	}
	metrics.RequestExecutions.WithLabelValues(outcome).Inc()
	return errcode.Wrapf(err, "execute request %d of organization %d", requestID, orgID)
}

// execute runs r (locked, PENDING) once: the request's cycle when it is
// recurring, else the request itself. forced, when set, is the status the
// sandbox forces (ERROR with its reason skips the fill). It returns the
// transaction written.
//
// The events of the execution (ASSET.CREATED or ASSET.UPDATED and
// PORTFOLIO.UPDATED for a fill, then TRANSACTION.CREATED and
// REQUEST.UPDATED) are emitted together, in that order, once the changes
// are written: one outbox statement per execution instead of one per event.
func (s *Service) execute(ctx context.Context, r *Request, forced *forcedOutcome) (Transaction, error) {
	offset, overrides, err := s.repo.SandboxState(ctx, r.OrganizationID) // the clock and prices in one read
	if err != nil {
		return Transaction{}, err
	}
	now := s.nowWith(offset)
	t, events, fatal, err := s.prepare(ctx, r, forced, now, func(ctx context.Context, r *Request, t *Transaction, at time.Time) ([]event.Event, string, bool, error) {
		return s.fill(ctx, r, t, at, overrides)
	})
	if err != nil {
		return Transaction{}, err
	}
	if err := s.repo.CreateTransaction(ctx, &t); err != nil {
		return Transaction{}, errcode.Wrapf(err, "record cycle %d of request %d", t.Cycle, r.ID)
	}
	events = append(events, TransactionCreated{t})
	if err := s.advance(ctx, r, t, fatal, now, forced); err != nil {
		return Transaction{}, err
	}
	if err := s.repo.SaveRequest(ctx, r); err != nil {
		return Transaction{}, err
	}
	return t, s.events.Emit(ctx, r.OrganizationID, append(events, RequestUpdated{*r})...)
}

// filler books one execution of r at time at into t (see Service.fill).
type filler func(ctx context.Context, r *Request, t *Transaction, at time.Time) (events []event.Event, reason string, fatal bool, err error)

// prepare is r's execution at now up to its writes: the transaction t
// (not yet stored), filled through fill unless the sandbox forces ERROR,
// the events of the fill, and whether its failure ends the request
// (fatal). The single path (execute) and the batch (executeBatch) share
// it, so that both book the same numbers.
func (s *Service) prepare(ctx context.Context, r *Request, forced *forcedOutcome, now time.Time, fill filler) (t Transaction, events []event.Event, fatal bool, err error) {
	at := now
	if r.IsRecurring {
		at = *r.NextExecutionAt // a cycle is priced at its due time
	}
	t = Transaction{
		OrganizationID: r.OrganizationID, CustomerID: r.CustomerID, AccountID: r.AccountID, PortfolioID: r.PortfolioID,
		RequestID: r.ID, InstrumentID: r.InstrumentID, Symbol: r.Symbol, Type: r.Type, Currency: r.Currency,
		Amount: decimal.Zero, Rate: decimal.Zero, Price: decimal.Zero, Quantity: decimal.Zero, Value: decimal.Zero, Uninvested: decimal.Zero,
		Cycle: r.Executions + 1, ExecutedAt: now, CreatedAt: now, UpdatedAt: now,
	}
	var reason string
	if forced != nil && forced.Status == Failed {
		reason, fatal = forced.Reason, true
	} else {
		events, reason, fatal, err = fill(ctx, r, &t, at)
		if err != nil {
			return Transaction{}, nil, false, errcode.Wrapf(err, "fill cycle %d of request %d", t.Cycle, r.ID)
		}
		if reason != "" && forced != nil {
			return Transaction{}, nil, false, errcode.New(errcode.Unprocessable, "request %d cannot be COMPLETED: %s", r.ID, reason)
		}
	}
	t.Status = TxCompleted
	if reason != "" {
		t.Status, t.ErrorReason = TxFailed, &reason
		t.Amount = decimal.Zero
	}
	return t, events, fatal, nil
}

// advance moves r on after its execution t at now (r not yet saved): the
// next cycle of a recurring request (scheduled) unless fatal, else
// COMPLETED or ERROR with the transaction's reason.
func (s *Service) advance(ctx context.Context, r *Request, t Transaction, fatal bool, now time.Time, forced *forcedOutcome) error {
	r.Executions++
	r.UpdatedAt = now
	reason := ""
	if t.ErrorReason != nil {
		reason = *t.ErrorReason
	}
	switch {
	case r.IsRecurring && !fatal && (forced == nil || forced.Status != Completed):
		next := r.Schedule.Cycle(r.CreatedAt, r.Executions+1)
		r.NextExecutionAt = &next
		if err := s.sched.Schedule(ctx, Execution{OrganizationID: r.OrganizationID, RequestID: r.ID, Due: next, Delay: next.Sub(now)}); err != nil {
			return errcode.Wrapf(err, "schedule cycle %d of request %d", r.Executions+1, r.ID)
		}
	case reason != "":
		r.Status, r.ErrorReason, r.NextExecutionAt = Failed, &reason, nil
	default:
		r.Status, r.NextExecutionAt = Completed, nil
	}
	return nil
}

// fill prices and books one execution of r at time at into t, the holding
// and the portfolio, with the organization's sandbox prices overrides, and
// returns the events of the holding and the portfolio for the caller to
// emit. A reason is returned, and nothing booked, when the execution fails
// by the rules; fatal says the request cannot go on.
func (s *Service) fill(ctx context.Context, r *Request, t *Transaction, at time.Time, overrides map[int64]decimal.Decimal) (events []event.Event, reason string, fatal bool, err error) {
	// One statement when the customer and the account are ACTIVE (the
	// usual case): the portfolio, locked. Else each row on its own, for
	// the reason.
	p, ok, err := s.repo.ActivePortfolioOfAccount(ctx, r.OrganizationID, r.CustomerID, r.AccountID, true)
	if err != nil {
		return nil, "", false, err
	}
	if !ok {
		c, err := s.repo.Customer(ctx, r.OrganizationID, r.CustomerID)
		if err != nil {
			return nil, "", false, err
		}
		acc, err := s.repo.Account(ctx, r.OrganizationID, r.AccountID)
		if err != nil {
			return nil, "", false, err
		}
		switch {
		case c.Status != investing.Active:
			return nil, fmt.Sprintf("customer %d is %s: only ACTIVE customers can trade", c.ID, c.Status), c.Status == investing.Closed, nil
		case acc.Status != investing.Active:
			return nil, fmt.Sprintf("account %d is %s: only ACTIVE accounts can trade", acc.ID, acc.Status), acc.Status == investing.Closed, nil
		}
		if p, err = s.repo.PortfolioOfAccount(ctx, r.OrganizationID, r.AccountID, true); err != nil {
			return nil, "", false, err
		}
	}
	if r.Type == Sell && r.AssetID != nil {
		// The asset may have been attached to another portfolio of the
		// customer (POST /v1/portfolio/assets): the sell executes there.
		held, err := s.repo.Asset(ctx, r.OrganizationID, *r.AssetID, true)
		if err != nil {
			return nil, "", false, err
		}
		if held.PortfolioID != p.ID {
			if p, err = s.repo.LockPortfolio(ctx, r.OrganizationID, held.PortfolioID); err != nil {
				return nil, "", false, err
			}
		}
	}
	return s.fillIn(ctx, r, t, at, overrides, &p, stored{s})
}

// holdings is where an execution reads and books the holding it fills:
// the database, one statement at a time (stored, the single path), or
// the batch's own copy of the portfolio (batchHoldings).
type holdings interface {
	// of reads p's holding of an instrument, locked; found is false when there is none.
	of(ctx context.Context, p *investing.Portfolio, instrumentID int64) (a Asset, found bool, err error)
	// book stores a after a fill (created: the fill opened it; a.ID is
	// set then) and revalues p, returning its PORTFOLIO.UPDATED.
	book(ctx context.Context, p *investing.Portfolio, a *Asset, created bool, at time.Time, overrides map[int64]decimal.Decimal) (event.Event, error)
}

// stored is the holdings of the single path: each fill reads, writes and
// revalues in the database.
type stored struct{ s *Service }

func (h stored) of(ctx context.Context, p *investing.Portfolio, instrumentID int64) (Asset, bool, error) {
	return h.s.repo.AssetOf(ctx, p.OrganizationID, p.ID, instrumentID)
}

func (h stored) book(ctx context.Context, p *investing.Portfolio, a *Asset, created bool, at time.Time, overrides map[int64]decimal.Decimal) (event.Event, error) {
	var err error
	if created {
		err = h.s.repo.CreateAsset(ctx, a)
	} else {
		err = h.s.repo.SaveAsset(ctx, a)
	}
	if err != nil {
		return nil, err
	}
	return h.s.revaluePortfolio(ctx, p, at, overrides)
}

// fillIn is fill once the portfolio p is known (locked): it checks p and
// the instrument, prices the execution and books it through h.
func (s *Service) fillIn(ctx context.Context, r *Request, t *Transaction, at time.Time, overrides map[int64]decimal.Decimal, p *investing.Portfolio, h holdings) (events []event.Event, reason string, fatal bool, err error) {
	if p.Status != investing.Active {
		return nil, fmt.Sprintf("portfolio %d is %s: only ACTIVE portfolios can trade", p.ID, p.Status), p.Status == investing.Closed, nil
	}
	inst, err := s.instrumentByID(ctx, r.InstrumentID)
	if errcode.Is(err, errcode.NotFound) {
		return nil, fmt.Sprintf("instrument %d is no longer listed", r.InstrumentID), true, nil
	}
	if err != nil {
		return nil, "", false, err
	}
	if !inst.IsAvailable {
		return nil, fmt.Sprintf("instrument %s is not available for trading", inst.Symbol), false, nil
	}
	q := quote{Symbol: inst.Symbol, Fractional: inst.FractionalEnabled}
	if q.Price, err = s.price(ctx, r.OrganizationID, inst, at, overrides); err != nil {
		return nil, "", false, err
	}
	if q.Rate, err = s.rate(ctx, r.Currency, at); err != nil {
		return nil, "", false, err
	}
	portfolioRate, err := s.rate(ctx, p.Currency, at)
	if err != nil {
		return nil, "", false, err
	}
	t.Rate, t.Price = q.Rate, q.Price

	a, found, err := h.of(ctx, p, inst.ID)
	if err != nil {
		return nil, "", false, err
	}
	if !found {
		a = Asset{
			OrganizationID: r.OrganizationID, CustomerID: r.CustomerID, AccountID: r.AccountID, PortfolioID: p.ID,
			InstrumentID: inst.ID, Symbol: inst.Symbol, Currency: p.Currency,
			Quantity: decimal.Zero, AverageCost: decimal.Zero, InvestmentAmount: decimal.Zero, MarketValue: decimal.Zero,
			CreatedAt: t.ExecutedAt,
		}
	}
	inPortfolio := func(usd decimal.Decimal) decimal.Decimal {
		return quote{Rate: portfolioRate}.fromUSD(usd)
	}
	var f fill
	if r.Type == Purchase {
		if f, reason = buy(*r.PurchaseAmount, q); reason != "" {
			return nil, reason, false, nil
		}
		held := a.Quantity.Add(f.Quantity)
		a.AverageCost = a.AverageCost.Mul(a.Quantity).Add(f.Value).DivRound(held, quantityPlaces)
		a.Quantity = held
		a.InvestmentAmount = a.InvestmentAmount.Add(inPortfolio(f.Value))
	} else {
		if f, reason = sell(a.Quantity, r.SellAmount, r.SellPercentage, q); reason != "" {
			return nil, reason, false, nil
		}
		basis := a.InvestmentAmount
		if f.Quantity.LessThan(a.Quantity) {
			basis = a.InvestmentAmount.Mul(f.Quantity).DivRound(a.Quantity, moneyPlaces)
		}
		a.Quantity = a.Quantity.Sub(f.Quantity)
		a.InvestmentAmount = a.InvestmentAmount.Sub(basis)
		if a.Quantity.IsZero() {
			a.AverageCost, a.InvestmentAmount = decimal.Zero, decimal.Zero
		}
	}
	a.MarketValue = inPortfolio(a.Quantity.Mul(q.Price).Round(moneyPlaces))
	a.UpdatedAt = t.ExecutedAt
	updated, err := h.book(ctx, p, &a, !found, at, overrides)
	if err != nil {
		return nil, "", false, err
	}
	t.AssetID = &a.ID
	t.Quantity, t.Value, t.Amount, t.Uninvested = f.Quantity, f.Value, f.Amount, f.Uninvested
	return []event.Event{assetChanged(a, !found), updated}, "", false, nil
}

// revaluePortfolio recomputes and stores a portfolio's investmentAmount
// (the cost of its holdings), marketValue and performance at time at, and
// returns its PORTFOLIO.UPDATED for the caller to emit.
func (s *Service) revaluePortfolio(ctx context.Context, p *investing.Portfolio, at time.Time, overrides map[int64]decimal.Decimal) (event.Event, error) {
	assets, err := s.repo.PortfolioAssets(ctx, p.OrganizationID, []int64{p.ID})
	if err != nil {
		return nil, err
	}
	if err := s.value(ctx, p.OrganizationID, assets, at, overrides); err != nil {
		return nil, err
	}
	setTotals(p, slices.Values(assets), at)
	if err := s.repo.SavePortfolioValues(ctx, p); err != nil {
		return nil, err
	}
	return investing.PortfolioUpdated{Portfolio: *p}, nil
}

// setTotals sets p's values to the sum of its holdings' (valued), as of at.
func setTotals(p *investing.Portfolio, assets iter.Seq[Asset], at time.Time) {
	p.InvestmentAmount, p.MarketValue = decimal.Zero, decimal.Zero
	for a := range assets {
		p.InvestmentAmount = p.InvestmentAmount.Add(a.InvestmentAmount)
		p.MarketValue = p.MarketValue.Add(a.MarketValue)
	}
	p.Performance = performance(p.MarketValue, p.InvestmentAmount)
	p.UpdatedAt = at
}

// value sets each asset's Price, MarketValue and Performance at time at.
func (s *Service) value(ctx context.Context, orgID int64, assets []Asset, at time.Time, overrides map[int64]decimal.Decimal) error {
	rates := map[investing.Currency]decimal.Decimal{}
	for i := range assets {
		a := &assets[i]
		inst, err := s.market.InstrumentByID(ctx, a.InstrumentID)
		if err != nil {
			return fmt.Errorf("value asset %d: %w", a.ID, err)
		}
		a.Name = inst.Name
		if a.Price, err = s.price(ctx, orgID, inst, at, overrides); err != nil {
			return err
		}
		rate, ok := rates[a.Currency]
		if !ok {
			if rate, err = s.market.Rate(ctx, market.Currency(a.Currency.ISO()), at); err != nil {
				return err
			}
			rates[a.Currency] = rate
		}
		a.MarketValue = quote{Rate: rate}.fromUSD(a.Quantity.Mul(a.Price).Round(moneyPlaces))
		a.Performance = performance(a.MarketValue, a.InvestmentAmount)
	}
	return nil
}

// forcedOutcome is the outcome the sandbox forces on a pending request.
type forcedOutcome struct {
	Status RequestStatus // COMPLETED or ERROR
	Reason string        // with ERROR
}
