package store

import (
	"context"
	"strings"
	"time"

	"github.com/openvest/openvest/internal/errcode"
	"github.com/openvest/openvest/internal/investing"
	"github.com/openvest/openvest/internal/reports"
	"gorm.io/gorm"
)

// ReportsRepo implements reports.Repository.
type ReportsRepo struct{ s *Store }

// Reports returns the reports repository of s.
func (s *Store) Reports() *ReportsRepo { return &ReportsRepo{s: s} }

var _ reports.Repository = (*ReportsRepo)(nil)

func (r *ReportsRepo) db(ctx context.Context) *gorm.DB { return r.s.conn(ctx) }

// WithTx implements txn.Transactor: the unit of work of the reports service
// (see Store.WithTx).
func (r *ReportsRepo) WithTx(ctx context.Context, fn func(ctx context.Context) error) error {
	return r.s.WithTx(ctx, fn)
}

type reportRow struct {
	ID                 int64 `gorm:"primaryKey"`
	OrganizationID     int64
	ReportTypes        string
	Format             string
	URL                *string `gorm:"column:url"`
	Email              *string
	Status             string
	ErrorReason        *string
	Content            []byte
	ContentType        *string
	RowCount           int
	DeliveryStatus     string
	DeliveryAttempts   int
	DeliveryStatusCode *int
	DeliveryError      *string
	DeliveryKeyID      *string `gorm:"column:delivery_key_id"`
	DeliveredAt        *time.Time
	CompletedAt        *time.Time
	CreatedAt          time.Time
	UpdatedAt          time.Time
	ContentSize        int64
}

func (reportRow) TableName() string { return "reports" }

func (x reportRow) domain() reports.Report {
	var types []reports.Type
	for _, t := range strings.Split(x.ReportTypes, ",") {
		types = append(types, reports.Type(t))
	}
	r := reports.Report{
		ID: x.ID, OrganizationID: x.OrganizationID, Types: types, Format: reports.Format(x.Format), URL: x.URL, Email: x.Email,
		Status: reports.Status(x.Status), ErrorReason: x.ErrorReason, Content: x.Content, Rows: x.RowCount, Size: x.ContentSize,
		Delivery: reports.Delivery{
			Status: reports.DeliveryStatus(x.DeliveryStatus), Attempts: x.DeliveryAttempts, StatusCode: x.DeliveryStatusCode,
			Error: x.DeliveryError, KeyID: x.DeliveryKeyID, DeliveredAt: utcPtr(x.DeliveredAt),
		},
		CompletedAt: utcPtr(x.CompletedAt), CreatedAt: x.CreatedAt.UTC(), UpdatedAt: x.UpdatedAt.UTC(),
	}
	if x.ContentType != nil {
		r.ContentType = *x.ContentType
	}
	return r
}

func reportFromDomain(r *reports.Report) reportRow {
	types := make([]string, len(r.Types))
	for i, t := range r.Types {
		types[i] = string(t)
	}
	row := reportRow{
		ID: r.ID, OrganizationID: r.OrganizationID, ReportTypes: strings.Join(types, ","), Format: string(r.Format), URL: r.URL, Email: r.Email,
		Status: string(r.Status), ErrorReason: r.ErrorReason, Content: r.Content, RowCount: r.Rows, ContentSize: r.Size,
		DeliveryStatus: string(r.Delivery.Status), DeliveryAttempts: r.Delivery.Attempts, DeliveryStatusCode: r.Delivery.StatusCode,
		DeliveryError: r.Delivery.Error, DeliveryKeyID: r.Delivery.KeyID, DeliveredAt: r.Delivery.DeliveredAt,
		CompletedAt: r.CompletedAt, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt,
	}
	if r.ContentType != "" {
		row.ContentType = &r.ContentType
	}
	return row
}

// CreateReport implements reports.Repository.
func (r *ReportsRepo) CreateReport(ctx context.Context, rep *reports.Report) error {
	row := reportFromDomain(rep)
	if err := r.db(ctx).Create(&row).Error; err != nil {
		return errcode.Wrapf(err, "create a report of organization %d", rep.OrganizationID)
	}
	rep.ID = row.ID
	return nil
}

// Report implements reports.Repository.
func (r *ReportsRepo) Report(ctx context.Context, orgID, id int64, content, lock bool) (reports.Report, error) {
	var row reportRow
	q := r.db(ctx)
	if !content {
		q = q.Omit("content")
	}
	err := r.s.lock(q, lock).Scopes(inOrg(orgID)).Where("id = ?", id).Take(&row).Error
	if err != nil {
		return reports.Report{}, errcode.Wrapf(notFound(err, "report %d not found", id), "read report %d of organization %d", id, orgID)
	}
	return row.domain(), nil
}

// SaveReport implements reports.Repository: it writes everything but the
// file, and the file once it exists.
func (r *ReportsRepo) SaveReport(ctx context.Context, rep *reports.Report) error {
	row := reportFromDomain(rep)
	cols := []string{"status", "error_reason", "row_count", "delivery_status", "delivery_attempts", "delivery_status_code",
		"delivery_error", "delivery_key_id", "delivered_at", "completed_at", "updated_at"}
	if rep.Content != nil {
		cols = append(cols, "content", "content_type", "content_size")
	}
	err := r.db(ctx).Model(&reportRow{}).Scopes(inOrg(rep.OrganizationID)).Where("id = ?", rep.ID).
		Select(cols).Updates(&row).Error
	return errcode.Wrapf(err, "save report %d of organization %d", rep.ID, rep.OrganizationID)
}

// ListReports implements reports.Repository.
func (r *ReportsRepo) ListReports(ctx context.Context, orgID int64, p investing.PageRequest) (investing.Page[reports.Report], error) {
	q := r.db(ctx).Model(&reportRow{}).Omit("content").Scopes(inOrg(orgID))
	page, err := list(q, "reports", p, reportRow.domain)
	return page, errcode.Wrapf(err, "list reports of organization %d", orgID)
}
