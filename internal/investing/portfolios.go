package investing

import (
	"context"

	"github.com/openvest/openvest/internal/errcode"
	"github.com/openvest/openvest/internal/patch"
	"github.com/shopspring/decimal"
)

// NewPortfolio is the input of CreatePortfolio.
type NewPortfolio struct {
	CustomerID int64
	Currency   Currency
}

// CreatePortfolio creates a portfolio without an account; it takes the
// customer's status. NotFound; Conflict: the customer is CLOSED.
func (s *Service) CreatePortfolio(ctx context.Context, org Org, in NewPortfolio) (Portfolio, error) {
	var p Portfolio
	err := s.repo.WithTx(ctx, func(ctx context.Context) error {
		c, err := s.repo.Customer(ctx, org.ID, in.CustomerID, true)
		if err != nil {
			return err
		}
		if c.Status == Closed {
			return errcode.New(errcode.Conflict, "customer %d is CLOSED: it cannot get new portfolios", c.ID)
		}
		now := s.clock()
		p = Portfolio{
			OrganizationID: org.ID, CustomerID: c.ID, Currency: in.Currency, Status: c.Status,
			InvestmentAmount: decimal.Zero, MarketValue: decimal.Zero, Performance: decimal.Zero,
			CreatedAt: now, UpdatedAt: now,
		}
		if err := s.repo.CreatePortfolios(ctx, []*Portfolio{&p}); err != nil {
			return err
		}
		return s.events.Emit(ctx, org.ID, PortfolioCreated{p})
	})
	return p, errcode.Wrapf(err, "create portfolio of customer %d", in.CustomerID)
}

// PortfolioUpdate is the input of UpdatePortfolio: nil fields stay as they are.
type PortfolioUpdate struct {
	ID       int64
	Status   *Status
	Currency *Currency
}

// UpdatePortfolio changes a portfolio. NotFound; Conflict: the portfolio is
// CLOSED, or it would be ACTIVE while its customer or account is not.
func (s *Service) UpdatePortfolio(ctx context.Context, org Org, in PortfolioUpdate) (Portfolio, error) {
	var p Portfolio
	err := s.repo.WithTx(ctx, func(ctx context.Context) error {
		peek, err := s.repo.Portfolio(ctx, org.ID, in.ID, false)
		if err != nil {
			return err
		}
		c, err := s.repo.Customer(ctx, org.ID, peek.CustomerID, true)
		if err != nil {
			return err
		}
		var a *Account
		if peek.AccountID != nil {
			acc, err := s.repo.Account(ctx, org.ID, *peek.AccountID, true)
			if err != nil {
				return err
			}
			a = &acc
		}
		if p, err = s.repo.Portfolio(ctx, org.ID, in.ID, true); err != nil {
			return err
		}
		if p.Status == Closed {
			return errcode.New(errcode.Conflict, "portfolio %d is CLOSED, which is permanent: it cannot be changed or reopened", p.ID)
		}
		if in.Status != nil && *in.Status == Active {
			if c.Status != Active {
				return errcode.New(errcode.Conflict, "portfolio %d cannot be ACTIVE while customer %d is %s: reactivate the customer first", p.ID, c.ID, c.Status)
			}
			if a != nil && a.Status != Active {
				return errcode.New(errcode.Conflict, "portfolio %d cannot be ACTIVE while account %d is %s: reactivate the account first", p.ID, a.ID, a.Status)
			}
		}
		patch.Set(&p.Status, in.Status)
		patch.Set(&p.Currency, in.Currency)
		p.UpdatedAt = s.clock()
		if err := s.repo.SavePortfolio(ctx, &p); err != nil {
			return err
		}
		return s.events.Emit(ctx, org.ID, PortfolioUpdated{p})
	})
	return p, errcode.Wrapf(err, "update portfolio %d", in.ID)
}

// Portfolio returns one portfolio. NotFound.
func (s *Service) Portfolio(ctx context.Context, org Org, id int64) (Portfolio, error) {
	return s.repo.Portfolio(ctx, org.ID, id, false)
}

// Portfolios lists a customer's portfolios. NotFound: no such customer.
func (s *Service) Portfolios(ctx context.Context, org Org, customerID int64, p PageRequest) (Page[Portfolio], error) {
	if _, err := s.repo.Customer(ctx, org.ID, customerID, false); err != nil {
		return Page[Portfolio]{}, err
	}
	return s.repo.ListPortfolios(ctx, org.ID, customerID, p)
}

// Investments lists the investment types, paginated in memory (there are six).
func (s *Service) Investments(ctx context.Context, p PageRequest) (Page[Investment], error) {
	all, err := s.repo.Investments(ctx)
	if err != nil {
		return Page[Investment]{}, err
	}
	if p.Desc {
		for i, j := 0, len(all)-1; i < j; i, j = i+1, j-1 {
			all[i], all[j] = all[j], all[i]
		}
	}
	lo := min(p.Offset(), len(all))
	hi := min(lo+p.Limit, len(all))
	return Page[Investment]{Items: all[lo:hi], Total: int64(len(all))}, nil
}

// Investment returns one investment type. NotFound.
func (s *Service) Investment(ctx context.Context, id int64) (Investment, error) {
	all, err := s.repo.Investments(ctx)
	if err != nil {
		return Investment{}, err
	}
	for _, inv := range all {
		if inv.ID == id {
			return inv, nil
		}
	}
	return Investment{}, errcode.New(errcode.NotFound, "investment type %d not found; GET /v1/investments lists them", id)
}
