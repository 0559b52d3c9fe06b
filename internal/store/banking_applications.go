package store

import (
	"context"
	"fmt"
	"time"

	"github.com/openvest/openvest/internal/banking"
	"github.com/openvest/openvest/internal/errcode"
	"github.com/shopspring/decimal"
)

type bankingApplicationRow struct {
	ID                 string `gorm:"primaryKey"`
	OrganizationID     int64
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
	CustomerID         *string
	DecisionReason     string
	SubmittedAt        *time.Time
	DecidedAt          *time.Time
	CreatedAt          time.Time
	UpdatedAt          time.Time
}

func (bankingApplicationRow) TableName() string { return "banking_applications" }

func applicationRow(a *banking.Application) bankingApplicationRow {
	row := bankingApplicationRow{
		ID: a.ID, OrganizationID: a.OrganizationID, Type: string(a.Type), Status: string(a.Status),
		Email: a.Email, Phone: a.Phone, FirstName: a.FirstName, LastName: a.LastName, DateOfBirth: a.DateOfBirth,
		LegalName: a.LegalName, RegistrationNumber: a.RegistrationNumber, Address: addressColumns(a.Address),
		DecisionReason: a.DecisionReason, SubmittedAt: a.SubmittedAt, DecidedAt: a.DecidedAt,
		CreatedAt: a.CreatedAt, UpdatedAt: a.UpdatedAt,
	}
	if a.CustomerID != "" {
		row.CustomerID = &a.CustomerID
	}
	return row
}

func (row bankingApplicationRow) domain() banking.Application {
	a := banking.Application{
		ID: row.ID, OrganizationID: row.OrganizationID, Type: banking.CustomerType(row.Type),
		Status: banking.ApplicationStatus(row.Status), Email: row.Email, Phone: row.Phone,
		FirstName: row.FirstName, LastName: row.LastName, DateOfBirth: dateOf(row.DateOfBirth),
		LegalName: row.LegalName, RegistrationNumber: row.RegistrationNumber, Address: banking.Address(row.Address),
		DecisionReason: row.DecisionReason, SubmittedAt: utcPtr(row.SubmittedAt), DecidedAt: utcPtr(row.DecidedAt),
		CreatedAt: row.CreatedAt.UTC(), UpdatedAt: row.UpdatedAt.UTC(),
	}
	if row.CustomerID != nil {
		a.CustomerID = *row.CustomerID
	}
	return a
}

type bankingApplicationIndividualRow struct {
	ApplicationID       string `gorm:"primaryKey"`
	Position            int    `gorm:"primaryKey;autoIncrement:false"`
	OrganizationID      int64
	Role                string
	FirstName           string
	LastName            string
	DateOfBirth         *time.Time
	Email               string
	Phone               string
	Address             addressColumns `gorm:"embedded;embeddedPrefix:address_"`
	OwnershipPercentage *decimal.Decimal
}

func (bankingApplicationIndividualRow) TableName() string { return "banking_application_individuals" }

func (row bankingApplicationIndividualRow) domain() banking.ApplicationIndividual {
	return banking.ApplicationIndividual{
		Role: banking.Role(row.Role), FirstName: row.FirstName, LastName: row.LastName, DateOfBirth: dateOf(row.DateOfBirth),
		Email: row.Email, Phone: row.Phone, Address: banking.Address(row.Address), OwnershipPercentage: row.OwnershipPercentage,
	}
}

type bankingDocumentRow struct {
	ID             string `gorm:"primaryKey"`
	OrganizationID int64
	ApplicationID  string
	Type           string
	FileName       string
	ContentType    string
	Size           int64
	SHA256         string `gorm:"column:sha256"`
	Content        []byte
	CreatedAt      time.Time
}

func (bankingDocumentRow) TableName() string { return "banking_documents" }

func (row bankingDocumentRow) domain() banking.Document {
	return banking.Document{
		ID: row.ID, OrganizationID: row.OrganizationID, ApplicationID: row.ApplicationID, Type: banking.DocumentType(row.Type),
		FileName: row.FileName, ContentType: row.ContentType, Size: row.Size, SHA256: row.SHA256, Content: row.Content,
		CreatedAt: row.CreatedAt.UTC(),
	}
}

// documentMetadata are the columns of a document but its content.
const documentMetadata = "id, organization_id, application_id, type, file_name, content_type, size, sha256, created_at"

// CreateApplication implements banking.Repository.
func (r *BankingRepo) CreateApplication(ctx context.Context, a *banking.Application) error {
	err := r.s.WithTx(ctx, func(ctx context.Context) error {
		row := applicationRow(a)
		if err := r.db(ctx).Create(&row).Error; err != nil {
			return err
		}
		return r.insertApplicationIndividuals(ctx, a)
	})
	return errcode.Wrapf(err, "create application %s of organization %d", a.ID, a.OrganizationID)
}

func (r *BankingRepo) insertApplicationIndividuals(ctx context.Context, a *banking.Application) error {
	if len(a.Individuals) == 0 {
		return nil
	}
	rows := make([]bankingApplicationIndividualRow, len(a.Individuals))
	for i, ind := range a.Individuals {
		rows[i] = bankingApplicationIndividualRow{
			ApplicationID: a.ID, Position: i, OrganizationID: a.OrganizationID, Role: string(ind.Role),
			FirstName: ind.FirstName, LastName: ind.LastName, DateOfBirth: ind.DateOfBirth,
			Email: ind.Email, Phone: ind.Phone, Address: addressColumns(ind.Address), OwnershipPercentage: ind.OwnershipPercentage,
		}
	}
	return r.db(ctx).Create(&rows).Error
}

// Application implements banking.Repository.
func (r *BankingRepo) Application(ctx context.Context, orgID int64, id string, lock bool) (banking.Application, error) {
	var row bankingApplicationRow
	err := r.s.lock(r.db(ctx), lock).Scopes(inOrg(orgID)).Where("id = ?", id).Take(&row).Error
	if err != nil {
		return banking.Application{}, errcode.Wrapf(notFound(err, "application %s not found", id), "read application %s of organization %d", id, orgID)
	}
	apps := []banking.Application{row.domain()}
	if err := r.loadApplicationParts(ctx, orgID, apps); err != nil {
		return banking.Application{}, errcode.Wrapf(err, "read application %s of organization %d", id, orgID)
	}
	return apps[0], nil
}

// loadApplicationParts fills in the individuals and document metadata of
// the applications: two queries whatever their number.
func (r *BankingRepo) loadApplicationParts(ctx context.Context, orgID int64, apps []banking.Application) error {
	if len(apps) == 0 {
		return nil
	}
	ids := make([]string, len(apps))
	index := make(map[string]*banking.Application, len(apps))
	for i := range apps {
		ids[i] = apps[i].ID
		index[apps[i].ID] = &apps[i]
	}
	var inds []bankingApplicationIndividualRow
	if err := r.db(ctx).Scopes(inOrg(orgID)).Where("application_id IN ?", ids).
		Order("application_id, position").Find(&inds).Error; err != nil {
		return fmt.Errorf("read their individuals: %w", err)
	}
	for _, row := range inds {
		a := index[row.ApplicationID]
		a.Individuals = append(a.Individuals, row.domain())
	}
	var docs []bankingDocumentRow
	if err := r.db(ctx).Select(documentMetadata).Scopes(inOrg(orgID)).Where("application_id IN ?", ids).
		Order("created_at, id").Find(&docs).Error; err != nil {
		return fmt.Errorf("read their documents: %w", err)
	}
	for _, row := range docs {
		a := index[row.ApplicationID]
		a.Documents = append(a.Documents, row.domain())
	}
	return nil
}

// SaveApplication implements banking.Repository.
func (r *BankingRepo) SaveApplication(ctx context.Context, a *banking.Application, individuals bool) error {
	err := r.s.WithTx(ctx, func(ctx context.Context) error {
		row := applicationRow(a)
		set := addressUpdates(a.Address, map[string]any{
			"status": row.Status, "email": row.Email, "phone": row.Phone,
			"first_name": row.FirstName, "last_name": row.LastName, "date_of_birth": row.DateOfBirth,
			"legal_name": row.LegalName, "registration_number": row.RegistrationNumber,
			"customer_id": row.CustomerID, "decision_reason": row.DecisionReason,
			"submitted_at": row.SubmittedAt, "decided_at": row.DecidedAt, "updated_at": row.UpdatedAt,
		})
		err := r.db(ctx).Model(&bankingApplicationRow{}).Scopes(inOrg(a.OrganizationID)).Where("id = ?", a.ID).Updates(set).Error
		if err != nil || !individuals {
			return err
		}
		err = r.db(ctx).Scopes(inOrg(a.OrganizationID)).Where("application_id = ?", a.ID).
			Delete(&bankingApplicationIndividualRow{}).Error
		if err != nil {
			return err
		}
		return r.insertApplicationIndividuals(ctx, a)
	})
	return errcode.Wrapf(err, "save application %s of organization %d", a.ID, a.OrganizationID)
}

// ListApplications implements banking.Repository.
func (r *BankingRepo) ListApplications(ctx context.Context, orgID int64, f banking.ApplicationFilter, after *banking.Position, limit int) ([]banking.Application, error) {
	q := r.db(ctx).Model(&bankingApplicationRow{}).Scopes(inOrg(orgID))
	if f.Status != nil {
		q = q.Where("banking_applications.status = ?", string(*f.Status))
	}
	var rows []bankingApplicationRow
	if err := keyset(q, "banking_applications", after, limit).Find(&rows).Error; err != nil {
		return nil, errcode.Wrapf(err, "list applications of organization %d", orgID)
	}
	apps := make([]banking.Application, len(rows))
	for i, row := range rows {
		apps[i] = row.domain()
	}
	return apps, errcode.Wrapf(r.loadApplicationParts(ctx, orgID, apps), "list applications of organization %d", orgID)
}

// CreateDocument implements banking.Repository.
func (r *BankingRepo) CreateDocument(ctx context.Context, d *banking.Document) error {
	row := bankingDocumentRow{
		ID: d.ID, OrganizationID: d.OrganizationID, ApplicationID: d.ApplicationID, Type: string(d.Type),
		FileName: d.FileName, ContentType: d.ContentType, Size: d.Size, SHA256: d.SHA256, Content: d.Content,
		CreatedAt: d.CreatedAt,
	}
	return errcode.Wrapf(r.db(ctx).Create(&row).Error, "create document %s of application %s of organization %d", d.ID, d.ApplicationID, d.OrganizationID)
}

// Document implements banking.Repository.
func (r *BankingRepo) Document(ctx context.Context, orgID int64, applicationID, id string) (banking.Document, error) {
	var row bankingDocumentRow
	err := r.db(ctx).Scopes(inOrg(orgID)).Where("application_id = ? AND id = ?", applicationID, id).Take(&row).Error
	if err != nil {
		return banking.Document{}, errcode.Wrapf(notFound(err, "document %s of application %s not found", id, applicationID),
			"read document %s of application %s of organization %d", id, applicationID, orgID)
	}
	return row.domain(), nil
}
