package ussd

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/openvest/openvest/internal/errcode"
	"github.com/openvest/openvest/internal/investing"
	"github.com/openvest/openvest/internal/trading"
)

// Option is a choice of a session menu.
type Option struct {
	Key   string
	Label string
	Next  State
	Data  map[string]string
}

// Menu is what a session shows in its state.
type Menu struct {
	State   State
	Text    string
	Options []Option
	End     bool
}

// View is a session with its current menu.
type View struct {
	Session Session
	Menu    Menu
}

// Start opens a session for a customer at HOME. NotFound: no such customer.
func (s *Service) Start(ctx context.Context, org investing.Org, customerID int64) (View, error) {
	if _, err := s.customer(ctx, org, customerID); err != nil {
		return View{}, err
	}
	now := s.now().UTC().Truncate(time.Second)
	sess := Session{ID: newSessionID(), OrganizationID: org.ID, CustomerID: customerID, State: Home, ExpiresAt: now.Add(s.ttl), CreatedAt: now, UpdatedAt: now}
	m, err := s.menu(ctx, org, &sess)
	if err != nil {
		return View{}, err
	}
	if err := s.repo.CreateSession(ctx, &sess); err != nil {
		return View{}, fmt.Errorf("storing a USSD session: %w", err)
	}
	return View{Session: sess, Menu: m}, nil
}

// Process moves a session by the customer's choice and returns its new
// menu. A choice not on the menu re-shows it with a short notice.
// NotFound: no such session in the organization; ErrGone: it expired or
// ended.
func (s *Service) Process(ctx context.Context, org investing.Org, id, choice string) (View, error) {
	var v View
	// One step at a time per session: the row is locked until the step
	// (and the order it may place) commits, so a confirmation sent twice
	// at once places one order.
	err := s.repo.WithTx(ctx, func(ctx context.Context) error {
		sess, err := s.repo.Session(ctx, org.ID, id, true)
		if err != nil {
			return err
		}
		now := s.now().UTC().Truncate(time.Second)
		if !now.Before(sess.ExpiresAt) {
			return &goneError{fmt.Sprintf("USSD session %s expired at %s: start a new one with POST /v1/ussd/session", id, sess.ExpiresAt.Format(time.RFC3339))}
		}
		if sess.State == Exit {
			return &goneError{fmt.Sprintf("USSD session %s has ended: start a new one with POST /v1/ussd/session", id)}
		}
		sess.Data.Notice = ""
		if err := s.step(ctx, org, &sess, strings.TrimSpace(choice)); err != nil {
			return err
		}
		m, err := s.menu(ctx, org, &sess)
		if err != nil {
			return err
		}
		sess.ExpiresAt, sess.UpdatedAt = now.Add(s.ttl), now
		if err := s.repo.SaveSession(ctx, &sess); err != nil {
			return fmt.Errorf("saving USSD session %s: %w", id, err)
		}
		v = View{Session: sess, Menu: m}
		return nil
	})
	return v, err
}

func (s *Service) invalid(sess *Session) {
	sess.Data.Notice = "Invalid choice."
}

// step applies choice to the session's state.
func (s *Service) step(ctx context.Context, org investing.Org, sess *Session, choice string) error {
	d := &sess.Data
	goHome := func() { sess.State, *d = Home, Data{} }
	switch sess.State {
	case Home:
		switch choice {
		case "1":
			sess.State, d.Page = Stocks, 1
		case "2":
			sess.State, d.Page = MyPortfolio, 1
		case "3":
			sess.State, d.Page = TransactionHistory, 1
		case "0":
			sess.State = Exit
		default:
			s.invalid(sess)
		}
	case Stocks, MyPortfolio, TransactionHistory:
		m, err := s.menu(ctx, org, sess)
		if err != nil {
			return err
		}
		for _, o := range m.Options {
			if o.Key != choice {
				continue
			}
			switch {
			case o.Key == "0":
				goHome()
			case o.Key == "9":
				d.Page++
			default:
				sess.State, d.Symbol, d.Page = SelectStock, o.Data["symbol"], 0
			}
			return nil
		}
		s.invalid(sess)
	case SelectStock:
		switch choice {
		case "1":
			sess.State, d.OrderType = EnterAmount, string(trading.Purchase)
		case "2":
			sess.State, d.OrderType = EnterAmount, string(trading.Sell)
		case "0":
			sess.State, d.Symbol, d.Page = Stocks, "", 1
		default:
			s.invalid(sess)
		}
	case EnterAmount:
		if choice == "0" {
			sess.State, d.OrderType = SelectStock, ""
			return nil
		}
		if _, err := strconv.ParseFloat(choice, 64); err != nil || strings.ContainsAny(choice, "eE+-xXnN") {
			d.Notice = "Enter an amount, such as 500."
			return nil
		}
		sess.State, d.Amount = ConfirmOrder, choice
	case ConfirmOrder:
		switch choice {
		case "1":
			r, notice, err := s.Place(ctx, org, Order{CustomerID: sess.CustomerID, Type: trading.RequestType(d.OrderType), Symbol: d.Symbol, Amount: d.Amount})
			if err != nil {
				return err
			}
			if notice != "" {
				sess.State, d.Amount, d.Notice = EnterAmount, "", notice
				return nil
			}
			sess.State, d.RequestID = OrderPlaced, r.ID
		case "0":
			goHome()
		default:
			s.invalid(sess)
		}
	case OrderPlaced:
		if choice == "0" {
			goHome()
		} else {
			s.invalid(sess)
		}
	}
	return nil
}

// menu builds the menu of the session's state.
func (s *Service) menu(ctx context.Context, org investing.Org, sess *Session) (Menu, error) {
	d := sess.Data
	var header string
	var opts []Option
	footer := func(o ...Option) { opts = append(opts, o...) }
	home := Option{Key: "0", Label: "Home", Next: Home}
	switch sess.State {
	case Home:
		c, err := s.customer(ctx, org, sess.CustomerID)
		if err != nil {
			return Menu{}, err
		}
		header = "Welcome " + clip(c.FirstName, 40)
		footer(Option{Key: "1", Label: "Buy stocks", Next: Stocks}, Option{Key: "2", Label: "My portfolio", Next: MyPortfolio},
			Option{Key: "3", Label: "Transaction history", Next: TransactionHistory}, Option{Key: "0", Label: "Exit", Next: Exit})
	case Stocks:
		qs, err := s.available(ctx, org)
		if err != nil {
			return Menu{}, err
		}
		labels := make([]string, len(qs))
		data := make([]map[string]string, len(qs))
		for i, q := range qs {
			labels[i] = q.Symbol + " " + usd(q.Price)
			data[i] = map[string]string{"stockId": strconv.FormatInt(q.ID, 10), "symbol": q.Symbol, "name": q.Name}
		}
		return s.listMenu(sess, "Choose a stock", labels, data, Stocks), nil
	case MyPortfolio:
		hs, err := s.holdings(ctx, org, sess.CustomerID)
		if err != nil {
			return Menu{}, err
		}
		if len(hs) == 0 {
			header = "You have no holdings yet."
			footer(Option{Key: "1", Label: "Buy stocks", Next: Stocks}, home)
			break
		}
		labels := make([]string, len(hs))
		data := make([]map[string]string, len(hs))
		for i, a := range hs {
			labels[i] = holdingLine(a)
			data[i] = map[string]string{"stockId": strconv.FormatInt(a.InstrumentID, 10), "symbol": a.Symbol, "name": a.Name, "assetId": strconv.FormatInt(a.ID, 10)}
		}
		return s.listMenu(sess, "My portfolio", labels, data, MyPortfolio), nil
	case TransactionHistory:
		txs, err := s.transactions(ctx, org, sess.CustomerID)
		if err != nil {
			return Menu{}, err
		}
		if len(txs) == 0 {
			header = "No transactions yet."
			footer(home)
			break
		}
		labels := make([]string, len(txs))
		for i, t := range txs {
			labels[i] = transactionLine(t)
		}
		return s.listMenu(sess, "Transactions", labels, nil, TransactionHistory), nil
	case SelectStock:
		q, err := s.quote(ctx, org, d.Symbol)
		if err != nil {
			return Menu{}, err
		}
		header = fmt.Sprintf("%s %s %s", q.Symbol, clip(q.Name, 40), usd(q.Price))
		footer(Option{Key: "1", Label: "Buy", Next: EnterAmount}, Option{Key: "2", Label: "Sell", Next: EnterAmount}, Option{Key: "0", Label: "Back", Next: Stocks})
	case EnterAmount:
		q, err := s.quote(ctx, org, d.Symbol)
		if err != nil {
			return Menu{}, err
		}
		cur, err := s.currency(ctx, org, sess.CustomerID, q)
		if err != nil {
			return Menu{}, err
		}
		verb := "buy"
		if d.OrderType == string(trading.Sell) {
			verb = "sell"
		}
		header = fmt.Sprintf("Amount of %s to %s, in %s:", q.Symbol, verb, cur)
		footer(Option{Key: "0", Label: "Back", Next: SelectStock})
	case ConfirmOrder:
		q, err := s.quote(ctx, org, d.Symbol)
		if err != nil {
			return Menu{}, err
		}
		cur, err := s.currency(ctx, org, sess.CustomerID, q)
		if err != nil {
			return Menu{}, err
		}
		verb := "Buy"
		if d.OrderType == string(trading.Sell) {
			verb = "Sell"
		}
		header = fmt.Sprintf("%s %s %s of %s at %s/share?", verb, clip(d.Amount, 16), cur, q.Symbol, usd(q.Price))
		footer(Option{Key: "1", Label: "Confirm", Next: OrderPlaced}, Option{Key: "0", Label: "Cancel", Next: Home})
	case OrderPlaced:
		r, err := s.tr.Request(ctx, org, d.RequestID)
		if err != nil {
			return Menu{}, err
		}
		header = placedText(r)
		footer(home)
	case Exit:
		return Menu{State: Exit, Text: "Thank you for using Openvest.", Options: []Option{}, End: true}, nil
	default:
		return Menu{}, errcode.New(errcode.Conflict, "USSD session %s is in an unknown state %q", sess.ID, sess.State)
	}
	lines := []string{}
	if d.Notice != "" {
		lines = append(lines, d.Notice)
	}
	lines = append(lines, header)
	for _, o := range opts {
		lines = append(lines, o.Key+". "+o.Label)
	}
	return Menu{State: sess.State, Text: fitText(lines...), Options: opts}, nil
}

// listMenu pages labels (each an option to SELECT_STOCK carrying data[i]
// when data is set) with 9 (next) and 0 (home).
func (s *Service) listMenu(sess *Session, header string, labels []string, data []map[string]string, state State) Menu {
	if sess.Data.Notice != "" {
		header = sess.Data.Notice + "\n" + header
	}
	numbered := make([]string, len(labels))
	for i, l := range labels {
		numbered[i] = "8. " + clip(l, 60)
	}
	start, end, p, more := pageOf(header, numbered, []string{"0. Home"}, "9. Next", sess.Data.Page)
	sess.Data.Page = p
	lines := []string{header}
	opts := []Option{}
	for i := start; i < end; i++ {
		key := strconv.Itoa(i - start + 1)
		label := clip(labels[i], 60)
		lines = append(lines, key+". "+label)
		if data != nil {
			opts = append(opts, Option{Key: key, Label: label, Next: SelectStock, Data: data[i]})
		}
	}
	if more {
		lines = append(lines, "9. Next")
		opts = append(opts, Option{Key: "9", Label: "Next", Next: state})
	}
	lines = append(lines, "0. Home")
	opts = append(opts, Option{Key: "0", Label: "Home", Next: Home})
	return Menu{State: state, Text: fitText(lines...), Options: opts}
}
