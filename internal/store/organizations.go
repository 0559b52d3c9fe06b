package store

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/openvest/openvest/internal/auth"
	"github.com/openvest/openvest/internal/errcode"
	"gorm.io/gorm"
)

type organizationRow struct {
	ID               int64 `gorm:"primaryKey"`
	Name             string
	ClientID         string
	ClientSecretHash []byte
	Sandbox          bool
	SignaturePolicy  string
	CreatedAt        time.Time
	UpdatedAt        time.Time
}

func (organizationRow) TableName() string { return "organizations" }

type signingKeyRow struct {
	ID             int64 `gorm:"primaryKey"`
	OrganizationID int64
	KeyID          string
	PublicKey      []byte
	CreatedAt      time.Time
	RevokedAt      *time.Time
}

func (signingKeyRow) TableName() string { return "signing_keys" }

func (k signingKeyRow) domain() auth.SigningKey {
	out := auth.SigningKey{ID: k.ID, OrganizationID: k.OrganizationID, KeyID: k.KeyID, PublicKey: k.PublicKey, CreatedAt: k.CreatedAt.UTC()}
	if k.RevokedAt != nil {
		t := k.RevokedAt.UTC()
		out.RevokedAt = &t
	}
	return out
}

type organizationInvestmentTypeRow struct {
	OrganizationID int64
	InvestmentType string
	IsDefault      bool
}

func (organizationInvestmentTypeRow) TableName() string { return "organization_investment_types" }

type accessTokenRow struct {
	ID             int64 `gorm:"primaryKey"`
	OrganizationID int64
	TokenHash      []byte
	CreatedAt      time.Time
	ExpiresAt      time.Time
	RevokedAt      *time.Time
}

func (accessTokenRow) TableName() string { return "access_tokens" }

// AuthRepo implements auth.Repository.
type AuthRepo struct{ s *Store }

// Auth returns the auth repository of s.
func (s *Store) Auth() *AuthRepo { return &AuthRepo{s: s} }

// WithTx implements txn.Transactor: the unit of work of the auth service
// (see Store.WithTx).
func (r *AuthRepo) WithTx(ctx context.Context, fn func(ctx context.Context) error) error {
	return r.s.WithTx(ctx, fn)
}

var _ auth.Repository = (*AuthRepo)(nil)

// CreateOrganization implements auth.Repository.
func (r *AuthRepo) CreateOrganization(ctx context.Context, o *auth.Organization, secretHash []byte) error {
	err := r.s.WithTx(ctx, func(ctx context.Context) error {
		row := organizationRow{Name: o.Name, ClientID: o.ClientID, ClientSecretHash: secretHash, Sandbox: o.Sandbox, SignaturePolicy: string(o.SignaturePolicy), CreatedAt: o.CreatedAt, UpdatedAt: o.CreatedAt}
		if err := r.s.conn(ctx).Create(&row).Error; err != nil {
			return err
		}
		o.ID = row.ID
		if len(o.InvestmentTypes) == 0 {
			return nil
		}
		types := make([]organizationInvestmentTypeRow, len(o.InvestmentTypes))
		for i, t := range o.InvestmentTypes {
			types[i] = organizationInvestmentTypeRow{OrganizationID: row.ID, InvestmentType: t, IsDefault: slices.Contains(o.DefaultInvestmentTypes, t)}
		}
		return r.s.conn(ctx).Create(&types).Error
	})
	return errcode.Wrapf(err, "create organization %q", o.ClientID)
}

// OrganizationByClientID implements auth.Repository.
func (r *AuthRepo) OrganizationByClientID(ctx context.Context, clientID string) (auth.Organization, []byte, error) {
	var row organizationRow
	err := r.s.conn(ctx).Where("client_id = ?", clientID).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		// The same statements as for a known client id (its investment
		// types, here none): an unknown client id takes as long to refuse.
		_, _ = r.withTypes(ctx, organizationRow{})
	}
	if err != nil {
		return auth.Organization{}, nil, errcode.Wrapf(notFound(err, "no organization with client id %q", clientID), "read the organization of client id %q", clientID)
	}
	o, err := r.withTypes(ctx, row)
	return o, row.ClientSecretHash, errcode.Wrapf(err, "read the investment types of organization %d", row.ID)
}

// CountOrganizations implements auth.Repository.
func (r *AuthRepo) CountOrganizations(ctx context.Context) (int64, error) {
	var n int64
	err := r.s.conn(ctx).Model(&organizationRow{}).Count(&n).Error
	return n, errcode.Wrapf(err, "count the organizations")
}

// CreateToken implements auth.Repository.
func (r *AuthRepo) CreateToken(ctx context.Context, t *auth.Token) error {
	row := accessTokenRow{OrganizationID: t.OrganizationID, TokenHash: t.Hash, CreatedAt: t.CreatedAt, ExpiresAt: t.ExpiresAt}
	if err := r.s.conn(ctx).Create(&row).Error; err != nil {
		return errcode.Wrapf(err, "create an access token of organization %d", t.OrganizationID)
	}
	t.ID = row.ID
	return nil
}

// tokenOrgRow is one row of the token look-up: the token, its organization
// and one of the organization's investment types (NULL when it has none).
type tokenOrgRow struct {
	ID             int64
	OrganizationID int64
	TokenHash      []byte
	CreatedAt      time.Time
	ExpiresAt      time.Time
	RevokedAt      *time.Time
	OrgName        string
	OrgClientID    string
	OrgSandbox     bool
	OrgPolicy      string
	OrgCreatedAt   time.Time
	InvestmentType *string
	IsDefault      *bool
}

// TokenByHash implements auth.Repository in one round trip: the token joined
// to its organization and the organization's investment types.
func (r *AuthRepo) TokenByHash(ctx context.Context, hash []byte) (auth.Token, auth.Organization, error) {
	var rows []tokenOrgRow
	err := r.s.conn(ctx).Raw(`
SELECT t.id, t.organization_id, t.token_hash, t.created_at, t.expires_at, t.revoked_at,
       o.name AS org_name, o.client_id AS org_client_id, o.sandbox AS org_sandbox, o.signature_policy AS org_policy, o.created_at AS org_created_at,
       oit.investment_type, oit.is_default
FROM access_tokens t
JOIN organizations o ON o.id = t.organization_id
LEFT JOIN organization_investment_types oit ON oit.organization_id = o.id
LEFT JOIN investment_types it ON it.name = oit.investment_type
WHERE t.token_hash = ?
ORDER BY it.id`, hash).Scan(&rows).Error
	if err != nil {
		return auth.Token{}, auth.Organization{}, errcode.Wrapf(err, "read an access token by its hash")
	}
	if len(rows) == 0 {
		return auth.Token{}, auth.Organization{}, errcode.New(errcode.NotFound, "no such token")
	}
	t := rows[0]
	o := auth.Organization{ID: t.OrganizationID, Name: t.OrgName, ClientID: t.OrgClientID, Sandbox: t.OrgSandbox, SignaturePolicy: auth.Policy(t.OrgPolicy), CreatedAt: t.OrgCreatedAt.UTC()}
	for _, row := range rows {
		if row.InvestmentType != nil {
			o.InvestmentTypes = append(o.InvestmentTypes, *row.InvestmentType)
			if row.IsDefault != nil && *row.IsDefault {
				o.DefaultInvestmentTypes = append(o.DefaultInvestmentTypes, *row.InvestmentType)
			}
		}
	}
	return auth.Token{ID: t.ID, OrganizationID: t.OrganizationID, Hash: t.TokenHash, CreatedAt: t.CreatedAt, ExpiresAt: t.ExpiresAt, RevokedAt: t.RevokedAt}, o, nil
}

// RevokeToken implements auth.Repository.
func (r *AuthRepo) RevokeToken(ctx context.Context, orgID, tokenID int64, at time.Time) (auth.Token, bool, error) {
	res := r.s.conn(ctx).Model(&accessTokenRow{}).Scopes(inOrg(orgID)).Where("id = ? AND revoked_at IS NULL", tokenID).
		Update("revoked_at", at)
	if res.Error != nil {
		return auth.Token{}, false, errcode.Wrapf(res.Error, "revoke access token %d of organization %d", tokenID, orgID)
	}
	var row accessTokenRow
	if err := r.s.conn(ctx).Scopes(inOrg(orgID)).Where("id = ?", tokenID).Take(&row).Error; err != nil {
		return auth.Token{}, false, errcode.Wrapf(notFound(err, "access token %d not found", tokenID), "revoke access token %d of organization %d", tokenID, orgID)
	}
	t := auth.Token{ID: row.ID, OrganizationID: row.OrganizationID, Hash: row.TokenHash, CreatedAt: row.CreatedAt.UTC(), ExpiresAt: row.ExpiresAt.UTC()}
	if row.RevokedAt != nil {
		ra := row.RevokedAt.UTC()
		t.RevokedAt = &ra
	}
	return t, res.RowsAffected == 1, nil
}

// DeleteExpiredTokens removes tokens that expired before cutoff.
func (r *AuthRepo) DeleteExpiredTokens(ctx context.Context, cutoff time.Time) (int64, error) {
	// SQLite compares the stored UTC text: the cutoff must be UTC too.
	res := r.s.conn(ctx).Where("expires_at < ?", cutoff.UTC()).Delete(&accessTokenRow{})
	return res.RowsAffected, errcode.Wrapf(res.Error, "delete the access tokens of every organization expired before %s", cutoff.UTC().Format(time.RFC3339))
}

func (r *AuthRepo) withTypes(ctx context.Context, row organizationRow) (auth.Organization, error) {
	o := auth.Organization{ID: row.ID, Name: row.Name, ClientID: row.ClientID, Sandbox: row.Sandbox, SignaturePolicy: auth.Policy(row.SignaturePolicy), CreatedAt: row.CreatedAt.UTC()}
	var types []organizationInvestmentTypeRow
	err := r.s.conn(ctx).Table("organization_investment_types AS oit").
		Select("oit.investment_type, oit.is_default").
		Joins("JOIN investment_types it ON it.name = oit.investment_type").
		Scopes(inOrg(row.ID)).Order("it.id").Scan(&types).Error
	for _, t := range types {
		o.InvestmentTypes = append(o.InvestmentTypes, t.InvestmentType)
		if t.IsDefault {
			o.DefaultInvestmentTypes = append(o.DefaultInvestmentTypes, t.InvestmentType)
		}
	}
	return o, err
}

// SetSignaturePolicy implements auth.Repository.
func (r *AuthRepo) SetSignaturePolicy(ctx context.Context, orgID int64, p auth.Policy) error {
	res := r.s.conn(ctx).Model(&organizationRow{}).Where("id = ?", orgID).Update("signature_policy", string(p))
	err := res.Error
	if err == nil && res.RowsAffected == 0 {
		err = errcode.New(errcode.NotFound, "organization %d not found", orgID)
	}
	return errcode.Wrapf(err, "set the signature policy of organization %d", orgID)
}

// CreateKey implements auth.Repository.
func (r *AuthRepo) CreateKey(ctx context.Context, k *auth.SigningKey) error {
	row := signingKeyRow{OrganizationID: k.OrganizationID, KeyID: k.KeyID, PublicKey: k.PublicKey, CreatedAt: k.CreatedAt}
	if err := r.s.conn(ctx).Create(&row).Error; err != nil {
		if _, ok := uniqueViolation(err); ok {
			err = errcode.New(errcode.Conflict, "the organization already has a key %q; revoke it or choose another key id", k.KeyID)
		}
		return errcode.Wrapf(err, "create signing key %q of organization %d", k.KeyID, k.OrganizationID)
	}
	k.ID = row.ID
	return nil
}

// Keys implements auth.Repository.
func (r *AuthRepo) Keys(ctx context.Context, orgID int64) ([]auth.SigningKey, error) {
	var rows []signingKeyRow
	if err := r.s.conn(ctx).Scopes(inOrg(orgID)).Order("id").Find(&rows).Error; err != nil {
		return nil, errcode.Wrapf(err, "list the signing keys of organization %d", orgID)
	}
	return mapRows(rows, signingKeyRow.domain), nil
}

// Key implements auth.Repository.
func (r *AuthRepo) Key(ctx context.Context, orgID int64, keyID string) (auth.SigningKey, error) {
	var row signingKeyRow
	err := r.s.conn(ctx).Scopes(inOrg(orgID)).Where("key_id = ?", keyID).Take(&row).Error
	if err != nil {
		return auth.SigningKey{}, errcode.Wrapf(notFound(err, "key %q not found", keyID), "read signing key %q of organization %d", keyID, orgID)
	}
	return row.domain(), nil
}

// RevokeKey implements auth.Repository.
func (r *AuthRepo) RevokeKey(ctx context.Context, orgID int64, keyID string, at time.Time) error {
	k, err := r.Key(ctx, orgID, keyID)
	if err != nil || k.RevokedAt != nil {
		return err // wrapped by Key
	}
	err = r.s.conn(ctx).Model(&signingKeyRow{}).Scopes(inOrg(orgID)).Where("id = ?", k.ID).Update("revoked_at", at).Error
	return errcode.Wrapf(err, "revoke signing key %q of organization %d", keyID, orgID)
}
