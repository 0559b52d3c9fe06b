package httpapi

import (
	"context"

	"github.com/openvest/openvest/gen/api"
	"github.com/openvest/openvest/internal/errcode"
	"github.com/openvest/openvest/internal/wallet"
)

// CreateWalletCustomer implements POST /counterparty/{counterparty_guid}/customers.
func (s *Server) CreateWalletCustomer(ctx context.Context, req api.CreateWalletCustomerRequestObject) (api.CreateWalletCustomerResponseObject, error) {
	org, err := walletOrg(ctx)
	if err != nil {
		return nil, err
	}
	b := req.Body
	c, a, err := s.Wallet.CreateCustomer(ctx, org, req.CounterpartyGuid, wallet.NewCustomer{
		AssetCode: b.AssetCode, AssetIssuer: b.AssetIssuer, BalanceAllowed: b.BalanceAllowed,
		BalanceAssetCode: b.BalanceAssetCode, BalanceAssetIssuer: b.BalanceAssetIssuer, BranchGUID: b.BranchGuid,
		IBAN: b.Iban, IsDisabled: b.IsDisabled, KYCLevel: b.KycLevel, Login: b.Login, Name: b.Name,
		PaternalName: b.PaternalName, PhoneNumber: b.PhoneNumber, Status: b.Status, Surname: b.Surname,
		Segment: convertPtr[api.WalletSegment, wallet.Segment](b.Segment),
	})
	if err != nil {
		return nil, err
	}
	return api.CreateWalletCustomer200JSONResponse{Body: apiWalletCreatedCustomer(c, a)}, nil
}

// UpdateWalletCustomer implements PUT /counterparty/{counterparty_guid}/customers/{customer_guid}.
func (s *Server) UpdateWalletCustomer(ctx context.Context, req api.UpdateWalletCustomerRequestObject) (api.UpdateWalletCustomerResponseObject, error) {
	org, err := walletOrg(ctx)
	if err != nil {
		return nil, err
	}
	b := req.Body
	c, err := s.Wallet.UpdateCustomer(ctx, org, req.CounterpartyGuid, req.CustomerGuid, wallet.CustomerUpdate{
		BalanceAllowed: b.BalanceAllowed, BalanceAssetCode: b.BalanceAssetCode, BalanceAssetIssuer: b.BalanceAssetIssuer,
		BranchGUID: b.BranchGuid, IsDisabled: b.IsDisabled, KYCLevel: b.KycLevel, Name: b.Name,
		PaternalName: b.PaternalName, PhoneNumber: b.PhoneNumber, Status: b.Status, Surname: b.Surname,
		Segment: convertPtr[api.WalletSegment, wallet.Segment](b.Segment), WalletUserGUID: b.WalletUserGuid,
	})
	if err != nil {
		return nil, err
	}
	return api.UpdateWalletCustomer200JSONResponse{Body: apiWalletCustomer(c)}, nil
}

// GetWalletCustomer implements GET /counterparty/{counterparty_guid}/customers/{customer_guid}.
func (s *Server) GetWalletCustomer(ctx context.Context, req api.GetWalletCustomerRequestObject) (api.GetWalletCustomerResponseObject, error) {
	org, err := walletOrg(ctx)
	if err != nil {
		return nil, err
	}
	c, err := s.Wallet.Customer(ctx, org, req.CounterpartyGuid, req.CustomerGuid)
	if err != nil {
		return nil, err
	}
	return api.GetWalletCustomer200JSONResponse(apiWalletCustomer(c)), nil
}

// ListWalletCustomers implements GET /counterparty/{counterparty_guid}/customers.
func (s *Server) ListWalletCustomers(ctx context.Context, req api.ListWalletCustomersRequestObject) (api.ListWalletCustomersResponseObject, error) {
	org, err := walletOrg(ctx)
	if err != nil {
		return nil, err
	}
	p := req.Params
	lr := wallet.ListRequest{PageRequest: walletPage(p.Offset, p.Limit), Ordering: wallet.DefaultOrdering}
	if p.Ordering != nil {
		if lr.Ordering, err = wallet.ParseOrdering(string(*p.Ordering)); err != nil {
			// The spec's enum and the domain's sortable fields disagree.
			return nil, errcode.New(errcode.Invalid, "%v", err)
		}
	}
	kyc, err := walletKYCLevels(p.KycLevels)
	if err != nil {
		return nil, err
	}
	f := wallet.CustomerFilter{
		GUIDs: uuids(p.WalletUserGuids), Logins: deref(p.Logins), KYCLevels: kyc, IsDisabled: p.IsDisabled,
		MinBalanceAllowed: p.MinBalanceAllowed, MaxBalanceAllowed: p.MaxBalanceAllowed,
		BalanceAssetCodes: deref(p.BalanceAssetCodes), BalanceAssetIssuers: deref(p.BalanceAssetIssuers),
		BranchGUIDs: uuids(p.BranchGuids), Names: deref(p.Names), PaternalNames: deref(p.PaternalNames),
		PhoneNumbers: deref(p.PhoneNumbers), Statuses: deref(p.Statuses), Surnames: deref(p.Surnames),
		Segments:     mapSlice(deref(p.Segments), func(s api.WalletSegment) wallet.Segment { return wallet.Segment(s) }),
		MinCreatedAt: p.MinCreatedAt, MaxCreatedAt: p.MaxCreatedAt, MinUpdatedAt: p.MinUpdatedAt, MaxUpdatedAt: p.MaxUpdatedAt,
	}
	if p.SearchString != nil {
		f.Search = *p.SearchString
	}
	page, err := s.Wallet.Customers(ctx, org, req.CounterpartyGuid, f, lr)
	if err != nil {
		return nil, err
	}
	return api.ListWalletCustomers200JSONResponse{Total: page.Total, Customers: mapSlice(page.Items, apiWalletCustomer)}, nil
}
