package trading

import (
	"context"

	"github.com/openvest/openvest/internal/errcode"
	"github.com/openvest/openvest/internal/event"
	"github.com/openvest/openvest/internal/investing"
)

// AttachAsset attaches an asset of a customer to another of the customer's
// portfolios (POST /v1/portfolio/assets), in one transaction: the asset
// moves with its shares, cost and value (and to the portfolio's account
// when it has one), both portfolios are revalued, and ASSET.UPDATED and
// PORTFOLIO.UPDATED (each) are emitted. The asset already there: nothing
// changes. NotFound: no such customer, or an asset or portfolio that is not
// the customer's. Conflict: the portfolio is not ACTIVE or already holds
// an asset of the instrument. Unprocessable: the portfolio is in another
// currency than the asset's values, or of an account of another
// investment type than the instrument's.
func (s *Service) AttachAsset(ctx context.Context, org investing.Org, customerID, portfolioID, assetID int64) (Asset, error) {
	var a Asset
	err := s.repo.WithTx(ctx, func(ctx context.Context) error {
		if _, err := s.repo.Customer(ctx, org.ID, customerID); err != nil {
			return err
		}
		var err error
		if a, err = s.repo.Asset(ctx, org.ID, assetID, true); err != nil {
			return err
		}
		if a.CustomerID != customerID {
			return errcode.New(errcode.NotFound, "asset %d not found for customer %d", assetID, customerID)
		}
		to, err := s.repo.LockPortfolio(ctx, org.ID, portfolioID)
		if err != nil {
			return err
		}
		if to.CustomerID != customerID {
			return errcode.New(errcode.NotFound, "portfolio %d not found for customer %d", portfolioID, customerID)
		}
		if a.PortfolioID == to.ID {
			return nil
		}
		inst, err := s.instrumentByID(ctx, a.InstrumentID)
		if err != nil {
			return err
		}
		switch {
		case to.Status != investing.Active:
			return errcode.New(errcode.Conflict, "portfolio %d is %s: assets can be attached to ACTIVE portfolios only", to.ID, to.Status)
		case to.Currency.ISO() != a.Currency.ISO():
			return errcode.New(errcode.Unprocessable, "portfolio %d is in %s but asset %d's values are in %s: attach it to a portfolio in %s", to.ID, to.Currency.ISO(), a.ID, a.Currency.ISO(), a.Currency.ISO())
		case to.InvestmentType != nil && string(*to.InvestmentType) != string(inst.InvestmentType):
			return errcode.New(errcode.Unprocessable, "portfolio %d belongs to a %s account; %s is %s", to.ID, *to.InvestmentType, inst.Symbol, inst.InvestmentType)
		}
		if held, found, err := s.repo.AssetOf(ctx, org.ID, to.ID, a.InstrumentID); err != nil {
			return err
		} else if found {
			return errcode.New(errcode.Conflict, "portfolio %d already holds %s (asset %d): a portfolio holds one asset per instrument", to.ID, a.Symbol, held.ID)
		}
		from, err := s.repo.LockPortfolio(ctx, org.ID, a.PortfolioID)
		if err != nil {
			return err
		}
		now, err := s.orgNow(ctx, org.ID)
		if err != nil {
			return err
		}
		account := a.AccountID
		if to.AccountID != nil {
			account = *to.AccountID
		}
		if err := s.repo.MoveAsset(ctx, org.ID, a.ID, to.ID, account, now); err != nil {
			return err
		}
		overrides, err := s.repo.PriceOverrides(ctx, org.ID)
		if err != nil {
			return err
		}
		var events []event.Event // PORTFOLIO.UPDATED of both, then ASSET.UPDATED: emitted together
		for _, p := range []*investing.Portfolio{&from, &to} {
			updated, err := s.revaluePortfolio(ctx, p, now, overrides)
			if err != nil {
				return err
			}
			events = append(events, updated)
		}
		if a, err = s.repo.Asset(ctx, org.ID, a.ID, false); err != nil {
			return err
		}
		as := []Asset{a}
		if err := s.valueNow(ctx, org.ID, as); err != nil {
			return err
		}
		a = as[0]
		return s.events.Emit(ctx, org.ID, append(events, AssetUpdated{a})...)
	})
	if err != nil {
		return Asset{}, errcode.Wrapf(err, "attach asset %d to portfolio %d", assetID, portfolioID)
	}
	return s.Asset(ctx, org, a.ID)
}
