package httpapi

import (
	"context"

	"github.com/openvest/openvest/gen/api"
	"github.com/openvest/openvest/internal/auth"
	"github.com/openvest/openvest/internal/errcode"
)

// CreateToken implements POST /v1/oauth/token.
func (s *Server) CreateToken(ctx context.Context, req api.CreateTokenRequestObject) (api.CreateTokenResponseObject, error) {
	body := req.JSONBody
	if body == nil {
		body = req.FormdataBody
	}
	if body == nil {
		return nil, errcode.New(errcode.Invalid, "send clientId and clientSecret as form fields or JSON")
	}
	t, o, err := s.Auth.IssueToken(ctx, body.ClientId, body.ClientSecret)
	if err != nil {
		return nil, err
	}
	return api.CreateToken201JSONResponse{Code: 201, Message: msgCreated, Data: api.Token{
		TokenId: t.ID, Token: t.Secret, ExpiresIn: int64(t.ExpiresAt.Sub(t.CreatedAt).Seconds()),
		MaxTTL: int64(auth.MaxTTL.Seconds()), TokenType: api.Bearer, Scope: []api.TokenScope{api.READ, api.WRITE},
		TrustedIps:   []string{},
		Organization: api.TokenOrganization{Id: o.ID, Name: o.Name, ClientId: o.ClientID},
		CreatedAt:    t.CreatedAt.Unix(), UpdatedAt: t.CreatedAt.Unix(),
	}}, nil
}

// RevokeToken implements POST /v1/oauth/revoke.
func (s *Server) RevokeToken(ctx context.Context, req api.RevokeTokenRequestObject) (api.RevokeTokenResponseObject, error) {
	p, ok := principalFrom(ctx)
	if !ok {
		return nil, errcode.New(errcode.Unauthenticated, "not authenticated")
	}
	if err := s.Auth.Revoke(ctx, p, req.Params.AccessTokenId); err != nil {
		return nil, err
	}
	return api.RevokeToken204Response{}, nil
}
