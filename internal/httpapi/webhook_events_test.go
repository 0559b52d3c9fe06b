package httpapi_test

import (
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"net/http"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/openvest/openvest/gen/api"
	"github.com/openvest/openvest/internal/apitest"
	"github.com/openvest/openvest/internal/webhook"
	"github.com/stretchr/testify/require"
)

// TestSubscriptionEnumIsTheCodes: the spec's WebhookSubscription enum is
// exactly what the webhook engine accepts, and every value of it is
// accepted by the API (AUTH.DELETED among them) while AUTH.UPDATED is not.
func TestSubscriptionEnumIsTheCodes(t *testing.T) {
	t.Parallel()
	doc, err := api.GetSwagger()
	require.NoError(t, err)
	s := doc.Components.Schemas["WebhookSubscription"].Value
	var enum []string
	for _, v := range s.Enum {
		enum = append(enum, v.(string))
	}
	require.ElementsMatch(t, webhook.Subscriptions(), enum)
	require.Empty(t, s.Pattern, "an enum, not a pattern")

	env := apitest.Start(t, apitest.Options{})
	tn := env.NewTenant(t, apitest.TenantOptions{})
	res := tn.Do(t, "POST", "/v1/webhooks", map[string]any{"url": "https://hooks.example.com/all", "subscriptions": enum})
	require.Equal(t, http.StatusCreated, res.Status, "%s", res.Body)
	res = tn.Do(t, "POST", "/v1/webhooks", map[string]any{"url": "https://hooks.example.com/x", "subscriptions": []string{"AUTH.UPDATED"}})
	require.Equal(t, http.StatusBadRequest, res.Status, "%s", res.Body)
	require.Contains(t, string(res.Body), "subscriptions[0]")
}

// eventName is what an event name literal looks like: DOMAIN.ACTION.
var eventName = regexp.MustCompile(`^[A-Z][A-Z_]*\.(CREATED|UPDATED|DELETED|TEST|SUBMITTED|APPROVED|DENIED|MANUAL_REVIEW|STATUS_CHANGED)$`)

// emittableEvents finds every event name the code can emit: the string
// literals shaped DOMAIN.ACTION in the non-test Go files of internal/ and
// cmd/, and the webhook.EventName("DOMAIN", webhook.Action) calls.
func emittableEvents(t *testing.T) []string {
	t.Helper()
	actions := map[string]string{"Created": webhook.Created, "Updated": webhook.Updated, "Deleted": webhook.Deleted}
	found := map[string]bool{}
	for _, dir := range []string{"../../internal", "../../cmd"} {
		err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
				return err
			}
			f, err := parser.ParseFile(token.NewFileSet(), path, nil, 0)
			if err != nil {
				return err
			}
			ast.Inspect(f, func(n ast.Node) bool {
				switch n := n.(type) {
				case *ast.BasicLit:
					if v, err := strconv.Unquote(n.Value); n.Kind == token.STRING && err == nil && eventName.MatchString(v) {
						found[v] = true
					}
				case *ast.CallExpr:
					fn, ok := n.Fun.(*ast.Ident)
					if sel, isSel := n.Fun.(*ast.SelectorExpr); isSel {
						fn, ok = sel.Sel, true
					}
					if !ok || fn.Name != "EventName" || len(n.Args) != 2 {
						return true
					}
					domain, isLit := n.Args[0].(*ast.BasicLit)
					action := n.Args[1]
					if sel, isSel := action.(*ast.SelectorExpr); isSel {
						action = sel.Sel
					}
					ident, isIdent := action.(*ast.Ident)
					if isLit && isIdent && actions[ident.Name] != "" {
						d, _ := strconv.Unquote(domain.Value)
						found[webhook.EventName(d, actions[ident.Name])] = true
					}
				}
				return true
			})
			return nil
		})
		require.NoError(t, err)
	}
	out := make([]string, 0, len(found))
	for e := range found {
		out = append(out, e)
	}
	slices.Sort(out)
	return out
}

// TestEveryEventHasASchema: every event the code can emit is in the
// WebhookEventType enum, is subscribable (or is WEBHOOK.TEST), and has a
// payload schema in the WebhookEvent union (discriminator mapping and
// oneOf) whose event is that one and whose data is a resource schema;
// and the union has nothing else.
func TestEveryEventHasASchema(t *testing.T) {
	t.Parallel()
	doc, err := api.GetSwagger()
	require.NoError(t, err)
	emitted := emittableEvents(t)
	require.Contains(t, emitted, "CUSTOMER.CREATED", "the scan finds the literals")
	require.Contains(t, emitted, "WEBHOOK.CREATED", "and the EventName calls")
	var enum []string
	for _, v := range doc.Components.Schemas["WebhookEventType"].Value.Enum {
		enum = append(enum, v.(string))
	}
	union := doc.Components.Schemas["WebhookEvent"].Value
	require.NotNil(t, union.Discriminator)
	require.Equal(t, "event", union.Discriminator.PropertyName)
	for _, e := range emitted {
		require.Contains(t, enum, e, "WebhookEventType lacks %s", e)
		require.True(t, e == webhook.TestEvent || webhook.ValidSubscription(e), "%s cannot be subscribed to", e)
	}
	require.Contains(t, emitted, "AUTH.DELETED", "internal/auth's event constants are found")
	require.ElementsMatch(t, enum, emitted, "WebhookEventType lists exactly the events the code emits")
	var members []string
	for _, ref := range union.OneOf {
		members = append(members, ref.Ref)
	}
	for _, e := range enum {
		ref, ok := union.Discriminator.Mapping[e]
		require.True(t, ok, "the discriminator maps %s", e)
		require.Contains(t, members, ref.Ref, "the oneOf lists %s", ref.Ref)
		s := doc.Components.Schemas[strings.TrimPrefix(ref.Ref, "#/components/schemas/")].Value
		require.NotNil(t, s, "%s exists", ref.Ref)
		require.ElementsMatch(t, []string{"eventId", "event", "createdAt", "data"}, s.Required, ref.Ref)
		require.Equal(t, []any{e}, s.Properties["event"].Value.Enum, "%s is the schema of %s", ref.Ref, e)
		require.Equal(t, "uuid", s.Properties["eventId"].Value.Format)
		data := s.Properties["data"]
		require.NotEmpty(t, data.Ref, "%s: data is a resource schema", e)
	}
	require.Len(t, union.OneOf, len(enum))
	cb := doc.Paths.Find("/v1/webhooks").Post.Callbacks["event"].Value.Value("{$request.body#/url}")
	require.NotNil(t, cb, "POST /v1/webhooks declares the delivery as a callback")
	require.Equal(t, "#/components/schemas/WebhookEvent", cb.Post.RequestBody.Value.Content["application/json"].Schema.Ref)
}

var eventSchemas = sync.OnceValues(func() (*openapi3.T, error) { return api.GetSwagger() })

// validateEvent checks a delivered body against the spec: the WebhookEvent
// union and the per-event schema its discriminator names.
func validateEvent(body []byte) error {
	doc, err := eventSchemas()
	if err != nil {
		return err
	}
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		return err
	}
	union := doc.Components.Schemas["WebhookEvent"].Value
	if err := union.VisitJSON(v); err != nil {
		return fmt.Errorf("the payload is not a WebhookEvent: %w", err)
	}
	name, _ := v.(map[string]any)["event"].(string)
	ref, ok := union.Discriminator.Mapping[name]
	if !ok {
		return fmt.Errorf("no schema for event %q", name)
	}
	s := doc.Components.Schemas[strings.TrimPrefix(ref.Ref, "#/components/schemas/")].Value
	if err := s.VisitJSON(v); err != nil {
		return fmt.Errorf("the payload is not a %s: %w", ref.Ref, err)
	}
	return nil
}

// TestValidateEventRefusesAWrongPayload: the payload check is not a
// rubber stamp.
func TestValidateEventRefusesAWrongPayload(t *testing.T) {
	t.Parallel()
	ok := `{"eventId":"0193a1f2-7c1e-7a5b-9c1d-2e3f4a5b6c7d","event":"WEBHOOK.TEST","createdAt":1732893484,"data":{"test":true}}`
	require.NoError(t, validateEvent([]byte(ok)))
	for _, bad := range []string{
		strings.Replace(ok, `"test":true`, `"customerId":1`, 1),             // data of another shape
		strings.Replace(ok, `WEBHOOK.TEST`, `CUSTOMER.CREATED`, 1),          // a customer event without a customer
		strings.Replace(ok, `WEBHOOK.TEST`, `CUSTOMER.DELETED`, 1),          // no such event
		strings.Replace(ok, `0193a1f2-7c1e-7a5b-9c1d-2e3f4a5b6c7d`, `x`, 1), // not a uuid
	} {
		require.Error(t, validateEvent([]byte(bad)), bad)
	}
}

// TestEveryDeliveredEventMatchesItsSchema: a receiver subscribed to ALL
// follows a sandbox journey (customer, accounts, portfolios, purchases
// that fill, a price change, updates, the wallet and banking surfaces'
// changes (surfaceJourney), a test event, a token); every delivery
// verifies both ways and its payload validates against its event's schema
// (the receiver checks each, see receiver.verify), and the journey covers
// every event type (a token issued and revoked last: AUTH.*).
func TestEveryDeliveredEventMatchesItsSchema(t *testing.T) {
	t.Parallel()
	tr := newTrader(t, apitest.Options{Jobs: true, WebhookAllowPrivate: true})
	rc := newReceiver(t, tr.tn, nil)
	id := rc.subscribe(tr.tn, "ALL")
	customerID := createCustomer(t, tr.tn, customerOpts{})
	tr.customerID = customerID
	tr.setPrice(t, "AAPL", "230")
	req := tr.purchase(t, path(`{"customerId": %d, "currency": "USD", "instrumentId": 1, "purchaseAmount": 100}`, customerID))
	require.Equal(t, "COMPLETED", tr.settled(t, req)["status"])
	req = tr.purchase(t, path(`{"customerId": %d, "currency": "USD", "instrumentId": 1, "purchaseAmount": 50}`, customerID))
	require.Equal(t, "COMPLETED", tr.settled(t, req)["status"], "a second fill updates the holding")
	require.Equal(t, http.StatusOK, tr.tn.Do(t, "PUT", "/v1/customers", map[string]any{"customerId": customerID, "status": "SUSPENDED"}).Status)
	surfaceJourney(t, tr.tn) // the wallet and banking events
	require.Equal(t, http.StatusOK, tr.tn.Do(t, "PUT", "/v1/webhooks", map[string]any{"webhookId": id, "subscriptions": []string{"ALL"}}).Status)
	require.Equal(t, http.StatusNoContent, tr.tn.Do(t, "POST", "/v1/webhooks/test", nil).Status)
	require.Equal(t, http.StatusCreated, tr.tn.Do(t, "POST", "/v1/reports", map[string]any{"reportTypes": []string{"USER"}}).Status) // REPORT.*
	tr.tn.NewToken(t)                                                                                                                // AUTH.CREATED
	res := tr.tn.Do(t, "POST", "/v1/oauth/revoke", nil)                                                                              // the caller's token: AUTH.DELETED
	require.Equal(t, http.StatusNoContent, res.Status, "%s", res.Body)

	doc, err := api.GetSwagger()
	require.NoError(t, err)
	want := map[string]bool{}
	for _, v := range doc.Components.Schemas["WebhookEventType"].Value.Enum {
		want[v.(string)] = true
	}
	seen := map[string]bool{}
	var got []delivery
	require.Eventually(t, func() bool {
		got = rc.deliveries()
		for _, d := range got {
			seen[d.Event] = true
		}
		for e := range want {
			if !seen[e] {
				return false
			}
		}
		return true
	}, 15*time.Second, 20*time.Millisecond, "every event type is delivered: saw %v", seen)
	for _, d := range got {
		require.NoError(t, d.verified, "%s %s", d.Event, d.body)
	}
}
