package store

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/openvest/openvest/internal/errcode"
	"github.com/openvest/openvest/internal/investing"
)

// LockPortfolio implements trading.Repository.
func (r *TradingRepo) LockPortfolio(ctx context.Context, orgID, id int64) (investing.Portfolio, error) {
	return r.s.Investing().Portfolio(ctx, orgID, id, true) // wrapped there
}

// MoveAsset implements trading.Repository. The database refuses a
// portfolio of another customer (assets_portfolio_of_customer: NotFound)
// and a second asset of the instrument in the portfolio (Conflict).
func (r *TradingRepo) MoveAsset(ctx context.Context, orgID, assetID, portfolioID, accountID int64, at time.Time) error {
	err := r.db(ctx).Model(&assetRow{}).Scopes(inOrg(orgID)).Where("id = ?", assetID).
		Updates(map[string]any{"portfolio_id": portfolioID, "account_id": accountID, "updated_at": at}).Error
	if foreignKeyViolation(err) {
		err = errcode.New(errcode.NotFound, "portfolio %d not found for the asset's customer", portfolioID)
	}
	return errcode.Wrapf(conflictIfUnique(err, "portfolio %d already holds an asset of this instrument", portfolioID),
		"move asset %d of organization %d to portfolio %d", assetID, orgID, portfolioID)
}

func foreignKeyViolation(err error) bool {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code == "23503"
	}
	return err != nil && strings.Contains(err.Error(), "FOREIGN KEY constraint failed")
}

// PriceOverrideSetAt implements trading.Repository.
func (r *TradingRepo) PriceOverrideSetAt(ctx context.Context, orgID, instrumentID int64) (time.Time, error) {
	var row sandboxPriceRow
	err := r.db(ctx).Scopes(inOrg(orgID)).Where("instrument_id = ?", instrumentID).Take(&row).Error
	if err != nil {
		return time.Time{}, errcode.Wrapf(notFound(err, "instrument %d has no sandbox price", instrumentID), "read the sandbox price of instrument %d in organization %d", instrumentID, orgID)
	}
	return row.UpdatedAt.UTC(), nil
}
