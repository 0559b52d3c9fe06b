// Package ussd is the domain of the USSD channel: the menus a USSD gateway
// shows customers on feature phones, in the investing vendor's two
// generations. The menu-URL style (Screens) answers one screen per call
// with the links the gateway follows; the session style (Sessions) keeps
// a stored session moving through a state machine (HOME, STOCKS,
// SELECT_STOCK, ENTER_AMOUNT, CONFIRM_ORDER, ORDER_PLACED, MY_PORTFOLIO,
// TRANSACTION_HISTORY, EXIT) by the customer's choices.
//
// Every screen is read from the investing and trading services, and a
// confirmed order is a request created through trading.Service with its
// usual rules, execution and events. No screen text is longer than
// MaxText characters; long lists are paged with a "Next" option.
//
// Like investing and trading, it imports neither the generated API code,
// nor Echo, nor GORM, and returns *errcode.Error values.
package ussd

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/openvest/openvest/internal/errcode"
	"github.com/openvest/openvest/internal/investing"
	"github.com/openvest/openvest/internal/trading"
	"github.com/openvest/openvest/internal/txn"
	"github.com/shopspring/decimal"
)

// MaxText is the longest screen text, in characters: the usual bound of a
// USSD screen.
const MaxText = 182

// DefaultTTL is how long a session lives after its last step unless
// configured otherwise (OPENVEST_USSD_SESSION_TTL).
const DefaultTTL = 5 * time.Minute

// State is where a session is.
type State string

// The session states.
const (
	Home               State = "HOME"
	Stocks             State = "STOCKS"
	SelectStock        State = "SELECT_STOCK"
	EnterAmount        State = "ENTER_AMOUNT"
	ConfirmOrder       State = "CONFIRM_ORDER"
	OrderPlaced        State = "ORDER_PLACED"
	MyPortfolio        State = "MY_PORTFOLIO"
	TransactionHistory State = "TRANSACTION_HISTORY"
	Exit               State = "EXIT"
)

// Session is a stored USSD session of one customer.
type Session struct {
	ID             string // "ussd_" + 32 hex digits
	OrganizationID int64
	CustomerID     int64
	State          State
	Data           Data
	ExpiresAt      time.Time
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// Data is what a session remembers between steps.
type Data struct {
	Page      int    `json:"page,omitempty"` // from 1, on list states
	Symbol    string `json:"symbol,omitempty"`
	OrderType string `json:"orderType,omitempty"` // PURCHASE or SELL
	Amount    string `json:"amount,omitempty"`
	RequestID int64  `json:"requestId,omitempty"`
	Notice    string `json:"notice,omitempty"` // a short message shown once, above the menu
}

// Repository stores sessions.
type Repository interface {
	CreateSession(ctx context.Context, s *Session) error
	// Session is NotFound when the organization has no such session;
	// lock holds the row until the transaction ends (PostgreSQL).
	Session(ctx context.Context, orgID int64, id string, lock bool) (Session, error)
	txn.Transactor // opens the service's units of work
	SaveSession(ctx context.Context, s *Session) error
}

// Service builds the screens and runs the sessions.
type Service struct {
	inv  *investing.Service
	tr   *trading.Service
	repo Repository
	now  func() time.Time
	ttl  time.Duration
}

// NewService returns a Service; ttl <= 0 means DefaultTTL.
func NewService(inv *investing.Service, tr *trading.Service, repo Repository, now func() time.Time, ttl time.Duration) *Service {
	if ttl <= 0 {
		ttl = DefaultTTL
	}
	return &Service{inv: inv, tr: tr, repo: repo, now: now, ttl: ttl}
}

// TTL is how long a session lives after its last step.
func (s *Service) TTL() time.Duration { return s.ttl }

// ErrGone is wrapped by the error of a step on an expired or ended session.
var ErrGone = errors.New("ussd session gone")

// goneError is an expired or ended session.
type goneError struct{ msg string }

func (e *goneError) Error() string { return e.msg }
func (e *goneError) Unwrap() error { return ErrGone }

func newSessionID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return "ussd_" + hex.EncodeToString(b)
}

// customer is the organization's customer (NotFound otherwise).
func (s *Service) customer(ctx context.Context, org investing.Org, id int64) (investing.Customer, error) {
	return s.inv.Customer(ctx, org, id)
}

// available lists the instruments open for trading, in id order.
func (s *Service) available(ctx context.Context, org investing.Org) ([]trading.Quote, error) {
	page, err := s.tr.Instruments(ctx, org, nil, investing.PageRequest{Limit: 1000})
	if err != nil {
		return nil, fmt.Errorf("listing instruments for a USSD menu: %w", err)
	}
	out := page.Items[:0:0]
	for _, q := range page.Items {
		if q.IsAvailable {
			out = append(out, q)
		}
	}
	return out, nil
}

// quote is one instrument by symbol (NotFound otherwise).
func (s *Service) quote(ctx context.Context, org investing.Org, symbol string) (trading.Quote, error) {
	return s.tr.Instrument(ctx, org, strings.ToUpper(symbol))
}

// holdings lists the customer's non-empty holdings.
func (s *Service) holdings(ctx context.Context, org investing.Org, customerID int64) ([]trading.Asset, error) {
	page, err := s.tr.Assets(ctx, org, trading.AssetFilter{CustomerID: &customerID}, investing.PageRequest{Limit: 1000})
	if err != nil {
		return nil, fmt.Errorf("listing the holdings of customer %d for a USSD menu: %w", customerID, err)
	}
	out := page.Items[:0:0]
	for _, a := range page.Items {
		if a.Quantity.IsPositive() {
			out = append(out, a)
		}
	}
	return out, nil
}

// transactions lists the customer's transactions, newest first.
func (s *Service) transactions(ctx context.Context, org investing.Org, customerID int64) ([]trading.Transaction, error) {
	page, err := s.tr.Transactions(ctx, org, trading.TransactionFilter{CustomerID: &customerID}, investing.PageRequest{Limit: 1000, Desc: true})
	if err != nil {
		return nil, fmt.Errorf("listing the transactions of customer %d for a USSD menu: %w", customerID, err)
	}
	return page.Items, nil
}

// currency is the customer's currency for an instrument: that of the
// portfolio its purchases land in (the account's of the instrument's
// investment type), in which the holdings menus show values too; the
// account's when the portfolio cannot be found. Unprocessable: the
// customer has no such account.
func (s *Service) currency(ctx context.Context, org investing.Org, customerID int64, q trading.Quote) (investing.Currency, error) {
	page, err := s.inv.Accounts(ctx, org, &customerID, investing.PageRequest{Limit: 1000})
	if err != nil {
		return "", fmt.Errorf("finding the account of customer %d for %s: %w", customerID, q.Symbol, err)
	}
	for _, a := range page.Items {
		if string(a.InvestmentType) != string(q.InvestmentType) {
			continue
		}
		ps, err := s.inv.Portfolios(ctx, org, customerID, investing.PageRequest{Limit: 1000})
		if err != nil {
			return "", fmt.Errorf("finding the portfolio of account %d: %w", a.ID, err)
		}
		for _, p := range ps.Items {
			if p.AccountID != nil && *p.AccountID == a.ID {
				return p.Currency, nil
			}
		}
		return a.Currency, nil
	}
	return "", errcode.New(errcode.Unprocessable, "customer %d has no %s account, which %s needs", customerID, q.InvestmentType, q.Symbol)
}

// Order is an order keyed on USSD.
type Order struct {
	CustomerID int64
	Type       trading.RequestType
	Symbol     string
	Amount     string // as keyed, in the customer's currency
}

// Place creates the order's request through the trading rules. What the
// customer keyed that cannot be ordered (not an amount, finer than a
// cent, below the minimum, more than the holding is worth, no holding)
// comes back as notice, with no request and no error. NotFound: no such
// customer or symbol.
func (s *Service) Place(ctx context.Context, org investing.Org, o Order) (r trading.Request, notice string, err error) {
	if _, err := s.customer(ctx, org, o.CustomerID); err != nil {
		return r, "", err
	}
	q, err := s.quote(ctx, org, o.Symbol)
	if err != nil {
		return r, "", err
	}
	cur, err := s.currency(ctx, org, o.CustomerID, q)
	if err != nil {
		return r, shortReason(err), nil
	}
	amount, err := decimal.NewFromString(strings.TrimSpace(o.Amount))
	if err != nil {
		return r, fmt.Sprintf("%q is not an amount.", clip(o.Amount, 12)), nil
	}
	switch o.Type {
	case trading.Purchase:
		r, err = s.tr.CreatePurchase(ctx, org, trading.NewPurchase{CustomerID: o.CustomerID, Currency: cur, InstrumentID: q.ID, Amount: amount})
	case trading.Sell:
		var asset *trading.Asset
		hs, herr := s.holdings(ctx, org, o.CustomerID)
		if herr != nil {
			return r, "", herr
		}
		for i := range hs {
			if hs[i].InstrumentID == q.ID {
				asset = &hs[i]
				break
			}
		}
		if asset == nil {
			return r, fmt.Sprintf("You hold no %s to sell.", q.Symbol), nil
		}
		r, err = s.tr.CreateSell(ctx, org, trading.NewSell{CustomerID: o.CustomerID, Currency: cur, AssetID: asset.ID, Amount: &amount})
	default:
		return r, "", errcode.New(errcode.Invalid, "orderType must be PURCHASE or SELL, not %q", o.Type)
	}
	if e, ok := errcode.As(err); ok && (e.Code == errcode.Invalid || e.Code == errcode.Unprocessable) {
		return trading.Request{}, shortReason(err), nil
	}
	return r, "", err
}

// shortReason is an error's message cut to fit a screen with its menu.
func shortReason(err error) string {
	msg := err.Error()
	if e, ok := errcode.As(err); ok {
		msg = e.Message
	}
	if i := strings.Index(msg, ":"); i > 20 {
		msg = msg[:i]
	}
	return clip(msg, 70) + "."
}

// clip cuts s to n characters, marking a cut with "…".
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// money writes an amount with 2 decimal places.
func money(d decimal.Decimal) string { return d.StringFixed(2) }

// usd writes a US dollar price.
func usd(d decimal.Decimal) string { return "$" + d.StringFixed(2) }

// pageOf splits items into pages that fit MaxText with header and
// footer lines (the footer of a page that is not the last also carries
// next), and returns the items of page (from 1, clamped), the page number
// and whether more follow. At most 8 items a page (keys 1-8; 9 is next, 0 back).
func pageOf(header string, items []string, footer []string, next string, page int) (start, end, p int, more bool) {
	base := utf8.RuneCountInString(header)
	for _, f := range footer {
		base += 1 + utf8.RuneCountInString(f)
	}
	nextLen := 1 + utf8.RuneCountInString(next)
	type span struct{ start, end int }
	var pages []span
	i := 0
	for i < len(items) || len(pages) == 0 {
		j, size := i, base
		for j < len(items) && j-i < 8 {
			add := 1 + utf8.RuneCountInString(items[j])
			last := j+1 == len(items)
			need := size + add
			if !last {
				need += nextLen
			}
			if need > MaxText && j > i {
				break
			}
			size += add
			j++
		}
		pages = append(pages, span{i, j})
		if j == i {
			break
		}
		i = j
	}
	if page < 1 {
		page = 1
	}
	if page > len(pages) {
		page = len(pages)
	}
	sp := pages[page-1]
	return sp.start, sp.end, page, page < len(pages)
}

// fitText joins lines and cuts the result to MaxText characters.
func fitText(lines ...string) string {
	return clip(strings.Join(lines, "\n"), MaxText)
}

func holdingLine(a trading.Asset) string {
	return fmt.Sprintf("%s %s sh %s %s", a.Symbol, a.Quantity.Round(4).String(), money(a.MarketValue), a.Currency)
}

func transactionLine(t trading.Transaction) string {
	verb := "Buy"
	if t.Type == trading.Sell {
		verb = "Sell"
	}
	return fmt.Sprintf("%s %s %s %s %s", verb, t.Symbol, money(t.Amount), t.Currency, t.Status)
}

func notFound(format string, args ...any) error {
	return errcode.New(errcode.NotFound, format, args...)
}
