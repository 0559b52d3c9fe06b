package httpapi

import (
	"context"

	"github.com/openvest/openvest/gen/api"
	"github.com/openvest/openvest/internal/auth"
	"github.com/openvest/openvest/internal/errcode"
	"github.com/openvest/openvest/internal/investing"
)

// orgFrom returns the calling organization as the investing domain sees it.
func orgFrom(ctx context.Context) (investing.Org, error) {
	p, ok := principalFrom(ctx)
	if !ok {
		return investing.Org{}, errcode.New(errcode.Unauthenticated, "not authenticated")
	}
	return investingOrg(p.Org), nil
}

func investingOrg(o auth.Organization) investing.Org {
	conv := func(t string) investing.InvestmentType { return investing.InvestmentType(t) }
	return investing.Org{ID: o.ID, InvestmentTypes: mapSlice(o.InvestmentTypes, conv), Defaults: mapSlice(o.DefaultInvestmentTypes, conv), Sandbox: o.Sandbox}
}

const (
	msgOK      = "Success"
	msgCreated = "Created"
)

// pageRequest turns the page/limit/sort parameters into a domain page request;
// the spec's defaults apply when they are absent.
func pageRequest(page, limit *int32, sort *api.SortOrder) investing.PageRequest {
	p := investing.PageRequest{Page: 0, Limit: 100}
	if page != nil {
		p.Page = int(*page)
	}
	if limit != nil {
		p.Limit = int(*limit)
	}
	p.Desc = sort != nil && *sort == api.DESC
	return p
}

// meta describes one page of a list.
func meta(p investing.PageRequest, count int, total int64) api.Meta {
	m := api.Meta{
		CurrentPage: int32(p.Page), Limit: int32(p.Limit), CurrentCount: int32(count), TotalCount: total, Sort: api.ASC,
	}
	if p.Desc {
		m.Sort = api.DESC
	}
	// 0 where there is none, as the vendor's docs answer.
	if p.Page > 0 {
		m.PreviousPage = int32(p.Page - 1)
	}
	if int64(p.Page+1)*int64(p.Limit) < total {
		m.NextPage = int32(p.Page + 1)
	}
	return m
}

func apiCustomer(c investing.Customer) api.Customer {
	return api.Customer{
		CustomerId: c.ID, FirstName: c.FirstName, LastName: c.LastName, Status: api.CustomerStatus(c.Status),
		ReferenceId: c.ReferenceID, CreatedAt: c.CreatedAt.Unix(), UpdatedAt: c.UpdatedAt.Unix(),
	}
}

func apiAccount(a investing.Account) api.Account {
	return api.Account{
		AccountId: a.ID, CustomerId: a.CustomerID, Status: api.AccountStatus(a.Status),
		InvestmentType: api.InvestmentType(a.InvestmentType), Currency: api.Currency(a.Currency),
		CreatedAt: a.CreatedAt.Unix(), UpdatedAt: a.UpdatedAt.Unix(),
	}
}

func apiPortfolio(p investing.Portfolio) api.Portfolio {
	out := api.Portfolio{
		PortfolioId: p.ID, AccountId: p.AccountID, CustomerId: p.CustomerID, Currency: api.Currency(p.Currency),
		InvestmentAmount: p.InvestmentAmount, MarketValue: p.MarketValue, Performance: p.Performance,
		Status: api.PortfolioStatus(p.Status), CreatedAt: p.CreatedAt.Unix(), UpdatedAt: p.UpdatedAt.Unix(),
	}
	if p.InvestmentType != nil {
		t := api.InvestmentType(*p.InvestmentType)
		out.InvestmentType = &t
	}
	return out
}

func apiInvestment(i investing.Investment, org investing.Org) api.Investment {
	return api.Investment{
		InvestmentId: i.ID, InvestmentType: api.InvestmentType(i.Type), Description: i.Description,
		IsAvailable: org.Offers(i.Type), CreatedAt: i.CreatedAt.Unix(), UpdatedAt: i.UpdatedAt.Unix(),
	}
}

func mapSlice[T, U any](in []T, f func(T) U) []U {
	out := make([]U, len(in))
	for i, v := range in {
		out[i] = f(v)
	}
	return out
}

// convertPtr converts an optional generated enum to its domain type.
func convertPtr[T ~string, U ~string](v *T) *U {
	if v == nil {
		return nil
	}
	u := U(*v)
	return &u
}
