package trading

import (
	"context"
	"time"

	"github.com/openvest/openvest/internal/investing"
	"github.com/openvest/openvest/internal/txn"
	"github.com/shopspring/decimal"
)

// Repository is the storage the trading service needs. Every method is
// scoped by organization; a row of another organization is NotFound.
// Methods join the transaction ctx carries (see WithTx).
type Repository interface {
	// Transactor opens the service's units of work (see txn).
	txn.Transactor

	// Customer reads a customer. NotFound.
	Customer(ctx context.Context, orgID, id int64) (investing.Customer, error)
	// AccountOfType reads the customer's account of an investment type. NotFound.
	AccountOfType(ctx context.Context, orgID, customerID int64, t investing.InvestmentType) (investing.Account, error)
	// Account reads an account. NotFound.
	Account(ctx context.Context, orgID, id int64) (investing.Account, error)
	// PortfolioOfAccount reads an account's portfolio; lock holds it. NotFound.
	PortfolioOfAccount(ctx context.Context, orgID, accountID int64, lock bool) (investing.Portfolio, error)
	// ActivePortfolioOfAccount reads an account's portfolio, in one
	// statement, when the customer and the account are both ACTIVE; lock
	// holds it. found is false otherwise (or when there is none).
	ActivePortfolioOfAccount(ctx context.Context, orgID, customerID, accountID int64, lock bool) (p investing.Portfolio, found bool, err error)
	// ActivePortfolioOfType reads, in one statement, the portfolio of the
	// customer's account of an investment type when the customer and the
	// account are both ACTIVE. found is false otherwise.
	ActivePortfolioOfType(ctx context.Context, orgID, customerID int64, t investing.InvestmentType) (p investing.Portfolio, found bool, err error)
	// Portfolio reads a portfolio. NotFound.
	Portfolio(ctx context.Context, orgID, id int64) (investing.Portfolio, error)
	// LockPortfolio reads a portfolio and holds it until the transaction ends. NotFound.
	LockPortfolio(ctx context.Context, orgID, id int64) (investing.Portfolio, error)
	// MoveAsset puts an asset in another portfolio (and account) of its
	// customer. NotFound: the portfolio is not the customer's (the
	// database checks it). Conflict: it holds the instrument already.
	MoveAsset(ctx context.Context, orgID, assetID, portfolioID, accountID int64, at time.Time) error
	// SavePortfolioValues writes p's investmentAmount, marketValue and performance.
	SavePortfolioValues(ctx context.Context, p *investing.Portfolio) error

	// CreateRequest inserts r and sets its ID.
	CreateRequest(ctx context.Context, r *Request) error
	// Request reads a request; lock holds it until the transaction ends. NotFound.
	Request(ctx context.Context, orgID, id int64, lock bool) (Request, error)
	// SaveRequest writes r's status, next execution, executions, error reason and updatedAt.
	SaveRequest(ctx context.Context, r *Request) error
	// SaveRequests is SaveRequest of every request of rs (of the organization), in as few statements as their values allow.
	SaveRequests(ctx context.Context, orgID int64, rs []Request) error
	// LockPendingRequests reads at most limit PENDING one-time requests of
	// type t of an account, in id order, and holds them until the
	// transaction ends. On PostgreSQL those another transaction holds are
	// left out (SKIP LOCKED) instead of waited for; SQLite serialises
	// writers. Index requests_org_account_pending.
	LockPendingRequests(ctx context.Context, orgID, accountID int64, t RequestType, limit int) ([]Request, error)
	// ListRequests returns one page of requests.
	ListRequests(ctx context.Context, orgID int64, f RequestFilter, p investing.PageRequest) (investing.Page[Request], error)
	// DueRequests lists the PENDING recurring requests due at or before t.
	DueRequests(ctx context.Context, orgID int64, t time.Time) ([]Request, error)
	// OverdueRequests lists, across organizations, at most limit PENDING
	// recurring requests whose next cycle was due before t.
	OverdueRequests(ctx context.Context, t time.Time, limit int) ([]Request, error)

	// PendingSells lists the PENDING sells of the given assets.
	PendingSells(ctx context.Context, orgID int64, assetIDs []int64) ([]Request, error)
	// Asset reads an asset; lock holds it. NotFound.
	Asset(ctx context.Context, orgID, id int64, lock bool) (Asset, error)
	// AssetOf reads the holding of an instrument in a portfolio, locked; found is false when there is none.
	AssetOf(ctx context.Context, orgID, portfolioID, instrumentID int64) (a Asset, found bool, err error)
	// CreateAsset inserts a and sets its ID.
	CreateAsset(ctx context.Context, a *Asset) error
	// SaveAsset writes a's quantity, average cost, amounts and updatedAt.
	SaveAsset(ctx context.Context, a *Asset) error
	// ListAssets returns one page of assets.
	ListAssets(ctx context.Context, orgID int64, f AssetFilter, p investing.PageRequest) (investing.Page[Asset], error)
	// PortfolioAssets lists the assets of the given portfolios.
	PortfolioAssets(ctx context.Context, orgID int64, portfolioIDs []int64) ([]Asset, error)

	// CreateTransaction inserts t and sets its ID. Conflict: the request's
	// cycle has a transaction already.
	CreateTransaction(ctx context.Context, t *Transaction) error
	// CreateTransactions inserts ts (of the organization) in one statement and sets their IDs. Conflict: a request's cycle has a transaction already.
	CreateTransactions(ctx context.Context, orgID int64, ts []Transaction) error
	// Transaction reads one transaction. NotFound.
	Transaction(ctx context.Context, orgID, id int64) (Transaction, error)
	// ListTransactions returns one page of transactions.
	ListTransactions(ctx context.Context, orgID int64, f TransactionFilter, p investing.PageRequest) (investing.Page[Transaction], error)

	// ClockOffset is how far the organization's sandbox clock is ahead (0 when never moved).
	ClockOffset(ctx context.Context, orgID int64) (time.Duration, error)
	// SetClockOffset stores the organization's sandbox clock offset.
	SetClockOffset(ctx context.Context, orgID int64, d time.Duration, at time.Time) error
	// SandboxState is ClockOffset and PriceOverrides in one statement.
	SandboxState(ctx context.Context, orgID int64) (time.Duration, map[int64]decimal.Decimal, error)
	// PriceOverrides lists the organization's sandbox prices by instrument id.
	PriceOverrides(ctx context.Context, orgID int64) (map[int64]decimal.Decimal, error)
	// PriceOverrideSetAt is when the instrument's sandbox price was set. NotFound.
	PriceOverrideSetAt(ctx context.Context, orgID, instrumentID int64) (time.Time, error)
	// SetPriceOverride sets an instrument's sandbox price for the organization.
	SetPriceOverride(ctx context.Context, orgID, instrumentID int64, price decimal.Decimal, at time.Time) error
	// DeletePriceOverride removes it; deleted is false when there was none.
	DeletePriceOverride(ctx context.Context, orgID, instrumentID int64) (deleted bool, err error)
}
