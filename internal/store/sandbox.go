package store

import (
	"context"
	"fmt"
	"time"

	"github.com/openvest/openvest/internal/errcode"
	"github.com/openvest/openvest/internal/sandbox"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// ResetTables are the tables whose rows of an organization a reset
// deletes, in this order: each table's rows before those of the tables
// its foreign keys point to. The list totals (list_counts, list_buckets)
// come last: the triggers of the tables before them have already brought
// the organization's counts to zero, and deleting them leaves no rows of
// zeros behind. A table with an organization_id column is in this list
// or in KeepTables (TestResetCoversEveryTable).
var ResetTables = []string{
	// webhooks: dispatches list deliveries; deliveries refer to events and webhooks
	"webhook_dispatches", "webhook_deliveries", "webhook_events", "webhooks",
	// investing: transactions → requests → assets → portfolios → accounts → customers
	"transactions", "requests", "assets", "reports", "ussd_sessions", "portfolios", "accounts", "customers",
	// wallet
	"wallet_accounts", "wallet_customers", "wallet_counterparties",
	// banking: accounts and individuals → customers → applications (and theirs)
	"banking_accounts", "banking_individuals", "banking_customers",
	"banking_documents", "banking_application_individuals", "banking_applications",
	// sandbox state and the request inspector's records
	"idempotency_keys", "sandbox_clocks", "sandbox_prices", "sandbox_faults", "inspected_requests",
	// the maintained list totals
	"list_counts", "list_buckets",
}

// PostgresOnlyTables are tables of ResetTables that only the PostgreSQL
// schema has (SQLite counts its lists instead of keeping totals).
var PostgresOnlyTables = map[string]bool{"list_counts": true, "list_buckets": true}

// KeepTables are the tables with an organization_id column whose rows a
// reset keeps: the organization's credentials, tokens, request signing
// keys and investment types.
var KeepTables = []string{"access_tokens", "signing_keys", "organization_investment_types"}

// SandboxRepo implements sandbox.Repository.
type SandboxRepo struct{ s *Store }

// Sandbox returns the repository of the sandbox controls.
func (s *Store) Sandbox() *SandboxRepo { return &SandboxRepo{s: s} }

var _ sandbox.Repository = (*SandboxRepo)(nil)

// ResetOrganization implements sandbox.Repository: one DELETE per table
// of ResetTables, in the transaction ctx carries (or one of its own).
func (r *SandboxRepo) ResetOrganization(ctx context.Context, orgID int64) (map[string]int64, error) {
	deleted := map[string]int64{}
	err := r.s.WithTx(ctx, func(ctx context.Context) error {
		db := r.s.conn(ctx)
		for _, t := range ResetTables {
			if PostgresOnlyTables[t] && r.s.Dialect != Postgres {
				continue
			}
			res := db.Table(t).Scopes(inOrg(orgID)).Delete(map[string]any{})
			if res.Error != nil {
				return fmt.Errorf("delete the organization's %s: %w", t, res.Error)
			}
			if res.RowsAffected > 0 && !PostgresOnlyTables[t] {
				deleted[t] = res.RowsAffected
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reset organization %d: %w", orgID, err)
	}
	return deleted, nil
}

type sandboxFaultRow struct {
	ID             int64 `gorm:"primaryKey"`
	OrganizationID int64
	Target         string
	OperationID    *string
	Method         *string
	Path           *string
	Event          *string
	WebhookID      *int64
	Action         string
	Status         *int
	Message        *string
	LatencyMs      *int
	Times          *int
	Remaining      *int
	ProbabilityPPM *int `gorm:"column:probability_ppm"`
	ExpiresAt      time.Time
	CreatedAt      time.Time
}

func (sandboxFaultRow) TableName() string { return "sandbox_faults" }

func optString(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func optInt(n int) *int {
	if n == 0 {
		return nil
	}
	return &n
}

func faultRow(f *sandbox.Rule) sandboxFaultRow {
	return sandboxFaultRow{
		ID: f.ID, OrganizationID: f.OrganizationID, Target: string(f.Target),
		OperationID: optString(f.OperationID), Method: optString(f.Method), Path: optString(f.Path),
		Event: optString(f.Event), WebhookID: f.WebhookID, Action: string(f.Action),
		Status: optInt(f.Status), Message: optString(f.Message), LatencyMs: optInt(int(f.Latency / time.Millisecond)),
		Times: f.Times, Remaining: f.Remaining, ProbabilityPPM: optInt(f.ProbabilityPPM),
		ExpiresAt: f.ExpiresAt, CreatedAt: f.CreatedAt,
	}
}

func (row sandboxFaultRow) domain() sandbox.Rule {
	deref := func(p *string) string {
		if p == nil {
			return ""
		}
		return *p
	}
	n := func(p *int) int {
		if p == nil {
			return 0
		}
		return *p
	}
	return sandbox.Rule{
		ID: row.ID, OrganizationID: row.OrganizationID, Target: sandbox.Target(row.Target),
		OperationID: deref(row.OperationID), Method: deref(row.Method), Path: deref(row.Path),
		Event: deref(row.Event), WebhookID: row.WebhookID, Action: sandbox.Action(row.Action),
		Status: n(row.Status), Message: deref(row.Message), Latency: time.Duration(n(row.LatencyMs)) * time.Millisecond,
		Times: row.Times, Remaining: row.Remaining, ProbabilityPPM: n(row.ProbabilityPPM),
		ExpiresAt: row.ExpiresAt.UTC(), CreatedAt: row.CreatedAt.UTC(),
	}
}

// active scopes a query of sandbox_faults to the organization's rules
// active at now.
func active(q *gorm.DB, orgID int64, now time.Time) *gorm.DB {
	return q.Scopes(inOrg(orgID)).Where("expires_at > ? AND (remaining IS NULL OR remaining > 0)", now)
}

// CreateFault implements sandbox.Repository. The count of active rules
// and the insert run in one transaction; on PostgreSQL the organization's
// row is locked first so that concurrent creations cannot pass the limit
// together.
func (r *SandboxRepo) CreateFault(ctx context.Context, f *sandbox.Rule, now time.Time) error {
	return r.s.WithTx(ctx, func(ctx context.Context) error {
		db := r.s.conn(ctx)
		if r.s.Dialect == Postgres {
			if err := db.Exec("SELECT 1 FROM organizations WHERE id = ? FOR UPDATE", f.OrganizationID).Error; err != nil {
				return fmt.Errorf("lock organization %d: %w", f.OrganizationID, err)
			}
		}
		var n int64
		if err := active(db.Model(&sandboxFaultRow{}), f.OrganizationID, now).Count(&n).Error; err != nil {
			return fmt.Errorf("count active fault rules: %w", err)
		}
		if n >= sandbox.MaxActive {
			return errcode.New(errcode.Conflict, "the organization has %d active fault rules, the most there may be; delete one first", n)
		}
		row := faultRow(f)
		if err := db.Create(&row).Error; err != nil {
			return fmt.Errorf("insert fault rule: %w", err)
		}
		f.ID = row.ID
		return nil
	})
}

// Faults implements sandbox.Repository.
func (r *SandboxRepo) Faults(ctx context.Context, orgID int64, now time.Time) ([]sandbox.Rule, error) {
	var rows []sandboxFaultRow
	if err := active(r.s.conn(ctx), orgID, now).Order("id").Limit(sandbox.MaxActive * 2).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("read fault rules of organization %d: %w", orgID, err)
	}
	out := make([]sandbox.Rule, len(rows))
	for i, row := range rows {
		out[i] = row.domain()
	}
	return out, nil
}

// DeleteFault implements sandbox.Repository.
func (r *SandboxRepo) DeleteFault(ctx context.Context, orgID, id int64, now time.Time) error {
	res := active(r.s.conn(ctx), orgID, now).Where("id = ?", id).Delete(&sandboxFaultRow{})
	if res.Error != nil {
		return fmt.Errorf("delete fault rule %d: %w", id, res.Error)
	}
	if res.RowsAffected == 0 {
		return errcode.New(errcode.NotFound, "fault rule %d not found", id)
	}
	return nil
}

// PurgeFaults implements sandbox.Repository.
func (r *SandboxRepo) PurgeFaults(ctx context.Context, now time.Time) (int64, error) {
	res := r.s.conn(ctx).Where("expires_at <= ? OR remaining = 0", now).Delete(&sandboxFaultRow{})
	if res.Error != nil {
		return 0, fmt.Errorf("delete expired and used-up fault rules: %w", res.Error)
	}
	return res.RowsAffected, nil
}

// ConsumeFault implements sandbox.Repository with one UPDATE … RETURNING:
// concurrent requests each take one application, and no more are taken
// than remain.
func (r *SandboxRepo) ConsumeFault(ctx context.Context, orgID, id int64, now time.Time) (int, bool, error) {
	var row sandboxFaultRow
	res := r.s.conn(ctx).Model(&row).Clauses(clause.Returning{Columns: []clause.Column{{Name: "remaining"}}}).
		Scopes(inOrg(orgID)).Where("id = ? AND remaining > 0 AND expires_at > ?", id, now).
		Update("remaining", gorm.Expr("remaining - 1"))
	if res.Error != nil {
		return 0, false, fmt.Errorf("take an application of fault rule %d: %w", id, res.Error)
	}
	if res.RowsAffected == 0 || row.Remaining == nil {
		return 0, false, nil
	}
	return *row.Remaining, true, nil
}

// OrganizationTables lists the tables of the database that have an
// organization_id column, sorted (what ResetTables and KeepTables must
// cover between them).
func (s *Store) OrganizationTables(ctx context.Context) ([]string, error) {
	var tables []string
	q := `SELECT table_name FROM information_schema.columns
WHERE table_schema = current_schema() AND column_name = 'organization_id' ORDER BY table_name`
	if s.Dialect == SQLite {
		q = `SELECT m.name FROM sqlite_master m, pragma_table_info(m.name) c
WHERE m.type = 'table' AND c.name = 'organization_id' ORDER BY m.name`
	}
	if err := s.conn(ctx).Raw(q).Scan(&tables).Error; err != nil {
		return nil, fmt.Errorf("list the tables with an organization_id column: %w", err)
	}
	return tables, nil
}
