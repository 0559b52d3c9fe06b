package reports

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"slices"
	"strconv"
	"time"

	"github.com/openvest/openvest/internal/errcode"
	"github.com/openvest/openvest/internal/investing"
	"github.com/openvest/openvest/internal/trading"
	"github.com/shopspring/decimal"
)

// Document is a report's JSON file; the CSV file has one row per holding
// or transaction, its first column naming the section.
type Document struct {
	ReportID       int64     `json:"reportId"`
	OrganizationID int64     `json:"organizationId"`
	ReportTypes    []Type    `json:"reportTypes"`
	GeneratedAt    int64     `json:"generatedAt"`
	Users          []UserRow `json:"users,omitempty"`
	Transactions   []TxRow   `json:"transactions,omitempty"`
	TradeBlotter   []TxRow   `json:"tradeBlotter,omitempty"`
}

// UserRow is a customer with holdings (USER).
type UserRow struct {
	CustomerID  int64        `json:"customerId"`
	FirstName   string       `json:"firstName"`
	LastName    string       `json:"lastName"`
	ReferenceID *string      `json:"referenceId,omitempty"`
	Status      string       `json:"status"`
	Holdings    []HoldingRow `json:"holdings"`
}

// HoldingRow is one holding of a customer, valued now.
type HoldingRow struct {
	AssetID          int64           `json:"assetId"`
	PortfolioID      int64           `json:"portfolioId"`
	InstrumentID     int64           `json:"instrumentId"`
	Symbol           string          `json:"symbol"`
	Quantity         decimal.Decimal `json:"quantity"`
	AverageCost      decimal.Decimal `json:"averageCost"`
	Price            decimal.Decimal `json:"price"`
	InvestmentAmount decimal.Decimal `json:"investmentAmount"`
	MarketValue      decimal.Decimal `json:"marketValue"`
	Currency         string          `json:"currency"`
}

// TxRow is one transaction (TRANSACTION) or executed trade (REGULATORY).
type TxRow struct {
	TransactionID int64           `json:"transactionId"`
	RequestID     int64           `json:"requestId"`
	CustomerID    int64           `json:"customerId"`
	AccountID     int64           `json:"accountId"`
	InstrumentID  int64           `json:"instrumentId"`
	Symbol        string          `json:"symbol"`
	Side          string          `json:"requestType"`
	Status        string          `json:"status"`
	Currency      string          `json:"currency"`
	Amount        decimal.Decimal `json:"amount"`
	FxRate        decimal.Decimal `json:"fxRate"`
	Price         decimal.Decimal `json:"price"`
	Quantity      decimal.Decimal `json:"quantity"`
	Value         decimal.Decimal `json:"value"`
	ErrorReason   *string         `json:"errorReason,omitempty"`
	ExecutedAt    int64           `json:"executedAt"`
}

var tooBig = errcode.New(errcode.Unprocessable, "the report would have more than 100000 rows: ask for fewer report types")

// build reads the organization's data in the transaction ctx carries and
// renders the file. Unprocessable: more than MaxRows rows.
func (s *Service) build(ctx context.Context, r Report) ([]byte, int, error) {
	org := investing.Org{ID: r.OrganizationID}
	doc := Document{ReportID: r.ID, OrganizationID: r.OrganizationID, ReportTypes: r.Types, GeneratedAt: s.clock().Unix()}
	rows := 0
	if slices.Contains(r.Types, User) {
		holdings := map[int64][]HoldingRow{}
		err := each(func(p investing.PageRequest) (int, int64, error) {
			page, err := s.trading.Assets(ctx, org, trading.AssetFilter{}, p)
			for _, a := range page.Items {
				if a.Quantity.IsPositive() {
					holdings[a.CustomerID] = append(holdings[a.CustomerID], HoldingRow{
						AssetID: a.ID, PortfolioID: a.PortfolioID, InstrumentID: a.InstrumentID, Symbol: a.Symbol, Quantity: a.Quantity,
						AverageCost: a.AverageCost, Price: a.Price, InvestmentAmount: a.InvestmentAmount, MarketValue: a.MarketValue, Currency: string(a.Currency),
					})
					rows++
				}
			}
			return len(page.Items), page.Total, err
		})
		if err != nil {
			return nil, 0, err
		}
		if rows > MaxRows {
			return nil, 0, tooBig
		}
		err = each(func(p investing.PageRequest) (int, int64, error) {
			page, err := s.investing.Customers(ctx, org, investing.CustomerFilter{}, p)
			for _, c := range page.Items {
				if h := holdings[c.ID]; len(h) > 0 {
					doc.Users = append(doc.Users, UserRow{CustomerID: c.ID, FirstName: c.FirstName, LastName: c.LastName, ReferenceID: c.ReferenceID, Status: string(c.Status), Holdings: h})
				}
			}
			return len(page.Items), page.Total, err
		})
		if err != nil {
			return nil, 0, err
		}
	}
	if slices.Contains(r.Types, Transaction) || slices.Contains(r.Types, Regulatory) {
		err := each(func(p investing.PageRequest) (int, int64, error) {
			page, err := s.trading.Transactions(ctx, org, trading.TransactionFilter{}, p)
			for _, t := range page.Items {
				row := TxRow{
					TransactionID: t.ID, RequestID: t.RequestID, CustomerID: t.CustomerID, AccountID: t.AccountID, InstrumentID: t.InstrumentID,
					Symbol: t.Symbol, Side: string(t.Type), Status: string(t.Status), Currency: string(t.Currency), Amount: t.Amount, FxRate: t.Rate,
					Price: t.Price, Quantity: t.Quantity, Value: t.Value, ErrorReason: t.ErrorReason, ExecutedAt: t.ExecutedAt.Unix(),
				}
				if slices.Contains(r.Types, Transaction) {
					doc.Transactions = append(doc.Transactions, row)
					rows++
				}
				if slices.Contains(r.Types, Regulatory) && t.Status == trading.TxCompleted {
					doc.TradeBlotter = append(doc.TradeBlotter, row)
					rows++
				}
			}
			if rows > MaxRows {
				return 0, 0, tooBig
			}
			return len(page.Items), page.Total, err
		})
		if err != nil {
			return nil, 0, err
		}
	}
	if r.Format == JSON {
		b, err := json.Marshal(doc)
		return b, rows, err
	}
	b, err := renderCSV(doc)
	return b, rows, err
}

// each pages through a list of at most 1,000 items a page.
func each(page func(p investing.PageRequest) (n int, total int64, err error)) error {
	for p := (investing.PageRequest{Limit: 1000}); ; p.Page++ {
		n, total, err := page(p)
		if err != nil {
			return err
		}
		if n == 0 || int64(p.Offset()+n) >= total {
			return nil
		}
	}
}

// CSVHeader is the first line of a CSV report.
var CSVHeader = []string{
	"section", "customerId", "firstName", "lastName", "customerStatus", "assetId", "portfolioId", "transactionId", "requestId", "accountId",
	"instrumentId", "symbol", "requestType", "status", "currency", "quantity", "price", "averageCost", "investmentAmount", "marketValue",
	"amount", "fxRate", "value", "executedAt", "errorReason",
}

func renderCSV(doc Document) ([]byte, error) {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	_ = w.Write(CSVHeader)
	id := func(v int64) string { return strconv.FormatInt(v, 10) }
	for _, u := range doc.Users {
		for _, h := range u.Holdings {
			_ = w.Write([]string{string(User), id(u.CustomerID), u.FirstName, u.LastName, u.Status, id(h.AssetID), id(h.PortfolioID), "", "", "",
				id(h.InstrumentID), h.Symbol, "", "", h.Currency, h.Quantity.String(), h.Price.String(), h.AverageCost.String(),
				h.InvestmentAmount.String(), h.MarketValue.String(), "", "", "", "", ""})
		}
	}
	tx := func(section Type, rows []TxRow) {
		for _, t := range rows {
			reason := ""
			if t.ErrorReason != nil {
				reason = *t.ErrorReason
			}
			_ = w.Write([]string{string(section), id(t.CustomerID), "", "", "", "", "", id(t.TransactionID), id(t.RequestID), id(t.AccountID),
				id(t.InstrumentID), t.Symbol, t.Side, t.Status, t.Currency, t.Quantity.String(), t.Price.String(), "", "", "",
				t.Amount.String(), t.FxRate.String(), t.Value.String(), time.Unix(t.ExecutedAt, 0).UTC().Format(time.RFC3339), reason})
		}
	}
	tx(Transaction, doc.Transactions)
	tx(Regulatory, doc.TradeBlotter)
	w.Flush()
	return buf.Bytes(), w.Error()
}
