package httpapi

import (
	"time"

	"github.com/openvest/openvest/gen/api"
	"github.com/openvest/openvest/internal/trading"
)

func apiInstrument(q trading.Quote) api.Instrument {
	return api.Instrument{
		InstrumentId: q.ID, Name: q.Name, Symbol: q.Symbol, InvestmentId: q.InvestmentID,
		InvestmentType: api.InvestmentType(q.InvestmentType), IsAvailable: q.IsAvailable, FractionalEnabled: q.FractionalEnabled,
		MinimumAmount: q.MinimumAmount, Price: q.Price, Currency: api.USD, IsSandboxPrice: q.Overridden,
		ValueChangeOverTime: api.InstrumentValueChange{Day: q.Change.Day, Week: q.Change.Week, Month: q.Change.Month, Year: q.Change.Year},
		CreatedAt:           q.CreatedAt.Unix(), UpdatedAt: q.UpdatedAt.Unix(),
	}
}

func apiRequest(r trading.Request) api.InvestmentRequest {
	return api.InvestmentRequest{
		RequestId: r.ID, CustomerId: r.CustomerID, AccountId: r.AccountID, PortfolioId: r.PortfolioID,
		Symbol: r.Symbol, InstrumentId: r.InstrumentID, AssetId: r.AssetID,
		RequestType: api.RequestType(r.Type), Status: api.RequestStatus(r.Status), ErrorReason: r.ErrorReason,
		Currency: api.Currency(r.Currency), PurchaseAmount: r.PurchaseAmount, SellAmount: r.SellAmount, SellPercentage: r.SellPercentage,
		IsRecurring: r.IsRecurring, Schedule: api.RequestSchedule(r.Schedule), NextExecutionAt: unixPtr(r.NextExecutionAt),
		ExecutionCount: int32(r.Executions), CreatedAt: r.CreatedAt.Unix(), UpdatedAt: r.UpdatedAt.Unix(),
	}
}

func apiAsset(a trading.Asset) api.Asset {
	return api.Asset{
		AssetId: a.ID, CustomerId: a.CustomerID, AccountId: a.AccountID, PortfolioId: a.PortfolioID,
		InstrumentId: a.InstrumentID, Name: a.Name, Symbol: a.Symbol, Currency: api.Currency(a.Currency),
		Quantity: a.Quantity, Position: a.Quantity, Locked: a.Locked, Available: a.Quantity.Sub(a.Locked),
		AverageCost: a.AverageCost, PurchasePrice: a.AverageCost, InvestmentAmount: a.InvestmentAmount, MarketValue: a.MarketValue,
		Price: a.Price, MarketPrice: a.Price, Performance: a.Performance, CreatedAt: a.CreatedAt.Unix(), UpdatedAt: a.UpdatedAt.Unix(),
	}
}

func apiTransaction(t trading.Transaction) api.Transaction {
	return api.Transaction{
		TransactionId: t.ID, RequestId: t.RequestID, CustomerId: t.CustomerID, AccountId: t.AccountID, PortfolioId: t.PortfolioID,
		AssetId: t.AssetID, InstrumentId: t.InstrumentID, Symbol: t.Symbol,
		RequestType: api.RequestType(t.Type), TransactionType: api.RequestType(t.Type), Status: api.TransactionStatus(t.Status), ErrorReason: t.ErrorReason,
		Currency: api.Currency(t.Currency), Amount: t.Amount, FxRate: t.Rate, Price: t.Price, Quantity: t.Quantity,
		Value: t.Value, UninvestedAmount: t.Uninvested, Cycle: int32(t.Cycle),
		ExecutedAt: t.ExecutedAt.Unix(), CreatedAt: t.CreatedAt.Unix(), UpdatedAt: t.UpdatedAt.Unix(),
	}
}

func apiClock(c trading.Clock) api.SandboxClock {
	return api.SandboxClock{Now: c.Now.Unix(), OffsetSeconds: int64(c.Offset / time.Second), ScheduledExecutions: int32(c.Scheduled)}
}

func unixPtr(t *time.Time) *int64 {
	if t == nil {
		return nil
	}
	u := t.Unix()
	return &u
}
