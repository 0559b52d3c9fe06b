package httpapi

import (
	"context"
	"strconv"

	"github.com/google/uuid"
	"github.com/openvest/openvest/gen/api"
	"github.com/openvest/openvest/internal/errcode"
	"github.com/openvest/openvest/internal/wallet"
)

// walletOrg returns the calling organization's id.
func walletOrg(ctx context.Context) (int64, error) {
	p, ok := principalFrom(ctx)
	if !ok {
		return 0, errcode.New(errcode.Unauthenticated, "not authenticated")
	}
	return p.Org.ID, nil
}

// walletPage turns offset and limit into a page request; the spec's
// defaults apply when they are absent.
func walletPage(offset, limit *int32) wallet.PageRequest {
	p := wallet.PageRequest{Offset: 0, Limit: 100}
	if offset != nil {
		p.Offset = int(*offset)
	}
	if limit != nil {
		p.Limit = int(*limit)
	}
	return p
}

func apiWalletCounterparty(c wallet.Counterparty) api.WalletCounterparty {
	return api.WalletCounterparty{CounterpartyGuid: c.GUID, Name: c.Name, CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt}
}

func apiWalletCustomer(c wallet.Customer) api.WalletCustomer {
	out := api.WalletCustomer{
		CustomerGuid: c.GUID, WalletUserGuid: c.GUID, CounterpartyGuid: c.CounterpartyGUID,
		Login: c.Login, Name: c.Name, Surname: c.Surname, PaternalName: c.PaternalName, PhoneNumber: c.PhoneNumber,
		Status: c.Status, KycLevel: c.KYCLevel, IsDisabled: c.IsDisabled, BranchGuid: c.BranchGUID,
		BalanceAllowed: c.BalanceAllowed, BalanceAssetCode: c.BalanceAssetCode, BalanceAssetIssuer: c.BalanceAssetIssuer,
		AssetCode: c.AssetCode, AssetIssuer: c.AssetIssuer, CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt,
	}
	if c.Segment != nil {
		s := string(*c.Segment)
		out.Segment = &s
	}
	return out
}

func apiWalletAssets(a wallet.Account) []api.WalletAsset {
	return mapSlice(a.Assets(), func(as wallet.Asset) api.WalletAsset {
		return api.WalletAsset{
			Activated: as.Activated, Balance: as.Balance, Code: as.Code, MinorUnit: as.MinorUnit, Name: as.Name,
			Platform: as.Platform, StellarCode: as.StellarCode, StellarIssuer: as.StellarIssuer,
		}
	})
}

func apiWalletAccount(a wallet.Account) api.WalletAccount {
	assets := apiWalletAssets(a)
	return api.WalletAccount{
		WalletAccountGuid: a.GUID, Guid: a.GUID, CustomerGuid: a.CustomerGUID, Iban: a.IBAN,
		Activated: a.Activated, Registered: a.Registered, Blocked: a.Blocked,
		Platform: wallet.Platform, Type: wallet.AccountType,
		Assets: assets, AssetsTotal: len(assets), CreatedAt: a.CreatedAt,
	}
}

func apiWalletCreatedCustomer(c wallet.Customer, a wallet.Account) api.WalletCreatedCustomer {
	assets := apiWalletAssets(a)
	return api.WalletCreatedCustomer{
		WalletAccountGuid: a.GUID, Guid: a.GUID, CustomerGuid: c.GUID, Name: c.Name, Iban: a.IBAN,
		Activated: a.Activated, Registered: a.Registered, Blocked: a.Blocked,
		Platform: wallet.Platform, Type: wallet.AccountType,
		Assets: assets, AssetsTotal: len(assets),
	}
}

// deref returns the slice a pointer holds, or nil.
func deref[T any](p *[]T) []T {
	if p == nil {
		return nil
	}
	return *p
}

func uuids(p *[]uuid.UUID) []uuid.UUID { return deref(p) }

// walletKYCLevels parses the kyc_levels filter: the source API types it as
// strings, the spec as decimal digits (so a number sent by a client is the
// same text).
func walletKYCLevels(p *[]string) ([]int, error) {
	var out []int
	for _, v := range deref(p) {
		n, err := strconv.Atoi(v)
		if err != nil {
			return nil, &errcode.Error{Code: errcode.Invalid, Message: "validation failed: kyc_levels: " + strconv.Quote(v) + " is not a KYC level: send its decimal digits",
				Fields: []errcode.FieldError{{Field: "kyc_levels", In: "query", Message: strconv.Quote(v) + " is not a KYC level: send its decimal digits"}}}
		}
		out = append(out, n)
	}
	return out, nil
}
