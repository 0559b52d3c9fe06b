package httpapi

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/openvest/openvest/gen/api"
	"github.com/openvest/openvest/internal/errcode"
	"github.com/openvest/openvest/internal/event"
	"github.com/openvest/openvest/internal/investing"
	"github.com/openvest/openvest/internal/reports"
	"github.com/openvest/openvest/internal/trading"
)

// NewReports builds the reports service, its deliveries rendering reports
// as the API returns them.
func NewReports(repo reports.Repository, sched reports.Scheduler, poster reports.Poster, inv *investing.Service, tr *trading.Service, events event.Emitter, now func() time.Time, log *slog.Logger) *reports.Service {
	s := reports.NewService(repo, sched, poster, inv, tr, events, now, log)
	s.Present = func(r reports.Report) (any, error) { return apiReport(r), nil }
	return s
}

// emailNotice is what a report with an email says.
const emailNotice = "E-mail is not sent: Openvest has no mail server. Download the file from fileUrl, or give a url to receive it."

func apiReport(r reports.Report) api.Report {
	out := api.Report{
		ReportId: r.ID, Format: api.ReportFormat(r.Format), Status: api.ReportStatus(r.Status), ErrorReason: r.ErrorReason,
		Url: r.URL, Email: r.Email, EmailSent: false, RowCount: r.Rows, Size: r.Size,
		FileUrl: fmt.Sprintf("/v1/reports/%d/file", r.ID), CreatedAt: r.CreatedAt.Unix(), UpdatedAt: r.UpdatedAt.Unix(),
		Delivery: api.ReportDelivery{
			Status: api.ReportDeliveryStatus(r.Delivery.Status), Attempts: r.Delivery.Attempts, StatusCode: r.Delivery.StatusCode,
			Error: r.Delivery.Error, KeyId: r.Delivery.KeyID, DeliveredAt: unixPtr(r.Delivery.DeliveredAt),
		},
		CompletedAt: unixPtr(r.CompletedAt),
	}
	for _, t := range r.Types {
		out.ReportTypes = append(out.ReportTypes, api.ReportType(t))
	}
	if r.ContentType != "" {
		ct := r.ContentType
		out.ContentType = &ct
	}
	if r.Email != nil {
		n := emailNotice
		out.Notice = &n
	}
	return out
}

// CreateReport implements POST /v1/reports.
func (s *Server) CreateReport(ctx context.Context, req api.CreateReportRequestObject) (api.CreateReportResponseObject, error) {
	org, err := orgFrom(ctx)
	if err != nil {
		return nil, err
	}
	in := reports.NewReport{URL: req.Body.Url, Email: req.Body.Email}
	for _, t := range req.Body.ReportTypes {
		in.Types = append(in.Types, reports.Type(t))
	}
	if req.Body.Format != nil {
		in.Format = reports.Format(*req.Body.Format)
	}
	r, err := s.Reports.Create(ctx, org, in)
	if err != nil {
		return nil, err
	}
	return api.CreateReport201JSONResponse{Body: api.ReportResponse{Code: 201, Message: msgCreated, Data: apiReport(r)}}, nil
}

// ListReports implements GET /v1/reports.
func (s *Server) ListReports(ctx context.Context, req api.ListReportsRequestObject) (api.ListReportsResponseObject, error) {
	org, err := orgFrom(ctx)
	if err != nil {
		return nil, err
	}
	p := pageRequest(req.Params.Page, req.Params.Limit, req.Params.Sort)
	page, err := s.Reports.Reports(ctx, org, p)
	if err != nil {
		return nil, err
	}
	return api.ListReports200JSONResponse{Code: 200, Message: msgOK, Data: mapSlice(page.Items, apiReport), Meta: meta(p, len(page.Items), page.Total)}, nil
}

// GetReport implements GET /v1/reports/{reportId}.
func (s *Server) GetReport(ctx context.Context, req api.GetReportRequestObject) (api.GetReportResponseObject, error) {
	org, err := orgFrom(ctx)
	if err != nil {
		return nil, err
	}
	r, err := s.Reports.Report(ctx, org, req.ReportId, false)
	if err != nil {
		return nil, err
	}
	return api.GetReport200JSONResponse{Code: 200, Message: msgOK, Data: apiReport(r)}, nil
}

// GetReportFile implements GET /v1/reports/{reportId}/file.
func (s *Server) GetReportFile(ctx context.Context, req api.GetReportFileRequestObject) (api.GetReportFileResponseObject, error) {
	org, err := orgFrom(ctx)
	if err != nil {
		return nil, err
	}
	r, err := s.Reports.Report(ctx, org, req.ReportId, true)
	if err != nil {
		return nil, err
	}
	if r.Status != reports.Completed {
		return nil, errcode.New(errcode.Conflict, "report %d is %s: only a COMPLETED report has a file", r.ID, r.Status)
	}
	return reportFile(r), nil
}

// reportFile writes a report's file as stored.
type reportFile reports.Report

func (f reportFile) VisitGetReportFileResponse(w http.ResponseWriter) error {
	ext := strings.ToLower(string(f.Format))
	w.Header().Set("Content-Type", f.ContentType)
	w.Header().Set("Content-Length", strconv.Itoa(len(f.Content)))
	w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=\"report-%d.%s\"", f.ID, ext))
	w.WriteHeader(http.StatusOK)
	_, err := w.Write(f.Content)
	return err
}
