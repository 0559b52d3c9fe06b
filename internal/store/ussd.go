package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/openvest/openvest/internal/errcode"
	"github.com/openvest/openvest/internal/ussd"
)

// USSDRepo implements ussd.Repository.
type USSDRepo struct{ s *Store }

// USSD returns the USSD session repository of s.
func (s *Store) USSD() *USSDRepo { return &USSDRepo{s: s} }

var _ ussd.Repository = (*USSDRepo)(nil)

type ussdSessionRow struct {
	ID             string `gorm:"primaryKey"`
	OrganizationID int64
	CustomerID     int64
	State          string
	Data           string
	ExpiresAt      time.Time
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

func (ussdSessionRow) TableName() string { return "ussd_sessions" }

func ussdRow(x *ussd.Session) (ussdSessionRow, error) {
	data, err := json.Marshal(x.Data)
	if err != nil {
		return ussdSessionRow{}, fmt.Errorf("encoding USSD session data: %w", err)
	}
	return ussdSessionRow{ID: x.ID, OrganizationID: x.OrganizationID, CustomerID: x.CustomerID, State: string(x.State), Data: string(data),
		ExpiresAt: x.ExpiresAt, CreatedAt: x.CreatedAt, UpdatedAt: x.UpdatedAt}, nil
}

// WithTx implements txn.Transactor: the unit of work of the USSD service
// (see Store.WithTx).
func (r *USSDRepo) WithTx(ctx context.Context, fn func(ctx context.Context) error) error {
	return r.s.WithTx(ctx, fn)
}

// CreateSession implements ussd.Repository.
func (r *USSDRepo) CreateSession(ctx context.Context, x *ussd.Session) error {
	row, err := ussdRow(x)
	if err == nil {
		err = r.s.conn(ctx).Create(&row).Error
	}
	return errcode.Wrapf(err, "create USSD session %s of organization %d", x.ID, x.OrganizationID)
}

// SaveSession implements ussd.Repository.
func (r *USSDRepo) SaveSession(ctx context.Context, x *ussd.Session) error {
	row, err := ussdRow(x)
	if err == nil {
		err = r.s.conn(ctx).Model(&ussdSessionRow{}).Scopes(inOrg(x.OrganizationID)).Where("id = ?", x.ID).
			Updates(map[string]any{"state": row.State, "data": row.Data, "expires_at": row.ExpiresAt, "updated_at": row.UpdatedAt}).Error
	}
	return errcode.Wrapf(err, "save USSD session %s of organization %d", x.ID, x.OrganizationID)
}

// Session implements ussd.Repository.
func (r *USSDRepo) Session(ctx context.Context, orgID int64, id string, lock bool) (ussd.Session, error) {
	var row ussdSessionRow
	if err := r.s.lock(r.s.conn(ctx), lock).Scopes(inOrg(orgID)).Where("id = ?", id).Take(&row).Error; err != nil {
		return ussd.Session{}, errcode.Wrapf(notFound(err, "USSD session %s not found", id), "read USSD session %s of organization %d", id, orgID)
	}
	x := ussd.Session{ID: row.ID, OrganizationID: row.OrganizationID, CustomerID: row.CustomerID, State: ussd.State(row.State),
		ExpiresAt: row.ExpiresAt.UTC(), CreatedAt: row.CreatedAt.UTC(), UpdatedAt: row.UpdatedAt.UTC()}
	if err := json.Unmarshal([]byte(row.Data), &x.Data); err != nil {
		return ussd.Session{}, fmt.Errorf("read USSD session %s of organization %d: decode its data: %w", id, orgID, err)
	}
	return x, nil
}
