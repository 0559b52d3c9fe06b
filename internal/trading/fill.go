package trading

import (
	"fmt"

	"github.com/shopspring/decimal"
)

// The precisions: quantities to 8 decimal places, money to the cent.
const (
	quantityPlaces = 8
	moneyPlaces    = 2
)

var hundred = decimal.NewFromInt(100)

// fill is the arithmetic result of one execution.
type fill struct {
	Quantity   decimal.Decimal // shares bought or sold
	Value      decimal.Decimal // Quantity × Price, US dollars, to the cent
	Amount     decimal.Decimal // invested or paid out, in the request's currency
	Uninvested decimal.Decimal // US dollars a whole-share purchase could not spend
}

// quote is what an execution is priced with.
type quote struct {
	Symbol     string
	Price      decimal.Decimal // US dollars per share
	Rate       decimal.Decimal // US dollars per unit of the request's currency
	Fractional bool
}

// shares is q truncated to what the instrument trades in: 8 decimal
// places, or whole shares.
func (q quote) shares(v decimal.Decimal) decimal.Decimal {
	if q.Fractional {
		return v.Truncate(quantityPlaces)
	}
	return v.Truncate(0)
}

// toUSD converts an amount of the request's currency to dollars, down to the cent.
func (q quote) toUSD(amount decimal.Decimal) decimal.Decimal {
	return amount.Mul(q.Rate).Truncate(moneyPlaces)
}

// fromUSD converts dollars to the request's currency, down to the cent.
func (q quote) fromUSD(usd decimal.Decimal) decimal.Decimal {
	out, _ := usd.QuoRem(q.Rate, moneyPlaces)
	return out
}

// buy spends amount (in the request's currency): the dollars it converts
// to buy as many shares as the instrument allows, fractions to 8 decimal
// places or whole shares, and a whole-share purchase leaves the rest
// uninvested. The reason is set when nothing can be bought.
func buy(amount decimal.Decimal, q quote) (fill, string) {
	usd := q.toUSD(amount)
	places := int32(0)
	if q.Fractional {
		places = quantityPlaces
	}
	qty, _ := usd.QuoRem(q.Price, places)
	if !qty.IsPositive() {
		if q.Fractional {
			return fill{}, fmt.Sprintf("the amount comes to %s USD, which buys less than 0.00000001 share of %s at %s USD", usd, q.Symbol, q.Price)
		}
		return fill{}, fmt.Sprintf("%s USD does not buy one share of %s at %s USD, and %s trades in whole shares only", usd, q.Symbol, q.Price, q.Symbol)
	}
	value := qty.Mul(q.Price).Round(moneyPlaces)
	return fill{Quantity: qty, Value: value, Amount: amount, Uninvested: usd.Sub(value)}, ""
}

// sell sells from held shares either the shares worth amount (in the
// request's currency) or percentage percent of them; percentage 100 sells
// every share. The reason is set when the sale is impossible: more shares
// than held, or none at all.
func sell(held decimal.Decimal, amount, percentage *decimal.Decimal, q quote) (fill, string) {
	var qty decimal.Decimal
	switch {
	case percentage != nil && percentage.Equal(hundred):
		qty = held
	case percentage != nil:
		qty = q.shares(held.Mul(*percentage).Div(hundred))
	default:
		places := int32(0)
		if q.Fractional {
			places = quantityPlaces
		}
		qty, _ = q.toUSD(*amount).QuoRem(q.Price, places)
	}
	if !held.IsPositive() {
		return fill{}, fmt.Sprintf("the holding of %s is empty: there is nothing to sell", q.Symbol)
	}
	if qty.GreaterThan(held) {
		return fill{}, fmt.Sprintf("selling %s shares of %s (%s at %s USD a share) exceeds the %s shares held", qty, q.Symbol, describe(amount, percentage), q.Price, held)
	}
	if !qty.IsPositive() {
		return fill{}, fmt.Sprintf("%s comes to less than the smallest tradable quantity of %s at %s USD a share", describe(amount, percentage), q.Symbol, q.Price)
	}
	value := qty.Mul(q.Price).Round(moneyPlaces)
	return fill{Quantity: qty, Value: value, Amount: q.fromUSD(value), Uninvested: decimal.Zero}, ""
}

func describe(amount, percentage *decimal.Decimal) string {
	if percentage != nil {
		return percentage.String() + "% of the holding"
	}
	return "sellAmount " + amount.String()
}

// performance is the gain of value over cost in percent of cost, to the
// hundredth of a percent; 0 when nothing is invested.
func performance(value, cost decimal.Decimal) decimal.Decimal {
	if !cost.IsPositive() {
		return decimal.Zero
	}
	return value.Sub(cost).Mul(hundred).DivRound(cost, 2)
}
