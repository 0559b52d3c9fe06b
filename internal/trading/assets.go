package trading

import (
	"context"
	"fmt"
	"time"

	"github.com/openvest/openvest/internal/investing"
	"github.com/shopspring/decimal"
)

// Asset returns one holding, valued at the current price. NotFound.
func (s *Service) Asset(ctx context.Context, org investing.Org, id int64) (Asset, error) {
	a, err := s.repo.Asset(ctx, org.ID, id, false)
	if err != nil {
		return Asset{}, err
	}
	out := []Asset{a}
	if err := s.valueNow(ctx, org.ID, out); err != nil {
		return Asset{}, err
	}
	return out[0], nil
}

// Assets lists holdings, valued at the current price. NotFound: a filter
// names no customer, account or portfolio of the organization.
func (s *Service) Assets(ctx context.Context, org investing.Org, f AssetFilter, p investing.PageRequest) (investing.Page[Asset], error) {
	if f.CustomerID != nil {
		if _, err := s.repo.Customer(ctx, org.ID, *f.CustomerID); err != nil {
			return investing.Page[Asset]{}, err
		}
	}
	if f.AccountID != nil {
		if _, err := s.repo.Account(ctx, org.ID, *f.AccountID); err != nil {
			return investing.Page[Asset]{}, err
		}
	}
	if f.PortfolioID != nil {
		if _, err := s.repo.Portfolio(ctx, org.ID, *f.PortfolioID); err != nil {
			return investing.Page[Asset]{}, err
		}
	}
	page, err := s.repo.ListAssets(ctx, org.ID, f, p)
	if err != nil {
		return page, err
	}
	return page, s.valueNow(ctx, org.ID, page.Items)
}

func (s *Service) valueNow(ctx context.Context, orgID int64, assets []Asset) error {
	if len(assets) == 0 {
		return nil
	}
	now, err := s.orgNow(ctx, orgID)
	if err != nil {
		return err
	}
	overrides, err := s.repo.PriceOverrides(ctx, orgID)
	if err != nil {
		return err
	}
	if err := s.value(ctx, orgID, assets, now, overrides); err != nil {
		return err
	}
	return s.lock(ctx, orgID, assets, now)
}

// lock sets each (valued) asset's Locked: the shares its PENDING sells
// hold, a percentage of the shares held or an amount at the current price
// (converted from the sell's currency), at most the shares held.
func (s *Service) lock(ctx context.Context, orgID int64, assets []Asset, at time.Time) error {
	ids := make([]int64, len(assets))
	byID := make(map[int64]*Asset, len(assets))
	for i := range assets {
		ids[i] = assets[i].ID
		byID[assets[i].ID] = &assets[i]
		assets[i].Locked = decimal.Zero
	}
	sells, err := s.repo.PendingSells(ctx, orgID, ids)
	if err != nil {
		return fmt.Errorf("pending sells of %d assets: %w", len(ids), err)
	}
	for _, r := range sells {
		a := byID[*r.AssetID]
		var shares decimal.Decimal
		switch {
		case r.SellPercentage != nil:
			shares = a.Quantity.Mul(*r.SellPercentage).Div(hundred)
		case r.SellAmount != nil && a.Price.IsPositive():
			rate, err := s.rate(ctx, r.Currency, at)
			if err != nil {
				return err
			}
			shares = quote{Rate: rate}.toUSD(*r.SellAmount).Div(a.Price)
		}
		a.Locked = decimal.Min(a.Quantity, a.Locked.Add(shares.Round(quantityPlaces)))
	}
	return nil
}

// Valued returns the portfolios with marketValue and performance at the
// current prices (investmentAmount is what their holdings cost).
func (s *Service) Valued(ctx context.Context, org investing.Org, ps []investing.Portfolio) ([]investing.Portfolio, error) {
	if len(ps) == 0 {
		return ps, nil
	}
	ids := make([]int64, len(ps))
	for i, p := range ps {
		ids[i] = p.ID
	}
	assets, err := s.repo.PortfolioAssets(ctx, org.ID, ids)
	if err != nil {
		return nil, err
	}
	if len(assets) == 0 {
		return ps, nil
	}
	if err := s.valueNow(ctx, org.ID, assets); err != nil {
		return nil, err
	}
	value := map[int64]decimal.Decimal{}
	for _, a := range assets {
		value[a.PortfolioID] = value[a.PortfolioID].Add(a.MarketValue)
	}
	out := make([]investing.Portfolio, len(ps))
	for i, p := range ps {
		if v, ok := value[p.ID]; ok {
			p.MarketValue = v
			p.Performance = performance(v, p.InvestmentAmount)
		}
		out[i] = p
	}
	return out, nil
}

// Transaction returns one transaction. NotFound.
func (s *Service) Transaction(ctx context.Context, org investing.Org, id int64) (Transaction, error) {
	return s.repo.Transaction(ctx, org.ID, id)
}

// Transactions lists transactions. NotFound: f.CustomerID names no
// customer of the organization, or f.RequestID no request.
func (s *Service) Transactions(ctx context.Context, org investing.Org, f TransactionFilter, p investing.PageRequest) (investing.Page[Transaction], error) {
	if f.CustomerID != nil {
		if _, err := s.repo.Customer(ctx, org.ID, *f.CustomerID); err != nil {
			return investing.Page[Transaction]{}, err
		}
	}
	if f.RequestID != nil {
		if _, err := s.repo.Request(ctx, org.ID, *f.RequestID, false); err != nil {
			return investing.Page[Transaction]{}, err
		}
	}
	return s.repo.ListTransactions(ctx, org.ID, f, p)
}
