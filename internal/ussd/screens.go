package ussd

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/openvest/openvest/internal/investing"
	"github.com/openvest/openvest/internal/trading"
)

// Link is a call the gateway makes next: a path and query under the server, and a method.
type Link struct {
	URL    string
	Method string // GET or POST (a POST carries the keyed amount as the form field amount)
}

// ScreenOption is a numbered choice of a screen.
type ScreenOption struct {
	Option int
	Link
}

// Screen is one screen of the menu-URL style.
type Screen struct {
	Message string
	Options []ScreenOption
	Confirm *Link
}

func ussdURL(path string, customerID int64, kv ...string) string {
	q := url.Values{"customerId": {strconv.FormatInt(customerID, 10)}}
	for i := 0; i+1 < len(kv); i += 2 {
		q.Set(kv[i], kv[i+1])
	}
	return "/v1/ussd/" + path + "?" + q.Encode()
}

func get(path string, customerID int64, kv ...string) Link {
	return Link{URL: ussdURL(path, customerID, kv...), Method: "GET"}
}

// HomeScreen is the first screen.
func (s *Service) HomeScreen(ctx context.Context, org investing.Org, customerID int64) (Screen, error) {
	c, err := s.customer(ctx, org, customerID)
	if err != nil {
		return Screen{}, err
	}
	return Screen{
		Message: fitText("Welcome "+clip(c.FirstName, 40), "1. Buy stocks", "2. My portfolio", "3. Transactions", "4. Prices"),
		Options: []ScreenOption{
			{1, get("stocks", customerID)}, {2, get("portfolio", customerID)},
			{3, get("transactions", customerID)}, {4, get("instruments", customerID)},
		},
	}, nil
}

// PortfolioScreen sums the customer's portfolios.
func (s *Service) PortfolioScreen(ctx context.Context, org investing.Org, customerID int64) (Screen, error) {
	if _, err := s.customer(ctx, org, customerID); err != nil {
		return Screen{}, err
	}
	page, err := s.inv.Portfolios(ctx, org, customerID, investing.PageRequest{Limit: 1000})
	if err != nil {
		return Screen{}, fmt.Errorf("listing portfolios for a USSD menu: %w", err)
	}
	ps, err := s.tr.Valued(ctx, org, page.Items)
	if err != nil {
		return Screen{}, fmt.Errorf("valuing portfolios for a USSD menu: %w", err)
	}
	lines := []string{"My portfolio"}
	for _, p := range ps {
		if p.InvestmentAmount.IsZero() && p.MarketValue.IsZero() {
			continue
		}
		lines = append(lines, fmt.Sprintf("Value %s %s (cost %s)", money(p.MarketValue), p.Currency, money(p.InvestmentAmount)))
		if len(lines) > 3 {
			break
		}
	}
	if len(lines) == 1 {
		lines = append(lines, "No investments yet.")
	}
	pending, err := s.tr.Requests(ctx, org, trading.RequestFilter{CustomerID: &customerID, Status: ptr(trading.Pending)}, investing.PageRequest{Limit: 1})
	if err != nil {
		return Screen{}, fmt.Errorf("counting pending requests for a USSD menu: %w", err)
	}
	if pending.Total > 0 {
		lines = append(lines, fmt.Sprintf("%d pending request(s)", pending.Total))
	}
	lines = append(lines, "1. Holdings", "2. Transactions", "0. Home")
	return Screen{
		Message: fitText(lines...),
		Options: []ScreenOption{{1, get("assets", customerID)}, {2, get("transactions", customerID)}, {0, get("home", customerID)}},
	}, nil
}

func ptr[T any](v T) *T { return &v }

// AssetsScreen lists the holdings, or shows one (assetID).
func (s *Service) AssetsScreen(ctx context.Context, org investing.Org, customerID int64, assetID *int64, page int) (Screen, error) {
	if _, err := s.customer(ctx, org, customerID); err != nil {
		return Screen{}, err
	}
	if assetID != nil {
		a, err := s.tr.Asset(ctx, org, *assetID)
		if err != nil {
			return Screen{}, err
		}
		if a.CustomerID != customerID {
			return Screen{}, notFound("asset %d of customer %d not found", *assetID, customerID)
		}
		return Screen{
			Message: fitText(fmt.Sprintf("%s %s", a.Symbol, clip(a.Name, 30)), fmt.Sprintf("%s shares", a.Quantity.String()),
				fmt.Sprintf("Value %s %s", money(a.MarketValue), a.Currency), fmt.Sprintf("Cost %s %s", money(a.InvestmentAmount), a.Currency),
				"1. Sell", "2. Buy more", "0. Back"),
			Options: []ScreenOption{
				{1, get("stocks", customerID, "symbol", a.Symbol, "assetId", strconv.FormatInt(a.ID, 10))},
				{2, get("stocks", customerID, "symbol", a.Symbol)},
				{0, get("assets", customerID)},
			},
		}, nil
	}
	hs, err := s.holdings(ctx, org, customerID)
	if err != nil {
		return Screen{}, err
	}
	if len(hs) == 0 {
		return Screen{Message: fitText("You have no holdings yet.", "1. Buy stocks", "0. Home"),
			Options: []ScreenOption{{1, get("stocks", customerID)}, {0, get("home", customerID)}}}, nil
	}
	labels := make([]string, len(hs))
	for i, a := range hs {
		labels[i] = holdingLine(a)
	}
	return s.listScreen("My holdings", labels, page, customerID, "assets", func(i int) Link {
		return get("assets", customerID, "assetId", strconv.FormatInt(hs[i].ID, 10))
	}), nil
}

// listScreen pages labels, each item an option linking to item(i), with 9
// (next page of path) and 0 (home).
func (s *Service) listScreen(header string, labels []string, page int, customerID int64, path string, item func(i int) Link, kv ...string) Screen {
	numbered := make([]string, len(labels))
	for i, l := range labels {
		numbered[i] = "8. " + clip(l, 60) // the widest key, for the page split
	}
	start, end, p, more := pageOf(header, numbered, []string{"0. Home"}, "9. Next", page)
	lines := []string{header}
	var opts []ScreenOption
	for i := start; i < end; i++ {
		n := i - start + 1
		lines = append(lines, fmt.Sprintf("%d. %s", n, clip(labels[i], 60)))
		if item != nil {
			opts = append(opts, ScreenOption{n, item(i)})
		}
	}
	if more {
		lines = append(lines, "9. Next")
		opts = append(opts, ScreenOption{9, get(path, customerID, append(kv, "page", strconv.Itoa(p+1))...)})
	}
	lines = append(lines, "0. Home")
	opts = append(opts, ScreenOption{0, get("home", customerID)})
	return Screen{Message: fitText(lines...), Options: opts}
}

// StocksQuery is what GET /v1/ussd/stocks was asked.
type StocksQuery struct {
	CustomerID int64
	Symbol     string
	Amount     string
	AssetID    *int64
	DetailMode bool
	Page       int
}

// StocksScreen lists the stocks, or prompts for (or confirms) an amount of one.
func (s *Service) StocksScreen(ctx context.Context, org investing.Org, in StocksQuery) (Screen, error) {
	if _, err := s.customer(ctx, org, in.CustomerID); err != nil {
		return Screen{}, err
	}
	if in.Symbol == "" {
		qs, err := s.available(ctx, org)
		if err != nil {
			return Screen{}, err
		}
		labels := make([]string, len(qs))
		for i, q := range qs {
			labels[i] = q.Symbol + " " + usd(q.Price)
		}
		return s.listScreen("Choose a stock", labels, in.Page, in.CustomerID, "stocks", func(i int) Link {
			return get("stocks", in.CustomerID, "symbol", qs[i].Symbol)
		}), nil
	}
	q, err := s.quote(ctx, org, in.Symbol)
	if err != nil {
		return Screen{}, err
	}
	if in.DetailMode {
		return Screen{
			Message: fitText(q.Symbol+" "+clip(q.Name, 40), "Price "+usd(q.Price),
				fmt.Sprintf("Day %s%% Year %s%%", q.Change.Day.StringFixed(2), q.Change.Year.StringFixed(2)), "1. Buy", "0. Home"),
			Options: []ScreenOption{{1, get("stocks", in.CustomerID, "symbol", q.Symbol)}, {0, get("home", in.CustomerID)}},
		}, nil
	}
	cur, err := s.currency(ctx, org, in.CustomerID, q)
	if err != nil {
		return Screen{}, err
	}
	orderType, verb := trading.Purchase, "Buy"
	if in.AssetID != nil {
		a, err := s.tr.Asset(ctx, org, *in.AssetID)
		if err != nil {
			return Screen{}, err
		}
		if a.CustomerID != in.CustomerID || a.InstrumentID != q.ID {
			return Screen{}, notFound("asset %d of customer %d in %s not found", *in.AssetID, in.CustomerID, q.Symbol)
		}
		orderType, verb = trading.Sell, "Sell"
	}
	confirm := &Link{URL: ussdURL("requests", in.CustomerID, "orderType", string(orderType), "symbol", q.Symbol), Method: "POST"}
	if in.Amount != "" {
		return Screen{
			Message: fitText(fmt.Sprintf("%s %s %s of %s at %s/share?", verb, clip(in.Amount, 16), cur, q.Symbol, usd(q.Price)), "1. Confirm", "0. Cancel"),
			Options: []ScreenOption{{1, *confirm}, {0, get("home", in.CustomerID)}},
			Confirm: confirm,
		}, nil
	}
	return Screen{
		Message: fitText(fmt.Sprintf("%s %s (%s) at %s/share.", verb, q.Symbol, clip(q.Name, 30), usd(q.Price)), fmt.Sprintf("Enter amount in %s:", cur)),
		Confirm: confirm,
	}, nil
}

// TransactionsScreen lists the customer's transactions (of one holding with assetID).
func (s *Service) TransactionsScreen(ctx context.Context, org investing.Org, customerID int64, assetID *int64, page int) (Screen, error) {
	if _, err := s.customer(ctx, org, customerID); err != nil {
		return Screen{}, err
	}
	txs, err := s.transactions(ctx, org, customerID)
	if err != nil {
		return Screen{}, err
	}
	var labels []string
	for _, t := range txs {
		if assetID != nil && (t.AssetID == nil || *t.AssetID != *assetID) {
			continue
		}
		labels = append(labels, transactionLine(t))
	}
	if len(labels) == 0 {
		return Screen{Message: fitText("No transactions yet.", "0. Home"), Options: []ScreenOption{{0, get("home", customerID)}}}, nil
	}
	var kv []string
	if assetID != nil {
		kv = []string{"assetId", strconv.FormatInt(*assetID, 10)}
	}
	return s.listScreen("Transactions", labels, page, customerID, "transactions", nil, kv...), nil
}

// InstrumentsScreen lists the prices, each a link to the instrument's details.
func (s *Service) InstrumentsScreen(ctx context.Context, org investing.Org, customerID int64, page int) (Screen, error) {
	if _, err := s.customer(ctx, org, customerID); err != nil {
		return Screen{}, err
	}
	qs, err := s.available(ctx, org)
	if err != nil {
		return Screen{}, err
	}
	labels := make([]string, len(qs))
	for i, q := range qs {
		labels[i] = q.Symbol + " " + usd(q.Price)
	}
	return s.listScreen("Prices", labels, page, customerID, "instruments", func(i int) Link {
		return get("stocks", customerID, "symbol", qs[i].Symbol, "detailMode", "true")
	}), nil
}

// OrderScreen places an order keyed in the menu-URL style: created is
// true with the request's screen, or false with the reason and the
// amount prompt again.
func (s *Service) OrderScreen(ctx context.Context, org investing.Org, o Order) (Screen, bool, error) {
	r, notice, err := s.Place(ctx, org, o)
	if err != nil {
		return Screen{}, false, err
	}
	if notice != "" {
		return Screen{
			Message: fitText(notice, "Enter amount:"),
			Confirm: &Link{URL: ussdURL("requests", o.CustomerID, "orderType", string(o.Type), "symbol", strings.ToUpper(o.Symbol)), Method: "POST"},
		}, false, nil
	}
	return Screen{
		Message: fitText(placedText(r)),
		Confirm: ptr(get("home", o.CustomerID)),
	}, true, nil
}

func placedText(r trading.Request) string {
	verb, amount := "buy", r.PurchaseAmount
	if r.Type == trading.Sell {
		verb, amount = "sell", r.SellAmount
	}
	a := ""
	if amount != nil {
		a = money(*amount) + " "
	}
	return fmt.Sprintf("Request %d placed: %s %s%s of %s. You will be notified when it is filled.", r.ID, verb, a, r.Currency, r.Symbol)
}
