package store_test

import (
	"testing"

	"github.com/google/uuid"
	"github.com/openvest/openvest/internal/errcode"
	"github.com/openvest/openvest/internal/store"
	"github.com/openvest/openvest/internal/wallet"
	"github.com/stretchr/testify/require"
)

// TestFinders: a wallet customer or account, and a banking individual,
// are found by their id alone within their organization (with the
// parent's guid a wallet resource's API form needs), and another
// organization's ids find nothing.
func TestFinders(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, s *store.Store) {
		f := setupWallet(t, s)
		c := f.walletCustomer(t, f.sibling, wallet.Customer{})
		a := f.walletAccount(t, c, nil)
		theirs := f.walletCustomer(t, f.otherOrgCp, wallet.Customer{})
		theirAccount := f.walletAccount(t, theirs, nil)

		got, err := f.repo.FindCustomer(f.ctx, f.org, c.GUID)
		require.NoError(t, err)
		require.Equal(t, c.ID, got.ID)
		require.Equal(t, f.sibling.GUID, got.CounterpartyGUID, "with its counterparty's guid")
		acc, err := f.repo.FindAccount(f.ctx, f.org, a.GUID)
		require.NoError(t, err)
		require.Equal(t, a.ID, acc.ID)
		require.Equal(t, c.GUID, acc.CustomerGUID, "with its customer's guid")

		_, err = f.repo.FindCustomer(f.ctx, f.org, theirs.GUID)
		requireReason(t, err, errcode.NotFound, wallet.ReasonCustomerNotFound)
		_, err = f.repo.FindCustomer(f.ctx, f.org, uuid.New())
		requireCode(t, err, errcode.NotFound)
		_, err = f.repo.FindAccount(f.ctx, f.org, theirAccount.GUID)
		requireCode(t, err, errcode.NotFound)

		repo := s.Banking()
		bc := f.bankCustomer(t, f.org, bankCustomerOpts{})
		ind := bc.Individuals[0]
		found, err := repo.FindIndividual(f.ctx, f.org, ind.ID)
		require.NoError(t, err)
		require.Equal(t, [3]string{ind.ID, ind.CustomerID, ind.FirstName}, [3]string{found.ID, found.CustomerID, found.FirstName})
		_, err = repo.FindIndividual(f.ctx, f.other, ind.ID)
		requireCode(t, err, errcode.NotFound)
	})
}
