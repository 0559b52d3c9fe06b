package httpapi

import (
	"context"
	"encoding/base64"

	"github.com/openvest/openvest/gen/api"
	"github.com/openvest/openvest/internal/banking"
	"github.com/openvest/openvest/internal/errcode"
)

// CreateBankingApplication implements POST /applications.
func (s *Server) CreateBankingApplication(ctx context.Context, req api.CreateBankingApplicationRequestObject) (api.CreateBankingApplicationResponseObject, error) {
	org, err := bankingOrgFrom(ctx)
	if err != nil {
		return nil, err
	}
	b := req.Body
	a, err := s.Banking.CreateApplication(ctx, org, banking.CustomerType(b.Type),
		applicationInput(b.Email, b.Phone, b.Individual, b.Corporation, b.Individuals))
	if err != nil {
		return nil, err
	}
	return api.CreateBankingApplication201JSONResponse{Body: apiApplication(a)}, nil
}

// ListBankingApplications implements GET /applications.
func (s *Server) ListBankingApplications(ctx context.Context, req api.ListBankingApplicationsRequestObject) (api.ListBankingApplicationsResponseObject, error) {
	org, err := bankingOrgFrom(ctx)
	if err != nil {
		return nil, err
	}
	p := req.Params
	page, err := s.Banking.Applications(ctx, org,
		banking.ApplicationFilter{Status: convertPtr[api.BankingApplicationStatus, banking.ApplicationStatus](p.Status)},
		bankingPage(p.Limit, p.Cursor))
	if err != nil {
		return nil, err
	}
	return api.ListBankingApplications200JSONResponse{Data: mapSlice(page.Items, apiApplication), Pagination: apiPagination(page)}, nil
}

// GetBankingApplication implements GET /applications/{id}.
func (s *Server) GetBankingApplication(ctx context.Context, req api.GetBankingApplicationRequestObject) (api.GetBankingApplicationResponseObject, error) {
	org, err := bankingOrgFrom(ctx)
	if err != nil {
		return nil, err
	}
	a, err := s.Banking.Application(ctx, org, req.Id)
	if err != nil {
		return nil, err
	}
	return api.GetBankingApplication200JSONResponse(apiApplication(a)), nil
}

// UpdateBankingApplication implements PATCH /applications/{id}.
func (s *Server) UpdateBankingApplication(ctx context.Context, req api.UpdateBankingApplicationRequestObject) (api.UpdateBankingApplicationResponseObject, error) {
	org, err := bankingOrgFrom(ctx)
	if err != nil {
		return nil, err
	}
	b := req.Body
	a, err := s.Banking.UpdateApplication(ctx, org, req.Id,
		applicationInput(b.Email, b.Phone, b.Individual, b.Corporation, b.Individuals))
	if err != nil {
		return nil, err
	}
	return api.UpdateBankingApplication200JSONResponse{Body: apiApplication(a)}, nil
}

// CreateBankingApplicationDocument implements POST /applications/{id}/documents.
func (s *Server) CreateBankingApplicationDocument(ctx context.Context, req api.CreateBankingApplicationDocumentRequestObject) (api.CreateBankingApplicationDocumentResponseObject, error) {
	org, err := bankingOrgFrom(ctx)
	if err != nil {
		return nil, err
	}
	b := req.Body
	content, err := base64.StdEncoding.DecodeString(b.Content)
	if err != nil { // the spec's pattern lets only padded standard base64 through
		return nil, &errcode.Error{Code: errcode.Invalid, Message: "content is not base64: " + err.Error(),
			Fields: []errcode.FieldError{{Field: "content", In: "body", Message: "is not base64 (standard alphabet, padded)"}}}
	}
	d, err := s.Banking.AddDocument(ctx, org, req.Id, banking.NewDocument{
		Type: banking.DocumentType(b.Type), FileName: b.FileName, ContentType: string(b.ContentType), Content: content,
	})
	if err != nil {
		return nil, err
	}
	return api.CreateBankingApplicationDocument201JSONResponse{Body: apiDocument(d)}, nil
}

// GetBankingApplicationDocument implements GET /applications/{id}/documents/{document_id}.
func (s *Server) GetBankingApplicationDocument(ctx context.Context, req api.GetBankingApplicationDocumentRequestObject) (api.GetBankingApplicationDocumentResponseObject, error) {
	org, err := bankingOrgFrom(ctx)
	if err != nil {
		return nil, err
	}
	d, err := s.Banking.Document(ctx, org, req.Id, req.DocumentId)
	if err != nil {
		return nil, err
	}
	return api.GetBankingApplicationDocument200JSONResponse(apiDocument(d)), nil
}

// SubmitBankingApplication implements POST /applications/{id}/submit.
func (s *Server) SubmitBankingApplication(ctx context.Context, req api.SubmitBankingApplicationRequestObject) (api.SubmitBankingApplicationResponseObject, error) {
	org, err := bankingOrgFrom(ctx)
	if err != nil {
		return nil, err
	}
	a, err := s.Banking.SubmitApplication(ctx, org, req.Id)
	if err != nil {
		return nil, err
	}
	return api.SubmitBankingApplication200JSONResponse{Body: apiApplication(a)}, nil
}
