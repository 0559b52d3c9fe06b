package store

import (
	"context"
	"fmt"
	"time"

	"github.com/openvest/openvest/internal/banking"
	"github.com/openvest/openvest/internal/errcode"
	"github.com/shopspring/decimal"
)

type bankingCustomerRow struct {
	ID                 string `gorm:"primaryKey"`
	OrganizationID     int64
	ApplicationID      string
	Type               string
	Status             string
	Email              string
	Phone              string
	FirstName          string
	LastName           string
	DateOfBirth        *time.Time
	LegalName          string
	RegistrationNumber string
	Address            addressColumns `gorm:"embedded;embeddedPrefix:address_"`
	LastActivityAt     time.Time
	CreatedAt          time.Time
	UpdatedAt          time.Time
}

func (bankingCustomerRow) TableName() string { return "banking_customers" }

func (row bankingCustomerRow) domain() banking.Customer {
	c := banking.Customer{
		ID: row.ID, OrganizationID: row.OrganizationID, ApplicationID: row.ApplicationID,
		Type: banking.CustomerType(row.Type), Status: banking.CustomerStatus(row.Status),
		Email: row.Email, Phone: row.Phone, Address: banking.Address(row.Address),
		FirstName: row.FirstName, LastName: row.LastName,
		LegalName: row.LegalName, RegistrationNumber: row.RegistrationNumber,
		LastActivityAt: row.LastActivityAt.UTC(), CreatedAt: row.CreatedAt.UTC(), UpdatedAt: row.UpdatedAt.UTC(),
	}
	if d := dateOf(row.DateOfBirth); d != nil {
		c.DateOfBirth = *d
	}
	return c
}

type bankingIndividualRow struct {
	ID                  string `gorm:"primaryKey"`
	OrganizationID      int64
	CustomerID          string
	Position            int
	Role                string
	FirstName           string
	LastName            string
	DateOfBirth         time.Time
	Email               string
	Phone               string
	Address             addressColumns `gorm:"embedded;embeddedPrefix:address_"`
	OwnershipPercentage *decimal.Decimal
	CreatedAt           time.Time
	UpdatedAt           time.Time
}

func (bankingIndividualRow) TableName() string { return "banking_individuals" }

func (row bankingIndividualRow) domain() banking.Individual {
	return banking.Individual{
		ID: row.ID, OrganizationID: row.OrganizationID, CustomerID: row.CustomerID, Position: row.Position,
		Role: banking.Role(row.Role), FirstName: row.FirstName, LastName: row.LastName, DateOfBirth: *dateOf(&row.DateOfBirth),
		Email: row.Email, Phone: row.Phone, Address: banking.Address(row.Address), OwnershipPercentage: row.OwnershipPercentage,
		CreatedAt: row.CreatedAt.UTC(), UpdatedAt: row.UpdatedAt.UTC(),
	}
}

type bankingAccountRow struct {
	ID             string `gorm:"primaryKey"`
	OrganizationID int64
	CustomerID     string
	Currency       string
	Status         string
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

func (bankingAccountRow) TableName() string { return "banking_accounts" }

func (row bankingAccountRow) domain() banking.Account {
	return banking.Account{
		ID: row.ID, OrganizationID: row.OrganizationID, CustomerID: row.CustomerID, Currency: row.Currency,
		Status: banking.AccountStatus(row.Status), CreatedAt: row.CreatedAt.UTC(), UpdatedAt: row.UpdatedAt.UTC(),
	}
}

// CreateCustomer implements banking.Repository: one insert per table.
func (r *BankingRepo) CreateCustomer(ctx context.Context, c *banking.CustomerDetail) error {
	err := r.s.WithTx(ctx, func(ctx context.Context) error {
		db := r.db(ctx)
		row := bankingCustomerRow{
			ID: c.ID, OrganizationID: c.OrganizationID, ApplicationID: c.ApplicationID, Type: string(c.Type),
			Status: string(c.Status), Email: c.Email, Phone: c.Phone, FirstName: c.FirstName, LastName: c.LastName,
			DateOfBirth: dateValue(c.DateOfBirth), LegalName: c.LegalName, RegistrationNumber: c.RegistrationNumber,
			Address: addressColumns(c.Address), LastActivityAt: c.LastActivityAt, CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt,
		}
		if err := db.Create(&row).Error; err != nil {
			return err
		}
		if len(c.Individuals) > 0 {
			rows := make([]bankingIndividualRow, len(c.Individuals))
			for i, ind := range c.Individuals {
				rows[i] = bankingIndividualRow{
					ID: ind.ID, OrganizationID: ind.OrganizationID, CustomerID: ind.CustomerID, Position: ind.Position,
					Role: string(ind.Role), FirstName: ind.FirstName, LastName: ind.LastName, DateOfBirth: *dateValue(ind.DateOfBirth),
					Email: ind.Email, Phone: ind.Phone, Address: addressColumns(ind.Address),
					OwnershipPercentage: ind.OwnershipPercentage, CreatedAt: ind.CreatedAt, UpdatedAt: ind.UpdatedAt,
				}
			}
			if err := db.Create(&rows).Error; err != nil {
				return err
			}
		}
		if len(c.Accounts) == 0 {
			return nil
		}
		rows := make([]bankingAccountRow, len(c.Accounts))
		for i, a := range c.Accounts {
			rows[i] = bankingAccountRow{
				ID: a.ID, OrganizationID: a.OrganizationID, CustomerID: a.CustomerID, Currency: a.Currency,
				Status: string(a.Status), CreatedAt: a.CreatedAt, UpdatedAt: a.UpdatedAt,
			}
		}
		return db.Create(&rows).Error
	})
	return errcode.Wrapf(err, "create banking customer %s of organization %d", c.ID, c.OrganizationID)
}

// Customer implements banking.Repository.
func (r *BankingRepo) Customer(ctx context.Context, orgID int64, id string, lock bool) (banking.Customer, error) {
	var row bankingCustomerRow
	err := r.s.lock(r.db(ctx), lock).Scopes(inOrg(orgID)).Where("id = ?", id).Take(&row).Error
	if err != nil {
		return banking.Customer{}, errcode.Wrapf(notFound(err, "customer %s not found", id), "read banking customer %s of organization %d", id, orgID)
	}
	return row.domain(), nil
}

// CustomerDetail implements banking.Repository: three indexed reads.
func (r *BankingRepo) CustomerDetail(ctx context.Context, orgID int64, id string) (banking.CustomerDetail, error) {
	c, err := r.Customer(ctx, orgID, id, false)
	if err != nil {
		return banking.CustomerDetail{}, err // wrapped by Customer
	}
	d := banking.CustomerDetail{Customer: c}
	var inds []bankingIndividualRow
	if err := r.db(ctx).Scopes(inOrg(orgID)).Where("customer_id = ?", id).Order("position").Find(&inds).Error; err != nil {
		return banking.CustomerDetail{}, errcode.Wrapf(err, "read the individuals of banking customer %s of organization %d", id, orgID)
	}
	for _, row := range inds {
		d.Individuals = append(d.Individuals, row.domain())
	}
	var accs []bankingAccountRow
	if err := r.db(ctx).Scopes(inOrg(orgID)).Where("customer_id = ?", id).Order("created_at, id").Find(&accs).Error; err != nil {
		return banking.CustomerDetail{}, errcode.Wrapf(err, "read the accounts of banking customer %s of organization %d", id, orgID)
	}
	for _, row := range accs {
		d.Accounts = append(d.Accounts, row.domain())
	}
	return d, nil
}

// SaveCustomer implements banking.Repository.
func (r *BankingRepo) SaveCustomer(ctx context.Context, c *banking.Customer) error {
	err := r.db(ctx).Model(&bankingCustomerRow{}).Scopes(inOrg(c.OrganizationID)).Where("id = ?", c.ID).
		Updates(addressUpdates(c.Address, map[string]any{
			"email": c.Email, "phone": c.Phone, "status": string(c.Status),
			"last_activity_at": c.LastActivityAt, "updated_at": c.UpdatedAt,
		})).Error
	return errcode.Wrapf(err, "save banking customer %s of organization %d", c.ID, c.OrganizationID)
}

// UpdateCustomer implements banking.Repository: read with the row lock,
// change through update, save, in one transaction.
func (r *BankingRepo) UpdateCustomer(ctx context.Context, orgID int64, id string, update func(c *banking.Customer) error) (banking.Customer, error) {
	var c banking.Customer
	err := r.s.WithTx(ctx, func(ctx context.Context) error {
		var err error
		if c, err = r.Customer(ctx, orgID, id, true); err != nil {
			return err
		}
		if err := update(&c); err != nil {
			return err
		}
		c.OrganizationID, c.ID = orgID, id // update changes the customer, not which one
		return r.SaveCustomer(ctx, &c)
	})
	if err != nil {
		return banking.Customer{}, err
	}
	return c, nil
}

// ListCustomers implements banking.Repository.
func (r *BankingRepo) ListCustomers(ctx context.Context, orgID int64, f banking.CustomerFilter, after *banking.Position, limit int) ([]banking.Customer, error) {
	q := r.db(ctx).Model(&bankingCustomerRow{}).Scopes(inOrg(orgID))
	if f.Type != nil {
		q = q.Where("banking_customers.type = ?", string(*f.Type))
	}
	if f.Status != nil {
		q = q.Where("banking_customers.status = ?", string(*f.Status))
	}
	var rows []bankingCustomerRow
	if err := keyset(q, "banking_customers", after, limit).Find(&rows).Error; err != nil {
		return nil, errcode.Wrapf(err, "list banking customers of organization %d", orgID)
	}
	return mapRows(rows, bankingCustomerRow.domain), nil
}

// Individual implements banking.Repository.
func (r *BankingRepo) Individual(ctx context.Context, orgID int64, customerID, id string, lock bool) (banking.Individual, error) {
	var row bankingIndividualRow
	err := r.s.lock(r.db(ctx), lock).Scopes(inOrg(orgID)).Where("customer_id = ? AND id = ?", customerID, id).Take(&row).Error
	if err != nil {
		return banking.Individual{}, errcode.Wrapf(notFound(err, "individual %s of customer %s not found", id, customerID),
			"read individual %s of banking customer %s of organization %d", id, customerID, orgID)
	}
	return row.domain(), nil
}

// SaveIndividual implements banking.Repository.
func (r *BankingRepo) SaveIndividual(ctx context.Context, i *banking.Individual) error {
	err := r.db(ctx).Model(&bankingIndividualRow{}).Scopes(inOrg(i.OrganizationID)).Where("id = ?", i.ID).
		Updates(addressUpdates(i.Address, map[string]any{"email": i.Email, "phone": i.Phone, "updated_at": i.UpdatedAt})).Error
	return errcode.Wrapf(err, "save individual %s of organization %d", i.ID, i.OrganizationID)
}

// CloseAccounts implements banking.Repository.
func (r *BankingRepo) CloseAccounts(ctx context.Context, orgID int64, customerID string, at time.Time) error {
	err := r.db(ctx).Model(&bankingAccountRow{}).
		Scopes(inOrg(orgID)).Where("customer_id = ? AND status <> ?", customerID, string(banking.AccountClosed)).
		Updates(map[string]any{"status": string(banking.AccountClosed), "updated_at": at}).Error
	return errcode.Wrapf(err, "close the accounts of banking customer %s of organization %d", customerID, orgID)
}

// MarkDormant implements banking.Repository with one UPDATE … RETURNING. The outer
// condition repeats the inner one so that a row changed by a concurrent
// transaction is checked again (PostgreSQL re-evaluates it on the new row
// version) rather than moved on a stale reading.
func (r *BankingRepo) MarkDormant(ctx context.Context, from []banking.CustomerStatus, cutoff, at time.Time, limit int) ([]banking.CustomerRef, error) {
	statuses := make([]string, len(from))
	for i, s := range from {
		statuses[i] = string(s)
	}
	var moved []banking.CustomerRef
	err := r.db(ctx).Raw(`
UPDATE banking_customers SET status = ?, updated_at = ?
WHERE status IN ? AND last_activity_at < ?
  AND id IN (SELECT id FROM banking_customers WHERE status IN ? AND last_activity_at < ? LIMIT ?)
RETURNING organization_id, id`,
		string(banking.Dormant), at, statuses, cutoff, statuses, cutoff, limit).Scan(&moved).Error
	if err != nil {
		return nil, fmt.Errorf("mark banking customers dormant: %w", err)
	}
	return moved, nil
}
