// Package demo fills a new sandbox organization with demo data, through the
// same domain services the API calls, so that every list in Swagger UI
// shows something on the first visit: investing customers with holdings
// and a history of executed purchases and sells, a wallet counterparty
// with customers, and banking customers (a person and a corporation with
// its individuals) onboarded through approved applications.
package demo

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/openvest/openvest/internal/auth"
	"github.com/openvest/openvest/internal/banking"
	"github.com/openvest/openvest/internal/errcode"
	"github.com/openvest/openvest/internal/investing"
	"github.com/openvest/openvest/internal/trading"
	"github.com/openvest/openvest/internal/wallet"
	"github.com/shopspring/decimal"
)

// Services are the domain services the demo data goes through.
type Services struct {
	Investing *investing.Service
	Trading   *trading.Service
	Wallet    *wallet.Service
	Banking   *banking.Service
}

// Summary says what Fill created.
type Summary struct {
	InvestingCustomers []int64     `json:"investingCustomers"`
	Requests           []int64     `json:"requests"` // executed purchases and sells, in order
	Counterparty       uuid.UUID   `json:"counterparty"`
	WalletCustomers    []uuid.UUID `json:"walletCustomers"`
	BankingCustomers   []string    `json:"bankingCustomers"` // the customers approved applications created
}

// trade is one demo order: a purchase of amount (in currency) of symbol, or,
// with sellPercent set, a sell of that share of the holding in symbol.
type trade struct {
	symbol      string
	amount      string
	sellPercent string
}

type investor struct {
	first, last, reference string
	currency               investing.Currency
	trades                 []trade
}

var investors = []investor{
	{"Jane", "Banda", "demo-0001", investing.ZMW, []trade{{symbol: "AAPL", amount: "2500"}, {symbol: "MSFT", amount: "1800"}, {symbol: "AAPL", sellPercent: "25"}}},
	{"Mwila", "Phiri", "demo-0002", investing.USD, []trade{{symbol: "NVDA", amount: "300"}, {symbol: "KO", amount: "150"}}},
	{"Chanda", "Mulenga", "demo-0003", investing.USD, []trade{{symbol: "AMZN", amount: "500"}, {symbol: "AMZN", sellPercent: "100"}, {symbol: "V", amount: "250"}}},
}

// The wallet demo: a Stellar asset (the issuer's StrKey checksum is valid) and its customers.
const (
	walletAsset  = "ZMWT"
	walletIssuer = "GA5ZSEJYB37JRC5AVCIA5MOP4RHTM335X2KGX3IHOJAPP5RE34K4KZVN"
)

type walletPerson struct {
	login, name, surname, iban string
	segment                    wallet.Segment
	kyc                        int
	allowed                    string
}

// Their logins and IBANs differ from the spec's examples (an IBAN is unique
// in the organization), so that the examples still work in a demo organization.
var walletPeople = []walletPerson{
	{"+260970000001", "Jane", "Banda", "GB29NWBK60161331926819", wallet.PublicLiability, 2, "5000.5"},
	{"+260960000002", "Mwila", "Phiri", "DE75512108001245126199", wallet.ProfessionalIndemnity, 1, "1200"},
	{"+260950000003", "Chanda", "Mulenga", "", wallet.PublicLiability, 0, "0"},
}

// pdf is a minimal PDF, the document the demo applications attach.
var pdf = []byte("%PDF-1.7\n% demo document\n")

// Fill creates the demo data in org, which must be a sandbox organization
// (Forbidden otherwise: demo data belongs in no production organization).
// Each step goes through the domain services; purchases and sells are
// executed as the job queue would execute them, so that holdings and
// transactions exist when Fill returns.
func Fill(ctx context.Context, s Services, org auth.Organization) (Summary, error) {
	var sum Summary
	if !org.Sandbox {
		return sum, errcode.New(errcode.Forbidden, "demo data goes only into a sandbox organization; %s is not one", org.ClientID)
	}
	if err := fillInvesting(ctx, s, investingOrg(org), &sum); err != nil {
		return sum, fmt.Errorf("demo investing data: %w", err)
	}
	if err := fillWallet(ctx, s.Wallet, org.ID, &sum); err != nil {
		return sum, fmt.Errorf("demo wallet data: %w", err)
	}
	if err := fillBanking(ctx, s.Banking, banking.Org{ID: org.ID, Sandbox: org.Sandbox}, &sum); err != nil {
		return sum, fmt.Errorf("demo banking data: %w", err)
	}
	return sum, nil
}

func investingOrg(o auth.Organization) investing.Org {
	conv := func(ts []string) []investing.InvestmentType {
		out := make([]investing.InvestmentType, len(ts))
		for i, t := range ts {
			out[i] = investing.InvestmentType(t)
		}
		return out
	}
	return investing.Org{ID: o.ID, InvestmentTypes: conv(o.InvestmentTypes), Defaults: conv(o.DefaultInvestmentTypes), Sandbox: o.Sandbox}
}

func fillInvesting(ctx context.Context, s Services, org investing.Org, sum *Summary) error {
	for _, inv := range investors {
		ref := inv.reference
		c, err := s.Investing.CreateCustomer(ctx, org, investing.NewCustomer{FirstName: inv.first, LastName: inv.last, ReferenceID: &ref})
		if err != nil {
			return fmt.Errorf("create customer %s %s: %w", inv.first, inv.last, err)
		}
		sum.InvestingCustomers = append(sum.InvestingCustomers, c.ID)
		if !slices.Contains(org.Defaults, investing.InternationalStocks) {
			// The trades need the account the organization does not give
			// every new customer.
			if _, err := s.Investing.CreateAccount(ctx, org, investing.NewAccount{CustomerID: c.ID, Currency: inv.currency, InvestmentType: investing.InternationalStocks}); err != nil {
				return fmt.Errorf("open the %s account of customer %d: %w", investing.InternationalStocks, c.ID, err)
			}
		}
		for _, tr := range inv.trades {
			id, err := placeTrade(ctx, s.Trading, org, c.ID, inv.currency, tr)
			if err != nil {
				return fmt.Errorf("customer %d %s %s: %w", c.ID, tr.symbol, tr.describe(), err)
			}
			sum.Requests = append(sum.Requests, id)
		}
	}
	return nil
}

func (t trade) describe() string {
	if t.sellPercent != "" {
		return "sell " + t.sellPercent + "%"
	}
	return "purchase of " + t.amount
}

// placeTrade creates the request and executes it now, as the execution job
// does (a job that runs later finds it settled and leaves it).
func placeTrade(ctx context.Context, t *trading.Service, org investing.Org, customerID int64, cur investing.Currency, tr trade) (int64, error) {
	q, err := t.Instrument(ctx, org, tr.symbol)
	if err != nil {
		return 0, err
	}
	var r trading.Request
	if tr.sellPercent == "" {
		r, err = t.CreatePurchase(ctx, org, trading.NewPurchase{CustomerID: customerID, Currency: cur, InstrumentID: q.ID, Amount: decimal.RequireFromString(tr.amount)})
	} else {
		var holding trading.Asset
		if holding, err = holdingOf(ctx, t, org, customerID, q.ID); err != nil {
			return 0, err
		}
		pct := decimal.RequireFromString(tr.sellPercent)
		r, err = t.CreateSell(ctx, org, trading.NewSell{CustomerID: customerID, Currency: cur, AssetID: holding.ID, Percentage: &pct})
	}
	if err != nil {
		return 0, err
	}
	if err := t.ExecuteRequest(ctx, org.ID, r.ID, time.Time{}); err != nil {
		return 0, fmt.Errorf("execute request %d: %w", r.ID, err)
	}
	done, err := t.Request(ctx, org, r.ID)
	if err != nil {
		return 0, err
	}
	if done.Status != trading.Completed {
		reason := ""
		if done.ErrorReason != nil {
			reason = *done.ErrorReason
		}
		return 0, fmt.Errorf("request %d ended %s: %s", r.ID, done.Status, reason)
	}
	return r.ID, nil
}

func holdingOf(ctx context.Context, t *trading.Service, org investing.Org, customerID, instrumentID int64) (trading.Asset, error) {
	page, err := t.Assets(ctx, org, trading.AssetFilter{CustomerID: &customerID}, investing.PageRequest{Limit: 1000})
	if err != nil {
		return trading.Asset{}, err
	}
	for _, a := range page.Items {
		if a.InstrumentID == instrumentID {
			return a, nil
		}
	}
	return trading.Asset{}, errors.New("no holding to sell")
}

func fillWallet(ctx context.Context, w *wallet.Service, orgID int64, sum *Summary) error {
	cp, err := w.CreateCounterparty(ctx, orgID, "Zambezi Demo Bank")
	if err != nil {
		return fmt.Errorf("create counterparty: %w", err)
	}
	sum.Counterparty = cp.GUID
	for _, p := range walletPeople {
		in := wallet.NewCustomer{
			AssetCode: walletAsset, AssetIssuer: walletIssuer,
			Login: ptr(p.login), Name: ptr(p.name), Surname: ptr(p.surname), Segment: ptr(p.segment), KYCLevel: ptr(p.kyc),
			BalanceAllowed: ptr(decimal.RequireFromString(p.allowed)),
		}
		if p.iban != "" {
			in.IBAN = ptr(p.iban)
		}
		c, _, err := w.CreateCustomer(ctx, orgID, cp.GUID, in)
		if err != nil {
			return fmt.Errorf("create wallet customer %s: %w", p.login, err)
		}
		sum.WalletCustomers = append(sum.WalletCustomers, c.GUID)
	}
	return nil
}

func fillBanking(ctx context.Context, b *banking.Service, org banking.Org, sum *Summary) error {
	address := banking.AddressPatch{Line1: ptr("123 Main St"), City: ptr("New York"), State: ptr("NY"), PostalCode: ptr("10001"), Country: ptr("US")}
	full := banking.Address{Line1: "123 Main St", City: "New York", State: "NY", PostalCode: "10001", Country: "US"}
	dob := func(s string) *time.Time {
		t, err := time.Parse(time.DateOnly, s)
		if err != nil {
			panic(err) // the literals below are dates
		}
		return &t
	}
	thirty, seventy := decimal.NewFromInt(30), decimal.NewFromInt(70)
	applications := []struct {
		typ banking.CustomerType
		in  banking.ApplicationInput
		doc banking.DocumentType
	}{
		{banking.TypeIndividual, banking.ApplicationInput{
			Email: ptr("john.doe@example.com"), Phone: ptr("+1234567890"),
			Individual: &banking.PersonInput{FirstName: ptr("John"), LastName: ptr("Doe"), DateOfBirth: dob("1990-01-15"), Address: &address},
		}, banking.Passport},
		{banking.TypeCorporation, banking.ApplicationInput{
			Email:       ptr("contact@acmecorp.example"),
			Corporation: &banking.CorporationInput{LegalName: ptr("Acme Corp"), RegistrationNumber: ptr("C1234567"), Address: &address},
			Individuals: &[]banking.ApplicationIndividual{
				{Role: banking.BeneficialOwner, FirstName: "Jane", LastName: "Smith", DateOfBirth: dob("1985-04-02"), Email: "jane.smith@acmecorp.example", Address: full, OwnershipPercentage: &seventy},
				{Role: banking.BeneficialOwner, FirstName: "Sam", LastName: "Lee", DateOfBirth: dob("1978-11-23"), Address: full, OwnershipPercentage: &thirty},
				{Role: banking.ControllingPerson, FirstName: "Ada", LastName: "Okafor", DateOfBirth: dob("1982-06-30"), Address: full},
			},
		}, banking.CertificateOfIncorporation},
	}
	for _, a := range applications {
		app, err := b.CreateApplication(ctx, org, a.typ, a.in)
		if err != nil {
			return fmt.Errorf("create %s application: %w", a.typ, err)
		}
		if _, err := b.AddDocument(ctx, org, app.ID, banking.NewDocument{Type: a.doc, FileName: "document.pdf", ContentType: "application/pdf", Content: pdf}); err != nil {
			return fmt.Errorf("attach %s to application %s: %w", a.doc, app.ID, err)
		}
		app, err = b.SubmitApplication(ctx, org, app.ID)
		if err != nil {
			return fmt.Errorf("submit application %s: %w", app.ID, err)
		}
		if app.Status != banking.Approved {
			return fmt.Errorf("application %s is %s (%s), not APPROVED", app.ID, app.Status, app.DecisionReason)
		}
		sum.BankingCustomers = append(sum.BankingCustomers, app.CustomerID)
	}
	return nil
}

func ptr[T any](v T) *T { return &v }
