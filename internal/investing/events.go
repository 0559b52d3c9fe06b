package investing

// The events of customers, accounts and portfolios. Each is emitted in
// the transaction of its change (see Service.WithEvents).
type (
	// CustomerCreated: a customer was created (with its accounts and
	// portfolios, whose events follow it).
	CustomerCreated struct{ Customer Customer }
	// CustomerUpdated: a customer's fields or status changed.
	CustomerUpdated struct{ Customer Customer }
	// AccountCreated: an account was opened.
	AccountCreated struct{ Account Account }
	// AccountUpdated: an account's status changed (directly or by its
	// customer's cascade).
	AccountUpdated struct{ Account Account }
	// PortfolioCreated: a portfolio was created.
	PortfolioCreated struct{ Portfolio Portfolio }
	// PortfolioUpdated: a portfolio's status, currency or values changed
	// (a fill revalues it).
	PortfolioUpdated struct{ Portfolio Portfolio }
)

// EventName implements event.Event: the name on the wire (DOMAIN.ACTION).
func (CustomerCreated) EventName() string  { return "CUSTOMER.CREATED" }
func (CustomerUpdated) EventName() string  { return "CUSTOMER.UPDATED" }
func (AccountCreated) EventName() string   { return "ACCOUNT.CREATED" }
func (AccountUpdated) EventName() string   { return "ACCOUNT.UPDATED" }
func (PortfolioCreated) EventName() string { return "PORTFOLIO.CREATED" }
func (PortfolioUpdated) EventName() string { return "PORTFOLIO.UPDATED" }
