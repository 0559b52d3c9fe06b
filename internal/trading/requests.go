package trading

import (
	"context"
	"time"

	"github.com/openvest/openvest/internal/errcode"
	"github.com/openvest/openvest/internal/investing"
	"github.com/openvest/openvest/internal/market"
	"github.com/shopspring/decimal"
)

// NewPurchase is the input of CreatePurchase.
type NewPurchase struct {
	CustomerID   int64
	Currency     investing.Currency
	InstrumentID int64
	Amount       decimal.Decimal
	IsRecurring  bool
	Schedule     *Schedule // nil: ONCE
}

// CreatePurchase creates a PENDING purchase and, in the same transaction,
// its execution: now for a one-time purchase, at the first cycle (one
// period from now) for a recurring one.
//
// Invalid: the amount has more than 2 decimal places. NotFound: no such
// customer or instrument. Unprocessable: the schedule does not match
// isRecurring, the instrument is not available, the customer has no
// account of the instrument's investment type, the currency is not
// supported, or the amount is below the instrument's minimum. Conflict:
// the customer, account or portfolio is not ACTIVE.
func (s *Service) CreatePurchase(ctx context.Context, org investing.Org, in NewPurchase) (Request, error) {
	if err := checkAmount("purchaseAmount", in.Amount); err != nil {
		return Request{}, err
	}
	sched, err := scheduleOf(in.IsRecurring, in.Schedule)
	if err != nil {
		return Request{}, err
	}
	inst, err := s.instrumentByID(ctx, in.InstrumentID)
	if err != nil {
		return Request{}, err
	}
	if !inst.IsAvailable {
		return Request{}, errcode.New(errcode.Unprocessable, "instrument %s is not available for trading", inst.Symbol)
	}
	var r Request
	err = s.repo.WithTx(ctx, func(ctx context.Context) error {
		now, err := s.orgNow(ctx, org.ID)
		if err != nil {
			return err
		}
		accountID, p, err := s.tradingAccount(ctx, org, in.CustomerID, inst)
		if err != nil {
			return err
		}
		rate, err := s.rate(ctx, in.Currency, now)
		if err != nil {
			return err
		}
		if usd := in.Amount.Mul(rate).Truncate(moneyPlaces); usd.LessThan(inst.MinimumAmount) {
			return errcode.New(errcode.Unprocessable, "purchaseAmount %s %s is %s USD, below the %s minimum of %s USD", in.Amount, in.Currency, usd, inst.Symbol, inst.MinimumAmount.StringFixed(2))
		}
		amount := in.Amount
		r = Request{
			OrganizationID: org.ID, CustomerID: in.CustomerID, AccountID: accountID, PortfolioID: p.ID,
			Type: Purchase, Status: Pending, Currency: in.Currency, InstrumentID: inst.ID, Symbol: inst.Symbol,
			PurchaseAmount: &amount, IsRecurring: in.IsRecurring, Schedule: sched, CreatedAt: now, UpdatedAt: now,
		}
		return s.create(ctx, &r, now)
	})
	return r, errcode.Wrapf(err, "create purchase for customer %d", in.CustomerID)
}

// scheduleOf is the schedule of a new request: ONCE when none is given.
// Unprocessable: a schedule other than ONCE without isRecurring, or
// isRecurring without one.
func scheduleOf(isRecurring bool, schedule *Schedule) (Schedule, error) {
	sched := Once
	if schedule != nil {
		sched = *schedule
	}
	if !isRecurring && sched != Once {
		return sched, errcode.New(errcode.Unprocessable, "schedule %s is only for recurring requests: send isRecurring: true, or leave schedule out (ONCE)", sched)
	}
	if isRecurring && !sched.Recurring() {
		return sched, errcode.New(errcode.Unprocessable, "a recurring request needs a schedule of DAILY, WEEKLY, BI_WEEKLY or MONTHLY")
	}
	return sched, nil
}

// create inserts r and schedules its first execution.
func (s *Service) create(ctx context.Context, r *Request, now time.Time) error {
	e := Execution{OrganizationID: r.OrganizationID}
	if r.IsRecurring {
		next := r.Schedule.Cycle(r.CreatedAt, 1)
		r.NextExecutionAt = &next
		e.Due, e.Delay = next, next.Sub(now)
	}
	if err := s.repo.CreateRequest(ctx, r); err != nil {
		return err
	}
	if err := s.events.Emit(ctx, r.OrganizationID, RequestCreated{*r}); err != nil {
		return err
	}
	e.RequestID = r.ID
	return errcode.Wrapf(s.sched.Schedule(ctx, e), "schedule request %d", r.ID)
}

// tradingAccount finds the customer's account for the instrument's
// investment type and its portfolio, checks that all three are ACTIVE, and
// returns the account's id and the portfolio.
func (s *Service) tradingAccount(ctx context.Context, org investing.Org, customerID int64, inst market.Instrument) (int64, investing.Portfolio, error) {
	t := investing.InvestmentType(inst.InvestmentType)
	// One statement when the customer and the account are ACTIVE (the
	// usual case); else each row on its own, for the exact error.
	p, ok, err := s.repo.ActivePortfolioOfType(ctx, org.ID, customerID, t)
	if err != nil {
		return 0, p, err
	}
	if !ok {
		c, err := s.repo.Customer(ctx, org.ID, customerID)
		if err != nil {
			return 0, p, err
		}
		if c.Status != investing.Active {
			return 0, p, errcode.New(errcode.Conflict, "customer %d is %s: only ACTIVE customers can trade; reactivate the customer first", c.ID, c.Status)
		}
		acc, err := s.repo.AccountOfType(ctx, org.ID, c.ID, t)
		if errcode.Is(err, errcode.NotFound) {
			return 0, p, errcode.New(errcode.Unprocessable, "customer %d has no %s account, which %s needs: open one with POST /v1/accounts", c.ID, t, inst.Symbol)
		}
		if err != nil {
			return 0, p, err
		}
		if acc.Status != investing.Active {
			return 0, p, errcode.New(errcode.Conflict, "account %d is %s: only ACTIVE accounts can trade; reactivate the account first", acc.ID, acc.Status)
		}
		if p, err = s.repo.PortfolioOfAccount(ctx, org.ID, acc.ID, false); err != nil {
			return 0, p, err
		}
	}
	if p.Status != investing.Active {
		return 0, p, errcode.New(errcode.Conflict, "portfolio %d is %s: only ACTIVE portfolios can trade; reactivate the portfolio first", p.ID, p.Status)
	}
	return *p.AccountID, p, nil
}

// checkAmount refuses amounts that are not positive or finer than a cent.
func checkAmount(field string, v decimal.Decimal) error {
	if !v.IsPositive() {
		return errcode.New(errcode.Unprocessable, "%s must be greater than 0, not %s", field, v)
	}
	if !v.Equal(v.Truncate(moneyPlaces)) {
		return &errcode.Error{Code: errcode.Invalid, Message: field + " has more than 2 decimal places: send an amount in cents precision, such as 100.25",
			Fields: []errcode.FieldError{{Field: field, In: "body", Message: "at most 2 decimal places"}}}
	}
	return nil
}

// NewSell is the input of CreateSell: Amount or Percentage (Amount
// applies when both are given).
type NewSell struct {
	CustomerID  int64
	Currency    investing.Currency
	AssetID     int64
	Amount      *decimal.Decimal
	Percentage  *decimal.Decimal
	IsRecurring bool
	Schedule    *Schedule // nil: ONCE
}

// CreateSell creates a PENDING sell of a holding and, in the same
// transaction, its execution: now for a one-time sell, at the first cycle
// (one period from now) for a recurring one. When both an amount and a
// percentage are given (the vendor's own example sends both), the amount
// applies and the percentage is dropped.
//
// Invalid: neither sellAmount nor sellPercentage, a percentage outside
// (0, 100], an amount finer than a cent. Unprocessable: the schedule does
// not match isRecurring. NotFound: no such
// customer, or no such asset of the customer. Unprocessable: the holding
// is empty, the amount is more than the holding is worth, the instrument
// is not available, the currency is not supported. Conflict: the
// customer, account or portfolio is not ACTIVE.
func (s *Service) CreateSell(ctx context.Context, org investing.Org, in NewSell) (Request, error) {
	if in.Amount == nil && in.Percentage == nil {
		return Request{}, errcode.New(errcode.Invalid, "send sellAmount or sellPercentage")
	}
	if in.Amount != nil {
		if err := checkAmount("sellAmount", *in.Amount); err != nil {
			return Request{}, err
		}
	}
	if pc := in.Percentage; pc != nil && (!pc.IsPositive() || pc.GreaterThan(hundred)) {
		return Request{}, errcode.New(errcode.Invalid, "sellPercentage must be greater than 0 and at most 100, not %s", pc)
	}
	if in.Amount != nil {
		in.Percentage = nil // the amount applies
	}
	sched, err := scheduleOf(in.IsRecurring, in.Schedule)
	if err != nil {
		return Request{}, err
	}
	var r Request
	err = s.repo.WithTx(ctx, func(ctx context.Context) error {
		now, err := s.orgNow(ctx, org.ID)
		if err != nil {
			return err
		}
		a, err := s.repo.Asset(ctx, org.ID, in.AssetID, false)
		if err != nil {
			return err
		}
		if a.CustomerID != in.CustomerID {
			return errcode.New(errcode.NotFound, "asset %d not found among customer %d's assets", in.AssetID, in.CustomerID)
		}
		inst, err := s.instrumentByID(ctx, a.InstrumentID)
		if err != nil {
			return err
		}
		if !inst.IsAvailable {
			return errcode.New(errcode.Unprocessable, "instrument %s is not available for trading", inst.Symbol)
		}
		if _, _, err := s.tradingAccount(ctx, org, in.CustomerID, inst); err != nil {
			return err
		}
		if !a.Quantity.IsPositive() {
			return errcode.New(errcode.Unprocessable, "asset %d (%s) holds no shares: there is nothing to sell", a.ID, a.Symbol)
		}
		rate, err := s.rate(ctx, in.Currency, now)
		if err != nil {
			return err
		}
		if in.Amount != nil {
			overrides, err := s.repo.PriceOverrides(ctx, org.ID)
			if err != nil {
				return err
			}
			price, err := s.price(ctx, org.ID, inst, now, overrides)
			if err != nil {
				return err
			}
			worth := quote{Rate: rate}.fromUSD(a.Quantity.Mul(price).Round(moneyPlaces))
			if in.Amount.GreaterThan(worth) {
				return errcode.New(errcode.Unprocessable, "sellAmount %s %s is more than the holding is worth (%s %s: %s shares of %s at %s USD); sell at most that, or sellPercentage 100 to sell everything",
					in.Amount, in.Currency, worth, in.Currency, a.Quantity, a.Symbol, price)
			}
		}
		assetID := a.ID
		r = Request{
			OrganizationID: org.ID, CustomerID: in.CustomerID, AccountID: a.AccountID, PortfolioID: a.PortfolioID,
			Type: Sell, Status: Pending, Currency: in.Currency, InstrumentID: inst.ID, Symbol: inst.Symbol,
			AssetID: &assetID, SellAmount: in.Amount, SellPercentage: in.Percentage, IsRecurring: in.IsRecurring, Schedule: sched,
			CreatedAt: now, UpdatedAt: now,
		}
		return s.create(ctx, &r, now)
	})
	return r, errcode.Wrapf(err, "create sell for customer %d", in.CustomerID)
}

// Cancel cancels a PENDING request: a one-time request that has not
// executed yet, or a recurring one, whose future cycles stop. NotFound;
// Conflict: the request is not PENDING.
func (s *Service) Cancel(ctx context.Context, org investing.Org, id int64) (Request, error) {
	var r Request
	err := s.repo.WithTx(ctx, func(ctx context.Context) error {
		var err error
		if r, err = s.repo.Request(ctx, org.ID, id, true); err != nil {
			return err
		}
		if r.Status != Pending {
			return errcode.New(errcode.Conflict, "request %d is %s: only PENDING requests can be canceled", r.ID, r.Status)
		}
		now, err := s.orgNow(ctx, org.ID)
		if err != nil {
			return err
		}
		r.Status, r.NextExecutionAt, r.UpdatedAt = Canceled, nil, now
		if err := s.repo.SaveRequest(ctx, &r); err != nil {
			return err
		}
		return s.events.Emit(ctx, org.ID, RequestUpdated{r})
	})
	return r, errcode.Wrapf(err, "cancel request %d", id)
}

// Request returns one request. NotFound.
func (s *Service) Request(ctx context.Context, org investing.Org, id int64) (Request, error) {
	return s.repo.Request(ctx, org.ID, id, false)
}

// Requests lists requests. NotFound: f.CustomerID names no customer of the organization.
func (s *Service) Requests(ctx context.Context, org investing.Org, f RequestFilter, p investing.PageRequest) (investing.Page[Request], error) {
	if f.CustomerID != nil {
		if _, err := s.repo.Customer(ctx, org.ID, *f.CustomerID); err != nil {
			return investing.Page[Request]{}, err
		}
	}
	return s.repo.ListRequests(ctx, org.ID, f, p)
}
