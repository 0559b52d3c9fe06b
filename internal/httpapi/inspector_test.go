package httpapi_test

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/openvest/openvest/gen/api"
	"github.com/openvest/openvest/httpsig"
	"github.com/openvest/openvest/internal/apitest"
	"github.com/openvest/openvest/internal/inspector"
	"github.com/stretchr/testify/require"
)

type inspectorBundle struct {
	env *apitest.Env
	tn  *apitest.Tenant // a sandbox organization
}

func setupInspector(t *testing.T) inspectorBundle {
	t.Helper()
	env := apitest.Start(t, apitest.Options{})
	return inspectorBundle{env: env, tn: env.NewTenant(t, apitest.TenantOptions{Sandbox: true})}
}

// inspected lists the tenant's records matching query (newest first),
// waiting until there are at least n of them (records are written moments
// after their answer).
func inspected(t *testing.T, tn *apitest.Tenant, query string, n int) []api.InspectedRequestSummary {
	t.Helper()
	var page api.InspectedRequestList
	require.Eventually(t, func() bool {
		res := tn.Do(t, http.MethodGet, "/v1/sandbox/requests?"+query, nil)
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		page = api.InspectedRequestList{}
		res.JSON(t, &page)
		return len(page.Data) >= n
	}, 10*time.Second, 20*time.Millisecond, "fewer than %d records for %q", n, query)
	return page.Data
}

func inspectedDetail(t *testing.T, tn *apitest.Tenant, id string) api.InspectedRequest {
	t.Helper()
	res := tn.Do(t, http.MethodGet, "/v1/sandbox/requests/"+id, nil)
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	var out api.InspectedRequestResponse
	res.JSON(t, &out)
	return out.Data
}

// TestInspectorDiagnosesASignature: a request signed over the wrong
// @target-uri is refused with 401, and its record alone shows why: the
// verdict, the reason and the signature base the server computed (with
// the @target-uri the server used, where the client's base had another).
// A request that verifies is recorded verified, with its base.
func TestInspectorDiagnosesASignature(t *testing.T) {
	t.Parallel()
	b := setupInspector(t)
	signer := b.tn.Signer()
	signer.TargetURI = "https://wrong.example/v1/customers"
	bad := b.tn.DoWith(t, http.MethodPost, "/v1/customers", map[string]any{"firstName": "Ada", "lastName": "Mwale"}, apitest.Call{Signer: signer})
	require.Equal(t, http.StatusUnauthorized, bad.Status, "%s", bad.Body)
	good := b.tn.Do(t, http.MethodGet, "/v1/customers?limit=5", nil)
	require.Equal(t, http.StatusOK, good.Status, "%s", good.Body)

	list := inspected(t, b.tn, "", 3) // and the token call of NewTenant
	require.Equal(t, good.Header.Get("X-Request-Id"), list[0].RequestId, "newest first")
	require.Equal(t, bad.Header.Get("X-Request-Id"), list[1].RequestId)

	refused := inspectedDetail(t, b.tn, list[1].Id.String())
	require.Equal(t, http.StatusUnauthorized, refused.Status)
	require.Equal(t, "createCustomer", *refused.OperationId)
	require.Equal(t, "/v1/customers", *refused.Route)
	require.Equal(t, api.InspectedSignatureVerdict("failed"), refused.Signature.Verdict)
	require.Equal(t, b.tn.KeyID, *refused.Signature.KeyId)
	require.Contains(t, *refused.Signature.Reason, "does not verify")
	require.NotNil(t, refused.Signature.Base)
	require.Contains(t, *refused.Signature.Base, `"@target-uri": `+b.env.Server.URL+"/v1/customers")
	require.NotContains(t, *refused.Signature.Base, "wrong.example")
	require.Contains(t, *refused.Signature.Base, `"authorization": Bearer `+inspector.Redacted, "the token is no part of the record")
	require.NotContains(t, *refused.ResponseBody, b.tn.Token, "nor where the refusal quotes the base")
	require.Equal(t, api.InspectedRequestContentDigest("verified"), refused.ContentDigest)
	require.Equal(t, api.InspectedIdempotencyOutcome("none"), refused.Idempotency.Outcome, "refused before its key was looked at")
	require.NotEmpty(t, *refused.Idempotency.Key)
	require.JSONEq(t, `{"firstName": "Ada", "lastName": "Mwale"}`, *refused.RequestBody)
	require.JSONEq(t, strings.ReplaceAll(string(bad.Body), b.tn.Token, inspector.Redacted), *refused.ResponseBody, "the answer, the token it quotes redacted")
	require.Equal(t, inspector.Redacted, refused.RequestHeaders["Authorization"])
	require.Equal(t, b.tn.Org.ClientID, refused.RequestHeaders["X-Client-Id"])
	require.Equal(t, "application/json", refused.ResponseHeaders["Content-Type"])
	require.Positive(t, refused.LatencyMs)

	ok := inspectedDetail(t, b.tn, list[0].Id.String())
	require.Equal(t, api.InspectedSignatureVerdict("verified"), ok.Signature.Verdict)
	require.Equal(t, "rfc9421", *ok.Signature.Form)
	require.Contains(t, *ok.Signature.Base, `"@query": ?limit=5`)
	require.Contains(t, *ok.Signature.Components, "@method")
	require.Equal(t, "limit=5", ok.Query)
	require.Equal(t, api.InspectedRequestContentDigest("absent"), ok.ContentDigest)
	require.Nil(t, list[0].Signature.Base, "the list leaves the base to the detail")

	// The list's filters find the refusal.
	byStatus := inspected(t, b.tn, "status=401", 1)
	require.Len(t, byStatus, 1)
	require.Equal(t, list[1].Id, byStatus[0].Id)
	byOp := inspected(t, b.tn, "operationId=listCustomers", 1)
	require.Len(t, byOp, 1)
	require.Equal(t, list[0].Id, byOp[0].Id)
	byRequest := inspected(t, b.tn, "requestId="+url.QueryEscape(bad.Header.Get("X-Request-Id")), 1)
	require.Len(t, byRequest, 1)
	require.Equal(t, list[1].Id, byRequest[0].Id)
}

// TestInspectorIdempotencyOutcomes: first, replayed and conflict, found by
// the key; a read has none.
func TestInspectorIdempotencyOutcomes(t *testing.T) {
	t.Parallel()
	b := setupInspector(t)
	key := httpsig.NewIdempotencyKey()
	call := apitest.Call{Header: http.Header{"X-Idempotency-Key": {key}}}
	body := map[string]any{"firstName": "Ada", "lastName": "Mwale"}
	require.Equal(t, http.StatusCreated, b.tn.DoWith(t, http.MethodPost, "/v1/customers", body, call).Status)
	replay := b.tn.DoWith(t, http.MethodPost, "/v1/customers", body, call)
	require.Equal(t, "true", replay.Header.Get("Idempotent-Replayed"))
	other := b.tn.DoWith(t, http.MethodPost, "/v1/customers", map[string]any{"firstName": "Bo", "lastName": "Mwale"}, call)
	require.Equal(t, http.StatusUnprocessableEntity, other.Status, "%s", other.Body)
	require.Equal(t, http.StatusOK, b.tn.Do(t, http.MethodGet, "/v1/customers", nil).Status)

	recs := inspected(t, b.tn, "idempotencyKey="+key, 3)
	require.Len(t, recs, 3)
	var outcomes []string
	for _, r := range recs {
		outcomes = append(outcomes, string(r.Idempotency.Outcome))
		require.Equal(t, key, *r.Idempotency.Key)
	}
	require.Equal(t, []string{"conflict", "replayed", "first"}, outcomes)
	read := inspected(t, b.tn, "operationId=listCustomers", 1)
	require.Equal(t, api.InspectedIdempotencyOutcome("none"), read[0].Idempotency.Outcome)
	require.Nil(t, read[0].Idempotency.Key)
}

// TestInspectorValidationAndSecrets: a validation failure is recorded with
// its fields; the token call's client secret and the token it answered
// are redacted; a body beyond 64 KiB is cut, with its size.
func TestInspectorValidationAndSecrets(t *testing.T) {
	t.Parallel()
	b := setupInspector(t)
	invalid := b.tn.Do(t, http.MethodPost, "/v1/customers", map[string]any{"firstName": "Ada"})
	require.Equal(t, http.StatusBadRequest, invalid.Status)
	b.tn.NewToken(t)
	big := strings.Repeat("é", 50_000) // 100,000 bytes
	require.Equal(t, http.StatusBadRequest, b.tn.Do(t, http.MethodPost, "/v1/customers", map[string]any{"firstName": big, "lastName": "Mwale"}).Status)

	recs := inspected(t, b.tn, "path=/v1/", 4)
	require.Len(t, recs, 3+1, "and the token call of NewTenant")

	huge := inspectedDetail(t, b.tn, recs[0].Id.String())
	require.True(t, huge.RequestBodyTruncated)
	require.EqualValues(t, len(`{"firstName":"`+big+`","lastName":"Mwale"}`), huge.RequestBodySize)
	require.LessOrEqual(t, len(*huge.RequestBody), inspector.BodyLimit)
	require.Greater(t, len(*huge.RequestBody), inspector.BodyLimit-4, "cut between characters, near the limit")
	require.Nil(t, huge.RequestBodyEncoding, "still UTF-8")
	require.False(t, huge.ResponseBodyTruncated)

	token := inspectedDetail(t, b.tn, recs[1].Id.String())
	require.Equal(t, "createToken", *token.OperationId)
	require.Contains(t, *token.RequestBody, "clientSecret="+inspector.Redacted)
	require.NotContains(t, *token.RequestBody, url.QueryEscape(b.tn.ClientSecret))
	require.Contains(t, *token.RequestBody, "clientId="+b.tn.Org.ClientID)
	var answered map[string]any
	require.NoError(t, json.Unmarshal([]byte(*token.ResponseBody), &answered))
	require.Equal(t, inspector.Redacted, answered["token"])
	require.NotEmpty(t, answered["tokenId"], "an id is no secret")
	require.Equal(t, api.InspectedIdempotencyOutcome("none"), token.Idempotency.Outcome)

	failed := inspectedDetail(t, b.tn, recs[2].Id.String())
	require.Equal(t, http.StatusBadRequest, failed.Status)
	require.NotEmpty(t, failed.ValidationErrors)
	require.Equal(t, "lastName", failed.ValidationErrors[0].Field)
	require.Equal(t, api.InspectedIdempotencyOutcome("none"), failed.Idempotency.Outcome)
}

// TestInspectorTenancy: another organization lists none of the records
// and reads none by id; a production organization's requests are not
// recorded, and the inspector does not exist for it.
func TestInspectorTenancy(t *testing.T) {
	t.Parallel()
	b := setupInspector(t)
	other := b.env.NewTenant(t, apitest.TenantOptions{Sandbox: true})
	prod := b.env.NewTenant(t, apitest.TenantOptions{})
	require.Equal(t, http.StatusOK, prod.Do(t, http.MethodGet, "/v1/customers", nil).Status)
	createCustomer(t, b.tn, customerOpts{})
	mine := inspected(t, b.tn, "operationId=createCustomer", 1)

	// The writer is first in, first out: the production request came before.
	none, err := b.env.App.Store.Inspector().Records(context.Background(), prod.Org.ID, inspector.Filter{})
	require.NoError(t, err)
	require.Empty(t, none, "a production organization's requests are not recorded")

	theirs := inspected(t, other, "", 0)
	for _, r := range theirs {
		require.NotEqual(t, mine[0].Id, r.Id)
		require.NotEqual(t, "createCustomer", valueOr(r.OperationId))
	}
	res := other.Do(t, http.MethodGet, "/v1/sandbox/requests/"+mine[0].Id.String(), nil)
	require.Equal(t, http.StatusNotFound, res.Status, "%s", res.Body)

	for _, path := range []string{"/v1/sandbox/requests", "/v1/sandbox/requests/" + mine[0].Id.String(), "/v1/sandbox/requests/stream?timeout=1"} {
		res := prod.Do(t, http.MethodGet, path, nil)
		require.Equal(t, http.StatusNotFound, res.Status, "%s: %s", path, res.Body)
	}
}

func valueOr(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// TestInspectorPages: cursor pages never repeat nor skip; a cursor that
// is not one answers 400 naming it.
func TestInspectorPages(t *testing.T) {
	t.Parallel()
	b := setupInspector(t)
	for range 5 {
		require.Equal(t, http.StatusOK, b.tn.Do(t, http.MethodGet, "/v1/investments", nil).Status)
	}
	all := inspected(t, b.tn, "operationId=listInvestments&limit=100", 5)
	require.Len(t, all, 5)
	var paged []string
	query := "operationId=listInvestments&limit=2"
	for range 5 {
		res := b.tn.Do(t, http.MethodGet, "/v1/sandbox/requests?"+query, nil)
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		var page api.InspectedRequestList
		res.JSON(t, &page)
		for _, r := range page.Data {
			paged = append(paged, r.Id.String())
		}
		if !page.Pagination.HasMore {
			require.Nil(t, page.Pagination.NextCursor)
			break
		}
		query = "operationId=listInvestments&limit=2&cursor=" + url.QueryEscape(*page.Pagination.NextCursor)
	}
	var want []string
	for _, r := range all {
		want = append(want, r.Id.String())
	}
	require.Equal(t, want, paged)

	res := b.tn.Do(t, http.MethodGet, "/v1/sandbox/requests?cursor=bm90LWEtY3Vyc29y", nil)
	require.Equal(t, http.StatusBadRequest, res.Status, "%s", res.Body)
	require.Contains(t, string(res.Body), `"field":"cursor"`)
	res = b.tn.Do(t, http.MethodGet, "/v1/sandbox/requests/not-a-uuid", nil)
	require.Equal(t, http.StatusBadRequest, res.Status, "%s", res.Body)

	// The time window: nothing before the first, everything from it.
	first := all[len(all)-1].ReceivedAt
	from := inspected(t, b.tn, "operationId=listInvestments&from="+url.QueryEscape(first.Format(time.RFC3339Nano)), 5)
	require.Len(t, from, 5)
	before := inspected(t, b.tn, "operationId=listInvestments&to="+url.QueryEscape(first.Format(time.RFC3339Nano)), 0)
	require.Empty(t, before)
}

// sse reads the events of a live tail.
type sse struct {
	res    *http.Response
	lines  *bufio.Scanner
	cancel context.CancelFunc
}

func openTail(t *testing.T, env *apitest.Env, tn *apitest.Tenant, query string) *sse {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, env.Server.URL+"/v1/sandbox/requests/stream?"+query, nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+tn.Token)
	req.Header.Set("X-Client-Id", tn.Org.ClientID)
	res, err := http.DefaultClient.Do(req) // a stream: the validating client would wait for its end
	require.NoError(t, err)
	t.Cleanup(func() { _ = res.Body.Close() })
	require.Equal(t, http.StatusOK, res.StatusCode)
	require.Equal(t, "text/event-stream", res.Header.Get("Content-Type"))
	s := &sse{res: res, lines: bufio.NewScanner(res.Body), cancel: cancel}
	require.True(t, s.lines.Scan())
	require.Equal(t, ": connected", s.lines.Text(), "the stream says it is listening before any event")
	return s
}

// next returns the next event's data, validated against the list item's schema.
func (s *sse) next(t *testing.T) api.InspectedRequestSummary {
	t.Helper()
	doc, err := api.GetSwagger()
	require.NoError(t, err)
	var id, event string
	for s.lines.Scan() {
		line := s.lines.Text()
		switch {
		case strings.HasPrefix(line, "id: "):
			id = strings.TrimPrefix(line, "id: ")
		case strings.HasPrefix(line, "event: "):
			event = strings.TrimPrefix(line, "event: ")
		case strings.HasPrefix(line, "data: "):
			data := []byte(strings.TrimPrefix(line, "data: "))
			var generic any
			require.NoError(t, json.Unmarshal(data, &generic))
			require.NoError(t, doc.Components.Schemas["InspectedRequestSummary"].Value.VisitJSON(generic))
			var out api.InspectedRequestSummary
			require.NoError(t, json.Unmarshal(data, &out))
			require.Equal(t, "request", event)
			require.Equal(t, out.Id.String(), id)
			return out
		}
	}
	require.FailNow(t, "the stream ended", "%v", s.lines.Err())
	return api.InspectedRequestSummary{}
}

// TestInspectorLiveTail: a live tail gets the organization's new records
// that pass its filter, and no other organization's.
func TestInspectorLiveTail(t *testing.T) {
	t.Parallel()
	b := setupInspector(t)
	other := b.env.NewTenant(t, apitest.TenantOptions{Sandbox: true})
	tail := openTail(t, b.env, b.tn, "status=200")
	require.Equal(t, http.StatusOK, other.Do(t, http.MethodGet, "/v1/customers", nil).Status)
	require.Equal(t, http.StatusBadRequest, b.tn.Do(t, http.MethodPost, "/v1/customers", map[string]any{}).Status)
	res := b.tn.Do(t, http.MethodGet, "/v1/investments", nil)
	require.Equal(t, http.StatusOK, res.Status)
	got := tail.next(t)
	require.Equal(t, res.Header.Get("X-Request-Id"), got.RequestId, "neither the other organization's nor the 400")
	require.Equal(t, "listInvestments", *got.OperationId)

	// The stream ends after its timeout; as a whole it matches the spec.
	ended := b.tn.Do(t, http.MethodGet, "/v1/sandbox/requests/stream?timeout=1", nil)
	require.Equal(t, http.StatusOK, ended.Status)
	require.True(t, strings.HasPrefix(string(ended.Body), ": connected\n\n"), "%s", ended.Body)
}

// TestInspectorLiveTailAcrossReplicas: two servers on one PostgreSQL
// database; a tail on one gets the records the other writes (NOTIFY).
func TestInspectorLiveTailAcrossReplicas(t *testing.T) {
	t.Parallel()
	one := apitest.Start(t, apitest.Options{Jobs: true})
	two := apitest.Start(t, apitest.Options{Jobs: true})
	tn := one.NewTenant(t, apitest.TenantOptions{Sandbox: true})
	onTwo := *tn
	onTwo.Env = two
	tail := openTail(t, two, &onTwo, "operationId=listInvestments")
	res := tn.Do(t, http.MethodGet, "/v1/investments", nil) // served by one
	require.Equal(t, http.StatusOK, res.Status)
	got := tail.next(t)
	require.Equal(t, res.Header.Get("X-Request-Id"), got.RequestId)
}

// TestInspectorOff: with the inspector off nothing is recorded and its
// operations answer 404.
func TestInspectorOff(t *testing.T) {
	t.Parallel()
	env := apitest.Start(t, apitest.Options{InspectorOff: true})
	tn := env.NewTenant(t, apitest.TenantOptions{Sandbox: true})
	res := tn.Do(t, http.MethodGet, "/v1/sandbox/requests", nil)
	require.Equal(t, http.StatusNotFound, res.Status, "%s", res.Body)
	require.Contains(t, string(res.Body), "OPENVEST_INSPECTOR_ENABLED")
}
