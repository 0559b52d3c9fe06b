package httpapi

import (
	"context"
	"encoding/json"
	"mime"
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/openvest/openvest/gen/api"
	"github.com/openvest/openvest/internal/auth"
	"github.com/openvest/openvest/internal/errcode"
)

// credentials are a token call's client id and secret, wherever they came
// from (the documented fields, the OAuth 2.0 ones, HTTP Basic).
type credentials struct {
	ClientID, Secret string
}

// tokenCredentials reads a token call's credentials from the body (form or
// JSON): clientId/clientSecret as documented, else client_id/client_secret
// (RFC 6749 §4.4), else HTTP Basic authentication (RFC 6749 §2.3.1). ok is
// false when there are none to read.
func tokenCredentials(req *http.Request, body []byte) (c credentials, ok bool) {
	fields := map[string]string{}
	mt, _, _ := mime.ParseMediaType(req.Header.Get(echo.HeaderContentType))
	if mt == echo.MIMEApplicationForm {
		if v, err := url.ParseQuery(string(body)); err == nil {
			for k := range v {
				fields[k] = v.Get(k)
			}
		}
	} else if len(body) > 0 {
		var m map[string]any
		_ = json.Unmarshal(body, &m)
		for k, v := range m {
			if s, isString := v.(string); isString {
				fields[k] = s
			}
		}
	}
	switch {
	case fields["clientId"] != "" || fields["clientSecret"] != "":
		return credentials{fields["clientId"], fields["clientSecret"]}, true
	case fields["client_id"] != "" || fields["client_secret"] != "":
		return credentials{fields["client_id"], fields["client_secret"]}, true
	}
	if id, secret, isBasic := req.BasicAuth(); isBasic {
		// RFC 6749 §2.3.1: both are form-urlencoded before base64.
		if u, err := url.QueryUnescape(id); err == nil {
			id = u
		}
		if u, err := url.QueryUnescape(secret); err == nil {
			secret = u
		}
		return credentials{id, secret}, true
	}
	return credentials{}, false
}

// credentialsFrom returns the credentials the pipeline put in ctx, or a
// 400 naming what is missing.
func credentialsFrom(ctx context.Context) (credentials, error) {
	c, _ := ctx.Value(credentialsKey).(credentials)
	var missing []errcode.FieldError
	if c.ClientID == "" {
		missing = append(missing, errcode.FieldError{Field: "clientId", In: "body", Message: "value is required but missing (or client_id, or HTTP Basic authentication)"})
	}
	if c.Secret == "" {
		missing = append(missing, errcode.FieldError{Field: "clientSecret", In: "body", Message: "value is required but missing (or client_secret, or HTTP Basic authentication)"})
	}
	if len(missing) > 0 {
		e := errcode.New(errcode.Invalid, "send the client credentials: clientId and clientSecret as form fields or JSON, or grant_type=client_credentials with client_id and client_secret, or HTTP Basic authentication")
		e.Fields = missing
		return c, e
	}
	return c, nil
}

// issueToken issues a token for the credentials of the call.
func (s *Server) issueToken(ctx context.Context) (auth.Token, auth.Organization, error) {
	c, err := credentialsFrom(ctx)
	if err != nil {
		return auth.Token{}, auth.Organization{}, err
	}
	return s.Auth.IssueToken(ctx, c.ClientID, c.Secret)
}

// tokenScope is every token's scope, spelled as the docs' scope table.
var tokenScope = []api.TokenScope{api.Read, api.Write}

// CreateToken implements POST /v1/oauth/token: the documented flat token
// plus the OAuth 2.0 fields.
func (s *Server) CreateToken(ctx context.Context, _ api.CreateTokenRequestObject) (api.CreateTokenResponseObject, error) {
	t, o, err := s.issueToken(ctx)
	if err != nil {
		return nil, err
	}
	expiresIn := int64(t.ExpiresAt.Sub(t.CreatedAt).Seconds())
	return api.CreateToken201JSONResponse{
		Message: msgCreated, TokenId: t.ID, Token: t.Secret, ExpiresIn: expiresIn,
		MaxTTL: int64(auth.MaxTTL.Seconds()), TokenType: api.Bearer, Scope: tokenScope,
		TrustedIps:   []string{},
		Organization: api.TokenOrganization{Id: o.ID, Name: o.Name, ClientId: o.ClientID},
		CreatedAt:    t.CreatedAt.Unix(), UpdatedAt: t.CreatedAt.Unix(),
		OAuthAccessToken: t.Secret, OAuthTokenType: api.Bearer, OAuthExpiresIn: expiresIn,
	}, nil
}

// CreateTokenLegacy implements the deprecated POST /v1/auth, in the
// vendor's old wrapped shape.
func (s *Server) CreateTokenLegacy(ctx context.Context, _ api.CreateTokenLegacyRequestObject) (api.CreateTokenLegacyResponseObject, error) {
	t, _, err := s.issueToken(ctx)
	if err != nil {
		return nil, err
	}
	return api.CreateTokenLegacy201JSONResponse{Code: 201, Message: msgCreated, Data: api.LegacyToken{
		AccessTokenId: t.ID, AccessToken: t.Secret, ExpiresIn: int64(t.ExpiresAt.Sub(t.CreatedAt).Seconds()),
		MaxTTL: int64(auth.MaxTTL.Seconds()), Type: api.Bearer, Scope: tokenScope, TrustedIps: []string{},
		CreatedAt: t.CreatedAt.Unix(), UpdatedAt: t.CreatedAt.Unix(),
	}}, nil
}

// RevokeToken implements POST /v1/oauth/revoke.
func (s *Server) RevokeToken(ctx context.Context, req api.RevokeTokenRequestObject) (api.RevokeTokenResponseObject, error) {
	if err := s.revoke(ctx, req.Params.AccessTokenId); err != nil {
		return nil, err
	}
	return api.RevokeToken204Response{}, nil
}

// RevokeTokenLegacy implements the deprecated DELETE /v1/auth.
func (s *Server) RevokeTokenLegacy(ctx context.Context, req api.RevokeTokenLegacyRequestObject) (api.RevokeTokenLegacyResponseObject, error) {
	if err := s.revoke(ctx, req.Params.AccessTokenId); err != nil {
		return nil, err
	}
	return api.RevokeTokenLegacy204Response{}, nil
}

func (s *Server) revoke(ctx context.Context, tokenID *int64) error {
	p, ok := principalFrom(ctx)
	if !ok {
		return errcode.New(errcode.Unauthenticated, "not authenticated")
	}
	return s.Auth.Revoke(ctx, p, tokenID)
}

// authEventData is the data of AUTH.CREATED and AUTH.DELETED: the token
// without its secret. It is the spec's AuthEventData schema (in
// openapi/investing.yaml), written by hand because no operation refers to
// that schema, so the generator does not see it.
type authEventData struct {
	TokenID      int64                 `json:"tokenId"`
	ExpiresIn    int64                 `json:"expiresIn"`
	TokenType    api.TokenType         `json:"tokenType"`
	Scope        []api.TokenScope      `json:"scope"`
	Organization api.TokenOrganization `json:"organization"`
	RevokedAt    *int64                `json:"revokedAt,omitempty"`
	CreatedAt    int64                 `json:"createdAt"`
	UpdatedAt    int64                 `json:"updatedAt"`
}

func apiAuthEvent(t auth.Token, o auth.Organization) authEventData {
	out := authEventData{
		TokenID: t.ID, ExpiresIn: int64(t.ExpiresAt.Sub(t.CreatedAt).Seconds()), TokenType: api.Bearer, Scope: tokenScope,
		Organization: api.TokenOrganization{Id: o.ID, Name: o.Name, ClientId: o.ClientID},
		CreatedAt:    t.CreatedAt.Unix(), UpdatedAt: t.CreatedAt.Unix(),
	}
	if t.RevokedAt != nil {
		ra := t.RevokedAt.Unix()
		out.RevokedAt, out.UpdatedAt = &ra, ra
	}
	return out
}

// tokenCall reports whether operationID exchanges credentials for a token
// (oapi-codegen capitalizes operation ids in the spec it embeds).
func tokenCall(operationID string) bool {
	return strings.EqualFold(operationID, "createToken") || strings.EqualFold(operationID, "createTokenLegacy")
}
