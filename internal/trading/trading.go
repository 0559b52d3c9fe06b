// Package trading is the domain of investing requests: purchases and sells
// of instruments, their execution against the market, the holdings
// (assets) they build, the transactions they leave, recurring schedules and
// the sandbox's simulation controls.
//
// A new request is PENDING. Its execution is a job enqueued in the same
// transaction as the request (Scheduler); the job calls ExecuteRequest,
// which fills the request in one transaction: it converts the currency,
// prices the instrument, computes the quantity, updates the holding and
// the portfolio, writes a transaction and sets the status. A recurring
// request stays PENDING and executes once per cycle until it is canceled.
// The job of a one-time request calls ExecuteBatch instead, which fills it
// together with the other PENDING one-time purchases of its account, one
// execution after another in memory and written once (see ExecuteBatch).
//
// Every amount is a decimal.Decimal. Prices and average costs are in US
// dollars; a request's amounts are in its currency; a holding's and a
// portfolio's investmentAmount and marketValue are in the portfolio's
// currency.
//
// Like investing, it imports neither the generated API code, nor Echo,
// nor GORM, and returns *errcode.Error values.
package trading

import (
	"context"
	"time"

	"github.com/openvest/openvest/internal/investing"
	"github.com/shopspring/decimal"
)

// RequestType says whether a request buys or sells.
type RequestType string

// The request types.
const (
	Purchase RequestType = "PURCHASE"
	Sell     RequestType = "SELL"
)

// RequestTypes is every request type (the requests table's CHECK allows
// these and no other; the maintained list totals sum over them).
var RequestTypes = []RequestType{Purchase, Sell}

// RequestStatus is where a request is in its life.
type RequestStatus string

// The request statuses.
const (
	Pending   RequestStatus = "PENDING"
	Completed RequestStatus = "COMPLETED"
	Canceled  RequestStatus = "CANCELED"
	Failed    RequestStatus = "ERROR"
)

// RequestStatuses is every request status (the requests table's CHECK
// allows these and no other; the maintained list totals sum over them).
var RequestStatuses = []RequestStatus{Pending, Completed, Canceled, Failed}

// Request is an order to buy an instrument or sell a holding.
type Request struct {
	ID             int64
	OrganizationID int64
	CustomerID     int64
	AccountID      int64
	PortfolioID    int64
	Type           RequestType
	Status         RequestStatus
	Currency       investing.Currency
	InstrumentID   int64
	Symbol         string
	AssetID        *int64           // sells
	PurchaseAmount *decimal.Decimal // purchases, in Currency
	SellAmount     *decimal.Decimal // sells by amount, in Currency
	SellPercentage *decimal.Decimal // sells by share of the holding, in (0, 100]
	IsRecurring    bool
	Schedule       Schedule
	// NextExecutionAt is when a PENDING recurring request runs next.
	NextExecutionAt *time.Time
	// Executions counts the executions so far (cycles, for a recurring request).
	Executions  int
	ErrorReason *string // set on ERROR
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// Asset is a holding of one instrument in one portfolio.
type Asset struct {
	ID             int64
	OrganizationID int64
	CustomerID     int64
	AccountID      int64
	PortfolioID    int64
	InstrumentID   int64
	Symbol         string
	Currency       investing.Currency // the portfolio's: InvestmentAmount and MarketValue are in it
	Quantity       decimal.Decimal
	AverageCost    decimal.Decimal // US dollars per share paid, on average
	// InvestmentAmount is what the shares held cost (the cost basis).
	InvestmentAmount decimal.Decimal
	// MarketValue is the value of the shares held: as of the last
	// execution when stored, at the current price when read through Service.
	MarketValue decimal.Decimal
	// Price is the current price (US dollars), and Performance the gain in
	// percent of InvestmentAmount; both are set when read through Service.
	Price       decimal.Decimal
	Performance decimal.Decimal
	// Name is the instrument's name, set when the asset is valued.
	Name string
	// Locked is the quantity PENDING sells of the asset hold (at most
	// Quantity), set when read through Service.
	Locked    decimal.Decimal
	CreatedAt time.Time
	UpdatedAt time.Time
}

// TransactionStatus is the outcome of an execution.
type TransactionStatus string

// The transaction statuses (executions write COMPLETED or ERROR).
const (
	TxPending   TransactionStatus = "PENDING"
	TxCompleted TransactionStatus = "COMPLETED"
	TxCanceled  TransactionStatus = "CANCELED"
	TxFailed    TransactionStatus = "ERROR"
)

// Transaction records one execution of a request: the fill, or why it failed.
type Transaction struct {
	ID             int64
	OrganizationID int64
	CustomerID     int64
	AccountID      int64
	PortfolioID    int64
	RequestID      int64
	AssetID        *int64
	InstrumentID   int64
	Symbol         string
	Type           RequestType
	Status         TransactionStatus
	Currency       investing.Currency // the request's
	// Amount is what was invested (purchase) or paid out (sell), in Currency.
	Amount decimal.Decimal
	// Rate is the exchange rate applied: US dollars per unit of Currency.
	Rate     decimal.Decimal
	Price    decimal.Decimal // US dollars per share
	Quantity decimal.Decimal
	// Value is Quantity × Price in US dollars, rounded to the cent.
	Value decimal.Decimal
	// Uninvested is what a whole-share purchase could not spend, in US dollars.
	Uninvested  decimal.Decimal
	Cycle       int // 1 for a one-time request; the cycle number of a recurring one
	ErrorReason *string
	ExecutedAt  time.Time
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// Execution is one execution of a request to run: Due is the cycle of a
// recurring request (zero for a one-time one), Delay how long from now.
type Execution struct {
	OrganizationID int64
	RequestID      int64
	Due            time.Time
	Delay          time.Duration
	// Now: run the cycle now even when a job of it is already waiting (the
	// sandbox clock moved past its due time; the waiting one then finds
	// the cycle done). Otherwise a cycle has one job at a time, however
	// many replicas schedule it.
	Now bool
}

// Scheduler enqueues executions. Schedule runs in the transaction ctx
// carries, so the execution exists exactly when the change that asked for
// it commits.
type Scheduler interface {
	Schedule(ctx context.Context, e Execution) error
}

// RequestFilter narrows a request list.
type RequestFilter struct {
	CustomerID *int64
	Status     *RequestStatus
	Type       *RequestType
}

// AssetFilter narrows an asset list.
type AssetFilter struct {
	CustomerID  *int64
	AccountID   *int64
	PortfolioID *int64
}

// TransactionFilter narrows a transaction list.
type TransactionFilter struct {
	CustomerID *int64
	RequestID  *int64
}
