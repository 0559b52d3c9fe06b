// Package reports produces the organization's reports (POST /v1/reports):
// a job builds each one from the organization's data — USER: the
// customers and their holdings; TRANSACTION: every transaction;
// REGULATORY: the trade blotter of executed trades — as CSV or JSON,
// keeps the file with the report, and POSTs it to the report's url when
// one was given, signed like a webhook delivery. E-mail is not sent.
package reports

import (
	"context"
	"time"

	"github.com/openvest/openvest/internal/investing"
	"github.com/openvest/openvest/internal/txn"
)

// Type is a kind of report section.
type Type string

// The report types.
const (
	User        Type = "USER"
	Transaction Type = "TRANSACTION"
	Regulatory  Type = "REGULATORY"
)

// Format is a report file's format.
type Format string

// The formats.
const (
	CSV  Format = "CSV"
	JSON Format = "JSON"
)

// Status is where a report is.
type Status string

// The statuses.
const (
	Pending   Status = "PENDING"
	Completed Status = "COMPLETED"
	Failed    Status = "ERROR"
)

// DeliveryStatus is where the POST of a report to its url is.
type DeliveryStatus string

// The delivery statuses.
const (
	NoDelivery      DeliveryStatus = "NONE" // no url
	DeliveryPending DeliveryStatus = "PENDING"
	Delivered       DeliveryStatus = "DELIVERED"
	DeliveryFailed  DeliveryStatus = "FAILED"
)

// MaxDeliveryAttempts bounds the POSTs of one report.
const MaxDeliveryAttempts = 5

// MaxRows bounds the rows of one report; a bigger one ends in ERROR.
const MaxRows = 100_000

// Report is one report.
type Report struct {
	ID             int64
	OrganizationID int64
	Types          []Type
	Format         Format
	URL, Email     *string
	Status         Status
	ErrorReason    *string
	Content        []byte // the file, once COMPLETED (read only when asked for)
	ContentType    string
	Size           int64
	Rows           int
	Delivery       Delivery
	CompletedAt    *time.Time
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// Delivery is the POST of a report to its url.
type Delivery struct {
	Status      DeliveryStatus
	Attempts    int
	StatusCode  *int
	Error       *string
	KeyID       *string
	DeliveredAt *time.Time
}

// Repository stores reports, scoped by organization (another's is NotFound).
type Repository interface {
	txn.Transactor // opens the service's units of work
	// CreateReport inserts r and sets its ID.
	CreateReport(ctx context.Context, r *Report) error
	// Report reads one; content loads the file too; lock holds it. NotFound.
	Report(ctx context.Context, orgID, id int64, content, lock bool) (Report, error)
	// SaveReport writes r's status, file, delivery and times.
	SaveReport(ctx context.Context, r *Report) error
	// ListReports returns one page, newest last (files not loaded).
	ListReports(ctx context.Context, orgID int64, p investing.PageRequest) (investing.Page[Report], error)
}

// Scheduler runs a report's job: inserted in the transaction ctx carries,
// to run after delay.
type Scheduler interface {
	ScheduleReport(ctx context.Context, orgID, reportID int64, delay time.Duration) error
}
