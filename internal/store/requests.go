package store

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/openvest/openvest/internal/errcode"
	"github.com/openvest/openvest/internal/investing"
	"github.com/openvest/openvest/internal/trading"
	"github.com/shopspring/decimal"
	"gorm.io/gorm"
)

type requestRow struct {
	ID              int64 `gorm:"primaryKey"`
	OrganizationID  int64
	CustomerID      int64
	AccountID       int64
	PortfolioID     int64
	RequestType     string
	Status          string
	CurrencyCols    `gorm:"embedded"`
	InstrumentID    int64
	Symbol          string
	AssetID         *int64
	PurchaseAmount  *decimal.Decimal
	SellAmount      *decimal.Decimal
	SellPercentage  *decimal.Decimal
	IsRecurring     bool
	Schedule        string
	NextExecutionAt *time.Time
	Executions      int
	ErrorReason     *string
	CreatedAt       time.Time
	UpdatedAt       time.Time
}

func (requestRow) TableName() string { return "requests" }

func (r requestRow) domain() trading.Request {
	out := trading.Request{
		ID: r.ID, OrganizationID: r.OrganizationID, CustomerID: r.CustomerID, AccountID: r.AccountID, PortfolioID: r.PortfolioID,
		Type: trading.RequestType(r.RequestType), Status: trading.RequestStatus(r.Status), Currency: r.CurrencyCols.domain(),
		InstrumentID: r.InstrumentID, Symbol: r.Symbol, AssetID: r.AssetID,
		PurchaseAmount: r.PurchaseAmount, SellAmount: r.SellAmount, SellPercentage: r.SellPercentage,
		IsRecurring: r.IsRecurring, Schedule: trading.Schedule(r.Schedule), Executions: r.Executions, ErrorReason: r.ErrorReason,
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(),
	}
	if r.NextExecutionAt != nil {
		t := r.NextExecutionAt.UTC()
		out.NextExecutionAt = &t
	}
	return out
}

// CreateRequest implements trading.Repository.
func (r *TradingRepo) CreateRequest(ctx context.Context, q *trading.Request) error {
	row := requestRow{
		OrganizationID: q.OrganizationID, CustomerID: q.CustomerID, AccountID: q.AccountID, PortfolioID: q.PortfolioID,
		RequestType: string(q.Type), Status: string(q.Status), CurrencyCols: currencyOf(q.Currency),
		InstrumentID: q.InstrumentID, Symbol: q.Symbol, AssetID: q.AssetID,
		PurchaseAmount: q.PurchaseAmount, SellAmount: q.SellAmount, SellPercentage: q.SellPercentage,
		IsRecurring: q.IsRecurring, Schedule: string(q.Schedule), NextExecutionAt: q.NextExecutionAt,
		Executions: q.Executions, ErrorReason: q.ErrorReason, CreatedAt: q.CreatedAt, UpdatedAt: q.UpdatedAt,
	}
	// Every purchase and sale accepted inserts one: pre-written and sent
	// on the session's connection (the transaction's), as Request's read.
	err := r.s.pool(ctx).QueryRowContext(ctx, createRequestSQL[r.s.Dialect],
		row.OrganizationID, row.CustomerID, row.AccountID, row.PortfolioID, row.RequestType, row.Status,
		row.CurrencyCols.Currency, row.CurrencyCols.CurrencySpelling, row.InstrumentID, row.Symbol, row.AssetID,
		row.PurchaseAmount, row.SellAmount, row.SellPercentage, row.IsRecurring, row.Schedule, row.NextExecutionAt,
		row.Executions, row.ErrorReason, row.CreatedAt, row.UpdatedAt).Scan(&q.ID)
	return errcode.Wrapf(err, "create a %s request of customer %d of organization %d", q.Type, q.CustomerID, q.OrganizationID)
}

// createRequestSQL is CreateRequest's statement: every column of
// requestColumns but id, which it returns. On PostgreSQL it also adds the
// request to list_counts and list_buckets, as the insert trigger would,
// and marks it counted so that the trigger skips it (migration 00033).
var createRequestSQL = func() map[Dialect]string {
	values := `(` + strings.Repeat("?, ", 20) + `?`
	m := dialectSQL(`INSERT INTO requests (` + requestColumns[len("id, "):] + `) VALUES ` + values + `) RETURNING id`)
	m[Postgres] = dialectSQL(`WITH r AS (
  INSERT INTO requests (` + requestColumns[len("id, "):] + `, counted) VALUES ` + values + `, true)
  RETURNING id, organization_id, customer_id, status, request_type, created_at
), ` + selfCountCTEs(
		`SELECT r.organization_id, 'requests', kk.k, `+countSlotSQL+`, 1
  FROM r, LATERAL (VALUES ('customer_id=' || r.customer_id || '&status=' || r.status || '&request_type=' || r.request_type),
    ('status=' || r.status || '&request_type=' || r.request_type)) AS kk(k)
  ORDER BY kk.k`,
		`SELECT r.organization_id, 'requests', 'status=' || r.status || '&request_type=' || r.request_type,
    `+hourBucketSQL("r.created_at")+`, `+countSlotSQL+`, 1
  FROM r`) + `
SELECT id FROM r`)[Postgres]
	return m
}()

// requestColumns are requestRow's columns in the order requestRow.scan reads them.
const requestColumns = "id, organization_id, customer_id, account_id, portfolio_id, request_type, status, currency, currency_spelling, " +
	"instrument_id, symbol, asset_id, purchase_amount, sell_amount, sell_percentage, is_recurring, schedule, next_execution_at, " +
	"executions, error_reason, created_at, updated_at"

// requestByID is Request's statement, as each database's driver takes it
// (it goes to the connection as written); requestByIDLocked the locked
// one on PostgreSQL (SQLite serialises writers). The table is quoted as
// GORM quotes it, so that lock tests recognise the statement.
var (
	requestByID       = dialectSQL(`SELECT ` + requestColumns + ` FROM "requests" WHERE ` + inOrgSQL(`"requests"`) + ` AND id = ?`)
	requestByIDLocked = requestByID[Postgres] + ` FOR NO KEY UPDATE`
)

func (q *requestRow) scan(row interface{ Scan(...any) error }) error {
	return row.Scan(&q.ID, &q.OrganizationID, &q.CustomerID, &q.AccountID, &q.PortfolioID, &q.RequestType, &q.Status,
		&q.CurrencyCols.Currency, &q.CurrencyCols.CurrencySpelling, &q.InstrumentID, &q.Symbol, &q.AssetID,
		&q.PurchaseAmount, &q.SellAmount, &q.SellPercentage, &q.IsRecurring, &q.Schedule, &q.NextExecutionAt,
		&q.Executions, &q.ErrorReason, &q.CreatedAt, &q.UpdatedAt)
}

// Request implements trading.Repository.
//
// Every execution job reads its request first (a job whose request a
// batch executed reads nothing else), so the statement is pre-written,
// sent without GORM's build and callbacks and scanned by hand: the
// GORM-built read was about a fifth of the server's CPU while a backlog
// of executions drained. At most one row: id is the primary key.
func (r *TradingRepo) Request(ctx context.Context, orgID, id int64, lock bool) (trading.Request, error) {
	query := requestByID[r.s.Dialect]
	if lock && r.s.Dialect == Postgres {
		query = requestByIDLocked
	}
	var row requestRow
	// Straight to the session's connection (the transaction's when ctx
	// carries one), as Customer's read: the statement is already written.
	err := row.scan(r.s.pool(ctx).QueryRowContext(ctx, query, orgID, id))
	if errors.Is(err, sql.ErrNoRows) {
		err = gorm.ErrRecordNotFound
	}
	if err != nil {
		return trading.Request{}, errcode.Wrapf(notFound(err, "request %d not found", id), "read request %d of organization %d", id, orgID)
	}
	return row.domain(), nil
}

// SaveRequest implements trading.Repository.
func (r *TradingRepo) SaveRequest(ctx context.Context, q *trading.Request) error {
	err := r.db(ctx).Model(&requestRow{}).Scopes(inOrg(q.OrganizationID)).Where("id = ?", q.ID).
		Updates(map[string]any{
			"status": string(q.Status), "next_execution_at": q.NextExecutionAt, "executions": q.Executions,
			"error_reason": q.ErrorReason, "updated_at": q.UpdatedAt,
		}).Error
	return errcode.Wrapf(err, "save request %d of organization %d", q.ID, q.OrganizationID)
}

// ListRequests implements trading.Repository.
func (r *TradingRepo) ListRequests(ctx context.Context, orgID int64, f trading.RequestFilter, p investing.PageRequest) (investing.Page[trading.Request], error) {
	q := r.db(ctx).Model(&requestRow{}).Scopes(inOrg(orgID))
	if f.CustomerID != nil {
		q = q.Where("requests.customer_id = ?", *f.CustomerID)
	}
	if f.Status != nil {
		q = q.Where("requests.status = ?", string(*f.Status))
	}
	if f.Type != nil {
		q = q.Where("requests.request_type = ?", string(*f.Type))
	}
	k := with(keyed("requests"), "customer_id", f.CustomerID, id64)
	k = every(k, "status", f.Status, trading.RequestStatuses, func(s trading.RequestStatus) string { return string(s) })
	k = every(k, "request_type", f.Type, trading.RequestTypes, func(t trading.RequestType) string { return string(t) })
	page, err := listKept(q, r.s.Dialect, orgID, k, "requests", p, requestRow.domain)
	return page, errcode.Wrapf(err, "list requests of organization %d", orgID)
}

// The predicates of the partial indexes on requests, as literals: a
// prepared statement's generic plan (pgx prepares every statement) can use
// a partial index only when the statement's own condition implies the
// index's predicate whatever the parameters, as LockPendingRequests does
// (00024). With "status = ?" it read the organization's pending requests
// by another index and filtered them (PendingSells: 5,000 requests for one
// asset's sells; DueRequests: 10,000; OverdueRequests scanned the table;
// TestHotPathPlans).
var (
	pendingSell      = "status = '" + string(trading.Pending) + "' AND request_type = '" + string(trading.Sell) + "'" // requests_org_asset_pending_sell
	pendingRecurring = "status = '" + string(trading.Pending) + "' AND is_recurring"                                  // requests_org_due
)

// PendingSells implements trading.Repository (index requests_org_asset_pending_sell).
func (r *TradingRepo) PendingSells(ctx context.Context, orgID int64, assetIDs []int64) ([]trading.Request, error) {
	if len(assetIDs) == 0 {
		return nil, nil
	}
	var rows []requestRow
	err := r.db(ctx).Scopes(inOrg(orgID)).Where(pendingSell+" AND asset_id IN ?", assetIDs).
		Order("id").Find(&rows).Error
	if err != nil {
		return nil, errcode.Wrapf(err, "list the pending sells of assets %v of organization %d", assetIDs, orgID)
	}
	return mapRows(rows, requestRow.domain), nil
}

// DueRequests implements trading.Repository (index requests_org_due).
func (r *TradingRepo) DueRequests(ctx context.Context, orgID int64, t time.Time) ([]trading.Request, error) {
	var rows []requestRow
	err := r.db(ctx).Scopes(inOrg(orgID)).Where(pendingRecurring+" AND next_execution_at <= ?", t).
		Order("next_execution_at, id").Find(&rows).Error
	if err != nil {
		return nil, errcode.Wrapf(err, "list the requests of organization %d due at %s", orgID, t.Format(time.RFC3339))
	}
	return mapRows(rows, requestRow.domain), nil
}

// OverdueRequests implements trading.Repository (index requests_org_due,
// every organization's).
func (r *TradingRepo) OverdueRequests(ctx context.Context, t time.Time, limit int) ([]trading.Request, error) {
	var rows []requestRow
	err := r.db(ctx).Where(pendingRecurring+" AND next_execution_at < ?", t.UTC()).
		Order("next_execution_at, id").Limit(limit).Find(&rows).Error
	if err != nil {
		return nil, errcode.Wrapf(err, "list the requests of every organization overdue at %s", t.Format(time.RFC3339))
	}
	return mapRows(rows, requestRow.domain), nil
}

type assetRow struct {
	ID               int64 `gorm:"primaryKey"`
	OrganizationID   int64
	CustomerID       int64
	AccountID        int64
	PortfolioID      int64
	InstrumentID     int64
	Symbol           string
	CurrencyCols     `gorm:"embedded"`
	Quantity         decimal.Decimal
	AverageCost      decimal.Decimal
	InvestmentAmount decimal.Decimal
	MarketValue      decimal.Decimal
	CreatedAt        time.Time
	UpdatedAt        time.Time
}

func (assetRow) TableName() string { return "assets" }

func (a assetRow) domain() trading.Asset {
	return trading.Asset{
		ID: a.ID, OrganizationID: a.OrganizationID, CustomerID: a.CustomerID, AccountID: a.AccountID, PortfolioID: a.PortfolioID,
		InstrumentID: a.InstrumentID, Symbol: a.Symbol, Currency: a.CurrencyCols.domain(),
		Quantity: a.Quantity, AverageCost: a.AverageCost, InvestmentAmount: a.InvestmentAmount, MarketValue: a.MarketValue,
		Price: decimal.Zero, Performance: decimal.Zero, CreatedAt: a.CreatedAt.UTC(), UpdatedAt: a.UpdatedAt.UTC(),
	}
}

// Asset implements trading.Repository.
func (r *TradingRepo) Asset(ctx context.Context, orgID, id int64, lock bool) (trading.Asset, error) {
	var row assetRow
	err := r.s.lock(r.db(ctx), lock).Scopes(inOrg(orgID)).Where("id = ?", id).Take(&row).Error
	if err != nil {
		return trading.Asset{}, errcode.Wrapf(notFound(err, "asset %d not found", id), "read asset %d of organization %d", id, orgID)
	}
	return row.domain(), nil
}

// AssetOf implements trading.Repository.
func (r *TradingRepo) AssetOf(ctx context.Context, orgID, portfolioID, instrumentID int64) (trading.Asset, bool, error) {
	var rows []assetRow
	err := r.s.lock(r.db(ctx), true).Scopes(inOrg(orgID)).Where("portfolio_id = ? AND instrument_id = ?", portfolioID, instrumentID).
		Limit(1).Find(&rows).Error
	if err != nil || len(rows) == 0 {
		return trading.Asset{}, false, errcode.Wrapf(err, "read the asset of instrument %d in portfolio %d of organization %d", instrumentID, portfolioID, orgID)
	}
	return rows[0].domain(), true, nil
}

func assetFromDomain(a *trading.Asset) assetRow {
	return assetRow{
		ID: a.ID, OrganizationID: a.OrganizationID, CustomerID: a.CustomerID, AccountID: a.AccountID, PortfolioID: a.PortfolioID,
		InstrumentID: a.InstrumentID, Symbol: a.Symbol, CurrencyCols: currencyOf(a.Currency),
		Quantity: a.Quantity, AverageCost: a.AverageCost, InvestmentAmount: a.InvestmentAmount, MarketValue: a.MarketValue,
		CreatedAt: a.CreatedAt, UpdatedAt: a.UpdatedAt,
	}
}

// CreateAsset implements trading.Repository.
func (r *TradingRepo) CreateAsset(ctx context.Context, a *trading.Asset) error {
	row := assetFromDomain(a)
	if err := r.db(ctx).Create(&row).Error; err != nil {
		return errcode.Wrapf(conflictIfUnique(err, "portfolio %d already holds %s", a.PortfolioID, a.Symbol), "create an asset in portfolio %d of organization %d", a.PortfolioID, a.OrganizationID)
	}
	a.ID = row.ID
	return nil
}

// SaveAsset implements trading.Repository.
func (r *TradingRepo) SaveAsset(ctx context.Context, a *trading.Asset) error {
	err := r.db(ctx).Model(&assetRow{}).Scopes(inOrg(a.OrganizationID)).Where("id = ?", a.ID).
		Updates(map[string]any{
			"quantity": a.Quantity, "average_cost": a.AverageCost, "investment_amount": a.InvestmentAmount,
			"market_value": a.MarketValue, "updated_at": a.UpdatedAt,
		}).Error
	return errcode.Wrapf(err, "save asset %d of organization %d", a.ID, a.OrganizationID)
}

// ListAssets implements trading.Repository.
func (r *TradingRepo) ListAssets(ctx context.Context, orgID int64, f trading.AssetFilter, p investing.PageRequest) (investing.Page[trading.Asset], error) {
	q := r.db(ctx).Model(&assetRow{}).Scopes(inOrg(orgID))
	if f.CustomerID != nil {
		q = q.Where("assets.customer_id = ?", *f.CustomerID)
	}
	if f.AccountID != nil {
		q = q.Where("assets.account_id = ?", *f.AccountID)
	}
	if f.PortfolioID != nil {
		q = q.Where("assets.portfolio_id = ?", *f.PortfolioID)
	}
	k := with(keyed("assets"), "customer_id", f.CustomerID, id64)
	k = with(k, "account_id", f.AccountID, id64)
	k = with(k, "portfolio_id", f.PortfolioID, id64)
	page, err := listKept(q, r.s.Dialect, orgID, k, "assets", p, assetRow.domain)
	return page, errcode.Wrapf(err, "list assets of organization %d", orgID)
}

// PortfolioAssets implements trading.Repository.
func (r *TradingRepo) PortfolioAssets(ctx context.Context, orgID int64, portfolioIDs []int64) ([]trading.Asset, error) {
	var rows []assetRow
	if err := r.db(ctx).Scopes(inOrg(orgID)).Where("portfolio_id IN ?", portfolioIDs).Order("id").Find(&rows).Error; err != nil {
		return nil, errcode.Wrapf(err, "list the assets of portfolios %v of organization %d", portfolioIDs, orgID)
	}
	return mapRows(rows, assetRow.domain), nil
}

type transactionRow struct {
	ID              int64 `gorm:"primaryKey"`
	OrganizationID  int64
	CustomerID      int64
	AccountID       int64
	PortfolioID     int64
	RequestID       int64
	AssetID         *int64
	InstrumentID    int64
	Symbol          string
	TransactionType string
	Status          string
	CurrencyCols    `gorm:"embedded"`
	Amount          decimal.Decimal
	FxRate          decimal.Decimal
	Price           decimal.Decimal
	Quantity        decimal.Decimal
	Value           decimal.Decimal
	Uninvested      decimal.Decimal
	Cycle           int
	ErrorReason     *string
	ExecutedAt      time.Time
	CreatedAt       time.Time
	UpdatedAt       time.Time
}

func (transactionRow) TableName() string { return "transactions" }

func (t transactionRow) domain() trading.Transaction {
	return trading.Transaction{
		ID: t.ID, OrganizationID: t.OrganizationID, CustomerID: t.CustomerID, AccountID: t.AccountID, PortfolioID: t.PortfolioID,
		RequestID: t.RequestID, AssetID: t.AssetID, InstrumentID: t.InstrumentID, Symbol: t.Symbol,
		Type: trading.RequestType(t.TransactionType), Status: trading.TransactionStatus(t.Status), Currency: t.CurrencyCols.domain(),
		Amount: t.Amount, Rate: t.FxRate, Price: t.Price, Quantity: t.Quantity, Value: t.Value, Uninvested: t.Uninvested,
		Cycle: t.Cycle, ErrorReason: t.ErrorReason,
		ExecutedAt: t.ExecutedAt.UTC(), CreatedAt: t.CreatedAt.UTC(), UpdatedAt: t.UpdatedAt.UTC(),
	}
}

// Transaction implements trading.Repository.
func (r *TradingRepo) Transaction(ctx context.Context, orgID, id int64) (trading.Transaction, error) {
	var row transactionRow
	if err := r.db(ctx).Scopes(inOrg(orgID)).Where("id = ?", id).Take(&row).Error; err != nil {
		return trading.Transaction{}, errcode.Wrapf(notFound(err, "transaction %d not found", id), "read transaction %d of organization %d", id, orgID)
	}
	return row.domain(), nil
}

// CreateTransaction implements trading.Repository.
func (r *TradingRepo) CreateTransaction(ctx context.Context, t *trading.Transaction) error {
	row := transactionRowOf(t)
	if err := r.db(ctx).Create(&row).Error; err != nil {
		return errcode.Wrapf(conflictIfUnique(err, "request %d has already executed its cycle %d", t.RequestID, t.Cycle),
			"create the transaction of cycle %d of request %d of organization %d", t.Cycle, t.RequestID, t.OrganizationID)
	}
	t.ID = row.ID
	return nil
}

func transactionRowOf(t *trading.Transaction) transactionRow {
	return transactionRow{
		OrganizationID: t.OrganizationID, CustomerID: t.CustomerID, AccountID: t.AccountID, PortfolioID: t.PortfolioID,
		RequestID: t.RequestID, AssetID: t.AssetID, InstrumentID: t.InstrumentID, Symbol: t.Symbol,
		TransactionType: string(t.Type), Status: string(t.Status), CurrencyCols: currencyOf(t.Currency),
		Amount: t.Amount, FxRate: t.Rate, Price: t.Price, Quantity: t.Quantity, Value: t.Value, Uninvested: t.Uninvested,
		Cycle: t.Cycle, ErrorReason: t.ErrorReason, ExecutedAt: t.ExecutedAt, CreatedAt: t.CreatedAt, UpdatedAt: t.UpdatedAt,
	}
}

// ListTransactions implements trading.Repository.
func (r *TradingRepo) ListTransactions(ctx context.Context, orgID int64, f trading.TransactionFilter, p investing.PageRequest) (investing.Page[trading.Transaction], error) {
	q := r.db(ctx).Model(&transactionRow{}).Scopes(inOrg(orgID))
	if f.CustomerID != nil {
		q = q.Where("transactions.customer_id = ?", *f.CustomerID)
	}
	if f.RequestID != nil {
		q = q.Where("transactions.request_id = ?", *f.RequestID)
	}
	k := with(keyed("transactions"), "customer_id", f.CustomerID, id64)
	k = with(k, "request_id", f.RequestID, id64)
	page, err := listKept(q, r.s.Dialect, orgID, k, "transactions", p, transactionRow.domain)
	return page, errcode.Wrapf(err, "list transactions of organization %d", orgID)
}
