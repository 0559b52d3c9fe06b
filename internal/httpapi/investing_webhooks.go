package httpapi

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	openapi_types "github.com/oapi-codegen/runtime/types"
	"github.com/openvest/openvest/gen/api"
	"github.com/openvest/openvest/internal/webhook"
)

func apiWebhook(w webhook.Webhook) api.Webhook {
	subs := make([]api.WebhookSubscription, len(w.Subscriptions))
	for i, s := range w.Subscriptions {
		subs[i] = api.WebhookSubscription(s)
	}
	return api.Webhook{
		WebhookId: w.ID, Url: w.URL, Subscriptions: subs, Status: api.WebhookStatus(w.Status),
		DeactivatedReason: w.DeactivatedReason, CreatedAt: w.CreatedAt.Unix(), UpdatedAt: w.UpdatedAt.Unix(),
	}
}

func apiDelivery(d webhook.Delivery) api.WebhookDelivery {
	out := api.WebhookDelivery{
		DeliveryId: d.ID, WebhookId: d.WebhookID, EventId: uuidOf(d.EventID), Event: api.WebhookEventType(d.Event), Attempts: d.Attempts,
		State: api.WebhookDeliveryState(d.State), LastStatusCode: d.LastStatusCode, LastError: d.LastError,
		CreatedAt: d.CreatedAt.Unix(), UpdatedAt: d.UpdatedAt.Unix(),
	}
	if d.LastLatency != nil {
		ms := int(*d.LastLatency / time.Millisecond)
		out.LastLatencyMs = &ms
	}
	if d.NextAttemptAt != nil {
		at := d.NextAttemptAt.Unix()
		out.NextAttemptAt = &at
	}
	return out
}

func subscriptions(in []api.WebhookSubscription) []string {
	out := make([]string, len(in))
	for i, s := range in {
		out[i] = string(s)
	}
	return out
}

// CreateWebhook implements POST /v1/webhooks.
func (s *Server) CreateWebhook(ctx context.Context, req api.CreateWebhookRequestObject) (api.CreateWebhookResponseObject, error) {
	org, err := orgFrom(ctx)
	if err != nil {
		return nil, err
	}
	w, err := s.Webhooks.Create(ctx, org.ID, req.Body.Url, subscriptions(req.Body.Subscriptions))
	if err != nil {
		return nil, err
	}
	return api.CreateWebhook201JSONResponse{Body: api.WebhookResponse{Code: 201, Message: msgCreated, Data: apiWebhook(w)}}, nil
}

// UpdateWebhook implements PUT /v1/webhooks.
func (s *Server) UpdateWebhook(ctx context.Context, req api.UpdateWebhookRequestObject) (api.UpdateWebhookResponseObject, error) {
	org, err := orgFrom(ctx)
	if err != nil {
		return nil, err
	}
	in := webhook.Update{ID: req.Body.WebhookId, URL: req.Body.Url, Status: convertPtr[api.WebhookStatus, webhook.Status](req.Body.Status)}
	if req.Body.Subscriptions != nil {
		in.Subscriptions = subscriptions(*req.Body.Subscriptions)
	}
	w, err := s.Webhooks.Update(ctx, org.ID, in)
	if err != nil {
		return nil, err
	}
	return api.UpdateWebhook200JSONResponse{Body: api.WebhookResponse{Code: 200, Message: msgOK, Data: apiWebhook(w)}}, nil
}

// ListWebhooks implements GET /v1/webhooks.
func (s *Server) ListWebhooks(ctx context.Context, req api.ListWebhooksRequestObject) (api.ListWebhooksResponseObject, error) {
	org, err := orgFrom(ctx)
	if err != nil {
		return nil, err
	}
	p := pageRequest(req.Params.Page, req.Params.Limit, req.Params.Sort)
	page, err := s.Webhooks.Webhooks(ctx, org.ID, p)
	if err != nil {
		return nil, err
	}
	return api.ListWebhooks200JSONResponse{Code: 200, Message: msgOK, Data: mapSlice(page.Items, apiWebhook), Meta: meta(p, len(page.Items), page.Total)}, nil
}

// DeleteWebhook implements DELETE /v1/webhooks/{webhookId}.
func (s *Server) DeleteWebhook(ctx context.Context, req api.DeleteWebhookRequestObject) (api.DeleteWebhookResponseObject, error) {
	org, err := orgFrom(ctx)
	if err != nil {
		return nil, err
	}
	if err := s.Webhooks.Delete(ctx, org.ID, req.WebhookId); err != nil {
		return nil, err
	}
	return api.DeleteWebhook204Response{}, nil
}

// GetWebhookKey implements GET /v1/webhooks/key.
func (s *Server) GetWebhookKey(ctx context.Context, req api.GetWebhookKeyRequestObject) (api.GetWebhookKeyResponseObject, error) {
	org, err := orgFrom(ctx)
	if err != nil {
		return nil, err
	}
	w, keys, err := s.Webhooks.WebhookKey(ctx, org.ID, req.Params.WebhookId)
	if err != nil {
		return nil, err
	}
	out := make([]api.WebhookKey, len(keys))
	for i, k := range keys {
		authorized, err := k.AuthorizedKey()
		if err != nil {
			return nil, fmt.Errorf("webhook %d key %s as OpenSSH: %w", w.ID, k.KeyID, err)
		}
		pem, err := k.PEM()
		if err != nil {
			return nil, fmt.Errorf("webhook %d key %s as PEM: %w", w.ID, k.KeyID, err)
		}
		out[i] = api.WebhookKey{KeyId: k.KeyID, Key: authorized, PublicKeyPem: pem, CreatedAt: k.CreatedAt.Unix()}
	}
	cur := keys[0]
	return api.GetWebhookKey200JSONResponse{Code: 200, Message: msgOK, Data: api.WebhookKeyInfo{
		WebhookId: w.ID, KeyId: out[0].KeyId, Key: out[0].Key, PublicKeyPem: out[0].PublicKeyPem,
		CreatedAt: cur.CreatedAt.Unix(), UpdatedAt: cur.CreatedAt.Unix(), Keys: out,
	}}, nil
}

// TestWebhooks implements POST /v1/webhooks/test.
func (s *Server) TestWebhooks(ctx context.Context, _ api.TestWebhooksRequestObject) (api.TestWebhooksResponseObject, error) {
	org, err := orgFrom(ctx)
	if err != nil {
		return nil, err
	}
	if err := s.Webhooks.Test(ctx, org.ID); err != nil {
		return nil, err
	}
	return api.TestWebhooks204Response{}, nil
}

// ListWebhookDeliveries implements GET /v1/webhooks/{webhookId}/deliveries.
func (s *Server) ListWebhookDeliveries(ctx context.Context, req api.ListWebhookDeliveriesRequestObject) (api.ListWebhookDeliveriesResponseObject, error) {
	org, err := orgFrom(ctx)
	if err != nil {
		return nil, err
	}
	p := pageRequest(req.Params.Page, req.Params.Limit, req.Params.Sort)
	page, err := s.Webhooks.Deliveries(ctx, org.ID, req.WebhookId, convertPtr[api.WebhookDeliveryState, webhook.State](req.Params.State), p)
	if err != nil {
		return nil, err
	}
	return api.ListWebhookDeliveries200JSONResponse{Code: 200, Message: msgOK, Data: mapSlice(page.Items, apiDelivery), Meta: meta(p, len(page.Items), page.Total)}, nil
}

// RetryWebhookDelivery implements POST /v1/webhooks/{webhookId}/deliveries/{deliveryId}/retry.
func (s *Server) RetryWebhookDelivery(ctx context.Context, req api.RetryWebhookDeliveryRequestObject) (api.RetryWebhookDeliveryResponseObject, error) {
	org, err := orgFrom(ctx)
	if err != nil {
		return nil, err
	}
	d, err := s.Webhooks.Retry(ctx, org.ID, req.WebhookId, req.DeliveryId)
	if err != nil {
		return nil, err
	}
	return api.RetryWebhookDelivery202JSONResponse{Body: api.WebhookDeliveryResponse{Code: 202, Message: "Accepted", Data: apiDelivery(d)}}, nil
}

// uuidOf parses an event id (always a UUID written by the webhook engine).
func uuidOf(s string) openapi_types.UUID {
	u, _ := uuid.Parse(s)
	return u
}
