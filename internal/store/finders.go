package store

import (
	"context"

	"github.com/google/uuid"
	"github.com/openvest/openvest/internal/banking"
	"github.com/openvest/openvest/internal/errcode"
	"github.com/openvest/openvest/internal/wallet"
)

// FindCustomer implements wallet.Repository.
func (r *WalletRepo) FindCustomer(ctx context.Context, orgID int64, guid uuid.UUID) (wallet.Customer, error) {
	var row walletCustomerRow
	if err := r.db(ctx).Scopes(inOrg(orgID)).Where("guid = ?", guid.String()).Take(&row).Error; err != nil {
		return wallet.Customer{}, errcode.Wrapf(withReason(notFound(err, "customer %s not found", guid), wallet.ReasonCustomerNotFound),
			"find wallet customer %s in organization %d", guid, orgID)
	}
	c := row.domain()
	var cp walletCounterpartyRow
	if err := r.db(ctx).Scopes(inOrg(orgID)).Where("id = ?", c.CounterpartyID).Take(&cp).Error; err != nil {
		return wallet.Customer{}, errcode.Wrapf(err, "read counterparty %d of wallet customer %s in organization %d", c.CounterpartyID, guid, orgID)
	}
	c.CounterpartyGUID = cp.GUID
	return c, nil
}

// FindAccount implements wallet.Repository.
func (r *WalletRepo) FindAccount(ctx context.Context, orgID int64, guid uuid.UUID) (wallet.Account, error) {
	var row walletAccountRow
	if err := r.db(ctx).Scopes(inOrg(orgID)).Where("guid = ?", guid.String()).Take(&row).Error; err != nil {
		return wallet.Account{}, errcode.Wrapf(notFound(err, "wallet account %s not found", guid), "find wallet account %s in organization %d", guid, orgID)
	}
	a := row.domain()
	var c walletCustomerRow
	if err := r.db(ctx).Scopes(inOrg(orgID)).Where("id = ?", a.CustomerID).Take(&c).Error; err != nil {
		return wallet.Account{}, errcode.Wrapf(err, "read customer %d of wallet account %s in organization %d", a.CustomerID, guid, orgID)
	}
	a.CustomerGUID = c.GUID
	return a, nil
}

// FindIndividual implements banking.Repository.
func (r *BankingRepo) FindIndividual(ctx context.Context, orgID int64, id string) (banking.Individual, error) {
	var row bankingIndividualRow
	if err := r.db(ctx).Scopes(inOrg(orgID)).Where("id = ?", id).Take(&row).Error; err != nil {
		return banking.Individual{}, errcode.Wrapf(notFound(err, "individual %s not found", id), "find individual %s in organization %d", id, orgID)
	}
	return row.domain(), nil
}
