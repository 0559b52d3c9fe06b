package store

import (
	"context"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/openvest/openvest/internal/errcode"
	"github.com/openvest/openvest/internal/wallet"
	"github.com/shopspring/decimal"
	"gorm.io/gorm"
)

// WalletRepo implements wallet.Repository. Counterparties and accounts are
// here, customers and their list query in wallet_customers.go.
type WalletRepo struct{ s *Store }

// Wallet returns the wallet repository of s.
func (s *Store) Wallet() *WalletRepo { return &WalletRepo{s: s} }

var _ wallet.Repository = (*WalletRepo)(nil)

// WithTx implements txn.Transactor: the unit of work of the wallet service
// (see Store.WithTx).
func (r *WalletRepo) WithTx(ctx context.Context, fn func(ctx context.Context) error) error {
	return r.s.WithTx(ctx, fn)
}

func (r *WalletRepo) db(ctx context.Context) *gorm.DB { return r.s.conn(ctx) }

type walletCounterpartyRow struct {
	ID             int64     `gorm:"primaryKey"`
	GUID           uuid.UUID `gorm:"column:guid"`
	OrganizationID int64
	Name           string
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

func (walletCounterpartyRow) TableName() string { return "wallet_counterparties" }

func (c walletCounterpartyRow) domain() wallet.Counterparty {
	return wallet.Counterparty{
		ID: c.ID, GUID: c.GUID, OrganizationID: c.OrganizationID, Name: c.Name,
		CreatedAt: c.CreatedAt.UTC(), UpdatedAt: c.UpdatedAt.UTC(),
	}
}

// CreateCounterparty implements wallet.Repository.
func (r *WalletRepo) CreateCounterparty(ctx context.Context, c *wallet.Counterparty) error {
	row := walletCounterpartyRow{GUID: c.GUID, OrganizationID: c.OrganizationID, Name: c.Name, CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt}
	if err := r.db(ctx).Create(&row).Error; err != nil {
		return errcode.Wrapf(err, "create counterparty %s of organization %d", c.GUID, c.OrganizationID)
	}
	c.ID = row.ID
	return nil
}

// Counterparty implements wallet.Repository.
func (r *WalletRepo) Counterparty(ctx context.Context, orgID int64, guid uuid.UUID) (wallet.Counterparty, error) {
	var row walletCounterpartyRow
	err := r.db(ctx).Scopes(inOrg(orgID)).Where(byGUID("wallet_counterparties"), guid.String()).Take(&row).Error
	if err != nil {
		return wallet.Counterparty{}, errcode.Wrapf(withReason(notFound(err, "counterparty %s not found", guid), wallet.ReasonCounterpartyNotFound),
			"read counterparty %s of organization %d", guid, orgID)
	}
	return row.domain(), nil
}

// ListCounterparties implements wallet.Repository.
func (r *WalletRepo) ListCounterparties(ctx context.Context, orgID int64, p wallet.PageRequest) (wallet.Page[wallet.Counterparty], error) {
	q := r.db(ctx).Model(&walletCounterpartyRow{}).Scopes(inOrg(orgID)).Session(&gorm.Session{})
	var rows []walletCounterpartyRow
	if err := pageQuery(q, "wallet_counterparties", p.Limit, p.Offset, false).Find(&rows).Error; err != nil {
		return wallet.Page[wallet.Counterparty]{}, errcode.Wrapf(err, "list counterparties of organization %d", orgID)
	}
	n, err := total(q, len(rows), p.Limit, p.Offset)
	return wallet.Page[wallet.Counterparty]{Items: mapRows(rows, walletCounterpartyRow.domain), Total: n}, errcode.Wrapf(err, "count counterparties of organization %d", orgID)
}

type walletAccountRow struct {
	ID             int64     `gorm:"primaryKey"`
	GUID           uuid.UUID `gorm:"column:guid"`
	OrganizationID int64
	CounterpartyID int64
	CustomerID     int64
	IBAN           *string `gorm:"column:iban"`
	AssetCode      string
	AssetIssuer    string
	Balance        decimal.Decimal
	Activated      bool
	Registered     bool
	Blocked        bool
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

func (walletAccountRow) TableName() string { return "wallet_accounts" }

func (a walletAccountRow) domain() wallet.Account {
	return wallet.Account{
		ID: a.ID, GUID: a.GUID, OrganizationID: a.OrganizationID, CounterpartyID: a.CounterpartyID, CustomerID: a.CustomerID,
		IBAN: a.IBAN, AssetCode: a.AssetCode, AssetIssuer: a.AssetIssuer, Balance: a.Balance,
		Activated: a.Activated, Registered: a.Registered, Blocked: a.Blocked,
		CreatedAt: a.CreatedAt.UTC(), UpdatedAt: a.UpdatedAt.UTC(),
	}
}

// CreateAccount implements wallet.Repository.
func (r *WalletRepo) CreateAccount(ctx context.Context, a *wallet.Account) error {
	row := walletAccountRow{
		GUID: a.GUID, OrganizationID: a.OrganizationID, CounterpartyID: a.CounterpartyID, CustomerID: a.CustomerID,
		IBAN: a.IBAN, AssetCode: a.AssetCode, AssetIssuer: a.AssetIssuer, Balance: a.Balance,
		Activated: a.Activated, Registered: a.Registered, Blocked: a.Blocked, CreatedAt: a.CreatedAt, UpdatedAt: a.UpdatedAt,
	}
	if err := r.db(ctx).Create(&row).Error; err != nil {
		if name, ok := uniqueViolation(err); ok && strings.Contains(name, "iban") && a.IBAN != nil {
			err = errcode.New(errcode.Conflict, "IBAN %s is already used by a wallet account of this organization", *a.IBAN).WithReason(wallet.ReasonIBANAlreadyExists)
		}
		return errcode.Wrapf(err, "create a wallet account of customer %d of organization %d", a.CustomerID, a.OrganizationID)
	}
	a.ID = row.ID
	return nil
}

// ListAccounts implements wallet.Repository.
func (r *WalletRepo) ListAccounts(ctx context.Context, orgID, customerID int64, iban *string) ([]wallet.Account, error) {
	q := r.db(ctx).Scopes(inOrg(orgID)).Where("customer_id = ?", customerID)
	if iban != nil {
		q = q.Where("iban = ?", *iban)
	}
	var rows []walletAccountRow
	if err := q.Order("created_at, id").Find(&rows).Error; err != nil {
		return nil, errcode.Wrapf(err, "list the wallet accounts of customer %d of organization %d", customerID, orgID)
	}
	return mapRows(rows, walletAccountRow.domain), nil
}

// byGUID is the condition of the row of table (wallet_counterparties,
// wallet_customers) whose guid, unique across organizations, is its
// argument: found by the guid alone in a subquery run once, then kept in
// the statement's organization (and counterparty). With "guid = ?" beside
// the organization's condition, the generic plan estimated an organization's
// rows as the average organization's, about one, the same as the guid's,
// and could take the organization's index and filter every row of a large
// one on the guid (501 counterparties, 2,500 customers of a counterparty
// per read, TestHotPathPlans).
func byGUID(table string) string {
	return table + ".id = (SELECT g.id FROM " + table + " g WHERE g.guid = ?)"
}

// withReason sets the reason of a domain error; other errors pass through.
func withReason(err error, reason string) error {
	if e, ok := errcode.As(err); ok {
		e.Reason = reason
	}
	return err
}
