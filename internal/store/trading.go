package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/openvest/openvest/internal/errcode"
	"github.com/openvest/openvest/internal/investing"
	"github.com/openvest/openvest/internal/trading"
	"github.com/shopspring/decimal"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// TradingRepo implements trading.Repository.
type TradingRepo struct{ s *Store }

// Trading returns the trading repository of s.
func (s *Store) Trading() *TradingRepo { return &TradingRepo{s: s} }

var _ trading.Repository = (*TradingRepo)(nil)

func (r *TradingRepo) db(ctx context.Context) *gorm.DB { return r.s.conn(ctx) }

// WithTx implements txn.Transactor: the unit of work of the trading service
// (see Store.WithTx).
func (r *TradingRepo) WithTx(ctx context.Context, fn func(ctx context.Context) error) error {
	return r.s.WithTx(ctx, fn)
}

// Customer implements trading.Repository.
func (r *TradingRepo) Customer(ctx context.Context, orgID, id int64) (investing.Customer, error) {
	return r.s.Investing().Customer(ctx, orgID, id, false) // wrapped there
}

// Account implements trading.Repository.
func (r *TradingRepo) Account(ctx context.Context, orgID, id int64) (investing.Account, error) {
	return r.s.Investing().Account(ctx, orgID, id, false) // wrapped there
}

// AccountOfType implements trading.Repository.
func (r *TradingRepo) AccountOfType(ctx context.Context, orgID, customerID int64, t investing.InvestmentType) (investing.Account, error) {
	var row accountRow
	err := r.db(ctx).Scopes(inOrg(orgID)).Where("customer_id = ? AND investment_type = ?", customerID, string(t)).Take(&row).Error
	if err != nil {
		return investing.Account{}, errcode.Wrapf(notFound(err, "customer %d has no %s account", customerID, t), "read the %s account of customer %d of organization %d", t, customerID, orgID)
	}
	return row.domain(), nil
}

// Portfolio implements trading.Repository.
func (r *TradingRepo) Portfolio(ctx context.Context, orgID, id int64) (investing.Portfolio, error) {
	return r.s.Investing().Portfolio(ctx, orgID, id, false) // wrapped there
}

// PortfolioOfAccount implements trading.Repository.
func (r *TradingRepo) PortfolioOfAccount(ctx context.Context, orgID, accountID int64, lock bool) (investing.Portfolio, error) {
	var row portfolioRow
	err := r.s.lock(r.db(ctx), lock).Scopes(inOrg(orgID)).Where("account_id = ?", accountID).Take(&row).Error
	if err != nil {
		return investing.Portfolio{}, errcode.Wrapf(notFound(err, "account %d has no portfolio", accountID), "read the portfolio of account %d of organization %d", accountID, orgID)
	}
	return row.domain(), nil
}

// SavePortfolioValues implements trading.Repository.
func (r *TradingRepo) SavePortfolioValues(ctx context.Context, p *investing.Portfolio) error {
	err := r.db(ctx).Model(&portfolioRow{}).Scopes(inOrg(p.OrganizationID)).Where("id = ?", p.ID).
		Updates(map[string]any{
			"investment_amount": p.InvestmentAmount, "market_value": p.MarketValue, "performance": p.Performance, "updated_at": p.UpdatedAt,
		}).Error
	return errcode.Wrapf(err, "save the values of portfolio %d of organization %d", p.ID, p.OrganizationID)
}

type sandboxClockRow struct {
	OrganizationID int64 `gorm:"primaryKey"`
	OffsetSeconds  int64
	UpdatedAt      time.Time
}

func (sandboxClockRow) TableName() string { return "sandbox_clocks" }

// clockOffsetSQL is ClockOffset's read, as each database's driver takes it.
var clockOffsetSQL = dialectSQL("SELECT offset_seconds FROM sandbox_clocks WHERE " + inOrgSQL("sandbox_clocks"))

// ClockOffset implements trading.Repository: straight to the session's
// connection (every purchase and sell reads it; GORM's statement build
// was most of its cost).
func (r *TradingRepo) ClockOffset(ctx context.Context, orgID int64) (time.Duration, error) {
	var seconds int64
	err := r.s.pool(ctx).QueryRowContext(ctx, clockOffsetSQL[r.s.Dialect], orgID).Scan(&seconds)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return time.Duration(seconds) * time.Second, errcode.Wrapf(err, "read the sandbox clock of organization %d", orgID)
}

// SetClockOffset implements trading.Repository.
func (r *TradingRepo) SetClockOffset(ctx context.Context, orgID int64, d time.Duration, at time.Time) error {
	row := sandboxClockRow{OrganizationID: orgID, OffsetSeconds: int64(d / time.Second), UpdatedAt: at}
	err := r.db(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "organization_id"}},
		DoUpdates: clause.AssignmentColumns([]string{"offset_seconds", "updated_at"}),
	}).Create(&row).Error
	return errcode.Wrapf(err, "set the sandbox clock of organization %d", orgID)
}

type sandboxPriceRow struct {
	OrganizationID int64 `gorm:"primaryKey"`
	InstrumentID   int64 `gorm:"primaryKey"`
	Price          decimal.Decimal
	UpdatedAt      time.Time
}

func (sandboxPriceRow) TableName() string { return "sandbox_prices" }

// PriceOverrides implements trading.Repository.
func (r *TradingRepo) PriceOverrides(ctx context.Context, orgID int64) (map[int64]decimal.Decimal, error) {
	var rows []sandboxPriceRow
	if err := r.db(ctx).Scopes(inOrg(orgID)).Find(&rows).Error; err != nil {
		return nil, errcode.Wrapf(err, "list the sandbox prices of organization %d", orgID)
	}
	out := make(map[int64]decimal.Decimal, len(rows))
	for _, row := range rows {
		out[row.InstrumentID] = row.Price
	}
	return out, nil
}

// SetPriceOverride implements trading.Repository.
func (r *TradingRepo) SetPriceOverride(ctx context.Context, orgID, instrumentID int64, price decimal.Decimal, at time.Time) error {
	row := sandboxPriceRow{OrganizationID: orgID, InstrumentID: instrumentID, Price: price, UpdatedAt: at}
	err := r.db(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "organization_id"}, {Name: "instrument_id"}},
		DoUpdates: clause.AssignmentColumns([]string{"price", "updated_at"}),
	}).Create(&row).Error
	return errcode.Wrapf(err, "set the sandbox price of instrument %d in organization %d", instrumentID, orgID)
}

// DeletePriceOverride implements trading.Repository.
func (r *TradingRepo) DeletePriceOverride(ctx context.Context, orgID, instrumentID int64) (bool, error) {
	res := r.db(ctx).Scopes(inOrg(orgID)).Where("instrument_id = ?", instrumentID).Delete(&sandboxPriceRow{})
	return res.RowsAffected > 0, errcode.Wrapf(res.Error, "delete the sandbox price of instrument %d in organization %d", instrumentID, orgID)
}

// conflictIfUnique turns a unique violation into a Conflict.
func conflictIfUnique(err error, format string, args ...any) error {
	if _, ok := uniqueViolation(err); ok {
		return errcode.New(errcode.Conflict, format, args...)
	}
	return err
}

// The conditions of the one-statement reads of an execution and of a new
// request: the customer and the account are ACTIVE (the portfolio's own
// status is checked by the caller). When they do not hold, the caller
// reads each row on its own for the exact reason.
//
// accountOfType's subquery is scoped by the organization id itself (its
// first argument), not by the portfolio's column: a subquery that refers
// to the outer row is run for each portfolio the outer scan reads, and the
// outer scan then has nothing but the organization to go by, so every
// purchase read every portfolio of its organization (7,499 portfolios and
// as many account probes behind 2,500 customers, TestHotPathPlans).
// Uncorrelated, it is run once, and its account id finds the one
// portfolio by portfolios.account_id (unique).
const (
	customerActive = "EXISTS (SELECT 1 FROM customers c WHERE c.organization_id = portfolios.organization_id AND c.id = ? AND c.status = ?)"
	accountActive  = "EXISTS (SELECT 1 FROM accounts a WHERE a.organization_id = portfolios.organization_id AND a.id = portfolios.account_id AND a.status = ?)"
)

var accountOfType = "account_id = (SELECT a.id FROM accounts a WHERE " + inOrgSQL("a") + " AND a.customer_id = ? AND a.investment_type = ? AND a.status = ?)"

// ActivePortfolioOfAccount implements trading.Repository in one statement.
func (r *TradingRepo) ActivePortfolioOfAccount(ctx context.Context, orgID, customerID, accountID int64, lock bool) (investing.Portfolio, bool, error) {
	var rows []portfolioRow
	err := r.s.lock(r.db(ctx), lock).Scopes(inOrg(orgID)).Where("account_id = ?", accountID).
		Where(customerActive, customerID, string(investing.Active)).Where(accountActive, string(investing.Active)).
		Limit(1).Find(&rows).Error
	if err != nil || len(rows) == 0 {
		return investing.Portfolio{}, false, errcode.Wrapf(err, "read the portfolio of account %d of organization %d", accountID, orgID)
	}
	return rows[0].domain(), true, nil
}

// activePortfolioOfTypeSQL is ActivePortfolioOfType's statement, as each
// database's driver takes it: the organization, then accountOfType's and
// customerActive's arguments.
var activePortfolioOfTypeSQL = dialectSQL("SELECT " + portfolioColumns + " FROM portfolios WHERE " + inOrgSQL("portfolios") +
	" AND " + accountOfType + " AND " + customerActive + " LIMIT 1")

// ActivePortfolioOfType implements trading.Repository in one statement,
// straight to the session's connection (every purchase reads it; GORM's
// statement build and reflective scan were most of its cost).
func (r *TradingRepo) ActivePortfolioOfType(ctx context.Context, orgID, customerID int64, t investing.InvestmentType) (investing.Portfolio, bool, error) {
	active := string(investing.Active)
	row, err := scanPortfolio(r.s.pool(ctx).QueryRowContext(ctx, activePortfolioOfTypeSQL[r.s.Dialect],
		orgID, orgID, customerID, string(t), active, customerID, active))
	if errors.Is(err, sql.ErrNoRows) {
		return investing.Portfolio{}, false, nil
	}
	if err != nil {
		return investing.Portfolio{}, false, errcode.Wrapf(err, "read the %s portfolio of customer %d of organization %d", t, customerID, orgID)
	}
	return row.domain(), true, nil
}

// sandboxStateRow is one row of SandboxState's statement: the clock
// offset (a row of its own), or one sandbox price.
type sandboxStateRow struct {
	OffsetSeconds *int64
	InstrumentID  *int64
	Price         decimal.NullDecimal
}

// SandboxState implements trading.Repository: the clock offset and the
// sandbox prices in one statement.
func (r *TradingRepo) SandboxState(ctx context.Context, orgID int64) (time.Duration, map[int64]decimal.Decimal, error) {
	var rows []sandboxStateRow
	clock := r.db(ctx).Model(&sandboxClockRow{}).Scopes(inOrg(orgID)).
		Select("offset_seconds, CAST(NULL AS BIGINT) AS instrument_id, CAST(NULL AS NUMERIC) AS price")
	prices := r.db(ctx).Model(&sandboxPriceRow{}).Scopes(inOrg(orgID)).
		Select("CAST(NULL AS BIGINT) AS offset_seconds, instrument_id, price")
	err := r.db(ctx).Raw("SELECT * FROM (?) AS c UNION ALL SELECT * FROM (?) AS p", clock, prices).Scan(&rows).Error
	if err != nil {
		return 0, nil, errcode.Wrapf(err, "read the sandbox clock and prices of organization %d", orgID)
	}
	var offset time.Duration
	out := make(map[int64]decimal.Decimal, len(rows))
	for _, row := range rows {
		if row.OffsetSeconds != nil {
			offset = time.Duration(*row.OffsetSeconds) * time.Second
		}
		if row.InstrumentID != nil && row.Price.Valid {
			out[*row.InstrumentID] = row.Price.Decimal
		}
	}
	return offset, out, nil
}
