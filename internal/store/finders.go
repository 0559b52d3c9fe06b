package store

import (
	"context"

	"github.com/google/uuid"
	"github.com/openvest/openvest/internal/banking"
	"github.com/openvest/openvest/internal/wallet"
)

// FindCustomer implements wallet.Repository.
func (r *WalletRepo) FindCustomer(ctx context.Context, orgID int64, guid uuid.UUID) (wallet.Customer, error) {
	var row walletCustomerRow
	if err := r.db(ctx).Where("organization_id = ? AND guid = ?", orgID, guid.String()).Take(&row).Error; err != nil {
		return wallet.Customer{}, withReason(notFound(err, "customer %s not found", guid), wallet.ReasonCustomerNotFound)
	}
	c := row.domain()
	var cp walletCounterpartyRow
	if err := r.db(ctx).Where("organization_id = ? AND id = ?", orgID, c.CounterpartyID).Take(&cp).Error; err != nil {
		return wallet.Customer{}, err
	}
	c.CounterpartyGUID = cp.GUID
	return c, nil
}

// FindAccount implements wallet.Repository.
func (r *WalletRepo) FindAccount(ctx context.Context, orgID int64, guid uuid.UUID) (wallet.Account, error) {
	var row walletAccountRow
	if err := r.db(ctx).Where("organization_id = ? AND guid = ?", orgID, guid.String()).Take(&row).Error; err != nil {
		return wallet.Account{}, notFound(err, "wallet account %s not found", guid)
	}
	a := row.domain()
	var c walletCustomerRow
	if err := r.db(ctx).Where("organization_id = ? AND id = ?", orgID, a.CustomerID).Take(&c).Error; err != nil {
		return wallet.Account{}, err
	}
	a.CustomerGUID = c.GUID
	return a, nil
}

// FindIndividual implements banking.Repository.
func (r *BankingRepo) FindIndividual(ctx context.Context, orgID int64, id string) (banking.Individual, error) {
	var row bankingIndividualRow
	if err := r.db(ctx).Where("organization_id = ? AND id = ?", orgID, id).Take(&row).Error; err != nil {
		return banking.Individual{}, notFound(err, "individual %s not found", id)
	}
	return row.domain(), nil
}
