package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/openvest/openvest/gen/spec"
	"github.com/openvest/openvest/httpsig"
	"github.com/openvest/openvest/internal/apitest"
	"github.com/stretchr/testify/require"
)

// The contract run: every operation of the spec is sent to a fresh server
// with its documented examples (each request body example once; path and
// query parameters from their examples), ids replaced by ones that earlier
// responses returned, and must answer the documented success status with a
// response that validates against the spec. Where an example cannot work as
// written, the example in the spec is what gets fixed.

// step is one request of the run: an operation and one of its request body
// examples ("" when it has none, or for its only `example`).
type step struct {
	op      string
	example string
	// as renames what the step captures (var → name, an @name apart from
	// the field names), so that a later step can use, with bind, a value
	// other than the latest of its kind.
	as   map[string]string
	bind map[string]string // var → name the step reads instead
	// do, instead of a request, changes the run's setting (starts the job queue, waits for it).
	do func(t *testing.T, r *contractRun)
}

// contractRun is the state of the contract run that do steps act on.
type contractRun struct {
	env  *apitest.Env
	tn   *apitest.Tenant
	vars map[string]string
}

// plan is the order of the run: creations before what uses them, and
// changes that end something (suspend, freeze, delete) last on their surface.
// An example of "*" stands for each of the operation's body examples.
var plan = []step{
	// Investing: tokens, the catalog, customers, accounts, portfolios.
	{op: "createToken", example: "*"}, // each example; the credentials are the run's own
	{op: "revokeToken"},
	{op: "createTokenLegacy", example: "*"},
	{op: "revokeTokenLegacy"},
	{op: "listInvestments"}, {op: "getInvestment"},
	{op: "listInstruments"}, {op: "getInstrument"}, {op: "listMarketData"}, {op: "getMarketData"},
	{op: "createCustomer", example: "minimal"},
	{op: "createCustomer", example: "numericReference"},
	{op: "createCustomer", example: "withReference"},
	{op: "listCustomers"}, {op: "getCustomer"},
	{op: "createAccount"}, {op: "listAccounts"}, {op: "getAccount"}, {op: "updateAccount"},
	{op: "createPortfolio"}, {op: "listPortfolios"}, {op: "getPortfolio"}, {op: "updatePortfolio"},
	// Webhooks, subscribed before the trading so that its events have deliveries.
	{op: "createWebhook"}, {op: "listWebhooks"}, {op: "updateWebhook", example: "*"}, {op: "getWebhookKey"}, {op: "testWebhooks"},
	{op: "fireSandboxEvent", bind: map[string]string{"resourceId": "customerId"}},
	// The request inspector, once it has written what came before.
	{do: awaitInspected}, {op: "listInspectedRequests"}, {op: "getInspectedRequest"}, {op: "streamInspectedRequests"},
	// Trading, with the sandbox controls. The job queue is off at first, so
	// that requests stay PENDING until forced; then it runs the cycles of a
	// weekly plan across three weeks of sandbox clock, so that the holding
	// is worth what the sell examples sell.
	{op: "setSandboxPrice"}, {op: "getSandboxClock"},
	{op: "createPurchaseRequest", example: "seed"},
	{op: "forceRequestOutcome", example: "completed"},
	{op: "listAssets"}, {op: "getAsset"},
	{op: "createSellRequest", example: "percentage"},
	{op: "forceRequestOutcome", example: "error"},
	{op: "createPurchaseRequestLegacy"},
	{op: "createPurchaseRequest", example: "recurring"},
	{op: "advanceSandboxClock", example: "anHour"},
	{do: startJobs},
	{op: "advanceSandboxClock", example: "threeWeeks"},
	{do: awaitCycles(6)},
	{op: "updateRequest"},
	{op: "createSellRequest", example: "seed"},
	{op: "createSellRequestLegacy"},
	{op: "createSellRequest", example: "docs"},
	{op: "createSellRequest", example: "recurring"},
	{op: "listRequests"}, {op: "getRequest"}, {op: "listTransactions"}, {op: "getTransaction"},
	// USSD, on the customer that traded (before it is suspended).
	{op: "getUssdHome"}, {op: "getUssdPortfolio"}, {op: "getUssdAssets"}, {op: "getUssdStocks"},
	{op: "getUssdTransactions"}, {op: "getUssdInstruments"}, {op: "createUssdRequest"},
	{op: "createUssdSession"}, {op: "processUssd", example: "*"},
	// Attach the holding to a second portfolio (after the sells of it).
	{do: portfolioLikeTheAsset}, {op: "attachPortfolioAsset", bind: map[string]string{"portfolioId": "assetPortfolioId"}},
	{op: "createReport", example: "*"}, {op: "listReports"}, {do: awaitReport}, {op: "getReport"}, {op: "getReportFile"},
	{op: "clearSandboxPrice"},
	{op: "listWebhookDeliveries"}, {op: "retryWebhookDelivery"},
	{op: "updateCustomer", example: "rename"}, {op: "updateCustomer", example: "suspend"},
	{op: "deleteWebhook"},
	// Wallet.
	{op: "createWalletCounterparty"}, {op: "listWalletCounterparties"}, {op: "getWalletCounterparty"},
	{op: "createWalletCustomer", example: "minimal"},
	{op: "createWalletCustomer", example: "full"},
	{op: "listWalletCustomers"}, {op: "getWalletCustomer"},
	{op: "updateWalletCustomer", example: "kyc"}, {op: "updateWalletCustomer", example: "disable"},
	{op: "createWalletAccount", example: "withIban"}, {op: "createWalletAccount", example: "withoutIban"},
	{op: "listWalletAccounts"},
	// Banking: a corporation (for its individuals), an application in
	// manual review (for the decision), then the individual journey.
	{op: "createBankingApplication", example: "corporation", as: map[string]string{"applicationId": "@corporation"}},
	{op: "createBankingApplicationDocument", example: "certificate", bind: map[string]string{"applicationId": "@corporation"}},
	{op: "submitBankingApplication", bind: map[string]string{"applicationId": "@corporation"}, as: map[string]string{"bankingCustomerId": "@corporationCustomer"}},
	{op: "createBankingApplication", example: "draft"},
	{op: "createBankingApplication", example: "corporationReview", as: map[string]string{"applicationId": "@review"}},
	{op: "createBankingApplicationDocument", example: "certificate", bind: map[string]string{"applicationId": "@review"}},
	{op: "submitBankingApplication", bind: map[string]string{"applicationId": "@review"}},
	{op: "decideBankingApplication", bind: map[string]string{"applicationId": "@review"}},
	{op: "createBankingApplication", example: "individual"},
	{op: "listBankingApplications"}, {op: "getBankingApplication"}, {op: "updateBankingApplication"},
	{op: "createBankingApplicationDocument", example: "passport"}, {op: "getBankingApplicationDocument"},
	{op: "submitBankingApplication"},
	{op: "listBankingCustomers"}, {op: "getBankingCustomer"},
	{op: "updateBankingCustomer", example: "address"}, {op: "updateBankingCustomer", example: "email"},
	{op: "getBankingCustomer", bind: map[string]string{"bankingCustomerId": "@corporationCustomer"}},
	{op: "getBankingIndividual", bind: map[string]string{"bankingCustomerId": "@corporationCustomer"}},
	{op: "updateBankingIndividual", bind: map[string]string{"bankingCustomerId": "@corporationCustomer"}},
	{op: "setBankingCustomerStatus"},
	// The sandbox's fault rules (matching nothing the run still sends),
	// then the resets, which empty the organization.
	{op: "createSandboxFault", example: "*"}, {op: "listSandboxFaults"}, {op: "deleteSandboxFault"},
	{op: "resetSandbox", example: "*"},
}

// startJobs starts the job queue: from then on requests execute as they would in production.
func startJobs(t *testing.T, r *contractRun) {
	require.NoError(t, r.env.App.Start(context.Background()))
}

// awaitCycles waits until the organization's requests have run n
// executions (the cycles the clock advance scheduled), for at most 30s.
func awaitCycles(n int) func(*testing.T, *contractRun) {
	return func(t *testing.T, r *contractRun) {
		require.Eventually(t, func() bool {
			res := r.tn.Do(t, http.MethodGet, "/v1/transactions?limit=1000", nil)
			var page struct{ Data []struct{ Cycle int } }
			res.JSON(t, &page)
			cycles := 0
			for _, tr := range page.Data {
				if tr.Cycle > 0 {
					cycles++
				}
			}
			return cycles >= n+2 // the forced purchase and the forced sell wrote one each
		}, 30*time.Second, 50*time.Millisecond, "the clock advance did not run %d cycles", n)
	}
}

// portfolioLikeTheAsset creates a second portfolio of the customer in the
// currency of the asset, for attachPortfolioAsset (assetPortfolioId).
func portfolioLikeTheAsset(t *testing.T, r *contractRun) {
	res := r.tn.Do(t, http.MethodGet, "/v1/assets/"+r.vars["assetId"], nil)
	var a struct{ Data struct{ Currency string } }
	res.JSON(t, &a)
	res = r.tn.Do(t, http.MethodPost, "/v1/portfolio", map[string]any{"customerId": json.Number(r.vars["customerId"]), "currency": a.Data.Currency})
	require.Equal(t, http.StatusCreated, res.Status, "%s", res.Body)
	var p struct{ Data struct{ PortfolioID int64 } }
	res.JSON(t, &p)
	r.vars["assetPortfolioId"] = strconv.FormatInt(p.Data.PortfolioID, 10)
}

// awaitInspected waits until the request inspector has written a record
// of the organization's (it writes moments after each answer).
func awaitInspected(t *testing.T, r *contractRun) {
	require.Eventually(t, func() bool {
		res := r.tn.Do(t, http.MethodGet, "/v1/sandbox/requests?limit=1", nil)
		var page struct{ Data []json.RawMessage }
		res.JSON(t, &page)
		return len(page.Data) > 0
	}, 30*time.Second, 20*time.Millisecond, "the request inspector wrote nothing")
}

// awaitReport waits until the job produced the latest report.
func awaitReport(t *testing.T, r *contractRun) {
	require.Eventually(t, func() bool {
		res := r.tn.Do(t, http.MethodGet, "/v1/reports/"+r.vars["reportId"], nil)
		var out struct{ Data struct{ Status string } }
		res.JSON(t, &out)
		return out.Data.Status == "COMPLETED"
	}, 30*time.Second, 50*time.Millisecond, "report %s was not produced", r.vars["reportId"])
}

// captures are what each operation's success response gives later steps:
// JSON pointer → var.
var captures = map[string]map[string]string{
	"createToken":                      {"/tokenId": "accessTokenId"},
	"listInspectedRequests":            {"/data/0/id": "inspectedRequestId"},
	"createTokenLegacy":                {"/data/accessTokenId": "accessTokenId"},
	"listTransactions":                 {"/data/0/transactionId": "transactionId"},
	"listInvestments":                  {"/data/0/investmentId": "investmentId"},
	"getInstrument":                    {"/data/instrumentId": "instrumentId"},
	"createCustomer":                   {"/data/customerId": "customerId"},
	"createAccount":                    {"/data/accountId": "accountId"},
	"createPortfolio":                  {"/data/portfolioId": "portfolioId"},
	"createReport":                     {"/data/reportId": "reportId"},
	"createWebhook":                    {"/data/webhookId": "webhookId"},
	"createSandboxFault":               {"/data/faultId": "faultId"},
	"createPurchaseRequest":            {"/data/requestId": "requestId"},
	"createSellRequest":                {"/data/requestId": "requestId"},
	"listAssets":                       {"/data/0/assetId": "assetId"},
	"createUssdSession":                {"/data/sessionId": "sessionId"},
	"listWebhookDeliveries":            {"/data/0/deliveryId": "deliveryId"},
	"createWalletCounterparty":         {"/counterparty_guid": "counterparty_guid"},
	"createWalletCustomer":             {"/customer_guid": "customer_guid"},
	"createBankingApplication":         {"/id": "applicationId"},
	"createBankingApplicationDocument": {"/id": "documentId"},
	"submitBankingApplication":         {"/customer_id": "bankingCustomerId"},
	"getBankingCustomer":               {"/individuals/0/id": "individualId"},
}

// variable names the var that replaces the example value of a parameter or
// a top-level body field called name, in an operation on path.
func variable(path, name string) string {
	switch name {
	case "id":
		if strings.HasPrefix(path, "/applications") || strings.HasPrefix(path, "/sandbox/applications") {
			return "applicationId"
		}
		return "bankingCustomerId"
	case "document_id":
		return "documentId"
	case "individual_id":
		return "individualId"
	case "wallet_user_guid":
		return "customer_guid"
	}
	return name
}

type operation struct {
	method, path string
	op           *openapi3.Operation
	params       openapi3.Parameters
}

// bodyExample is one request body example and its media type.
type bodyExample struct {
	mediaType string
	value     any
}

// bodyExamples are an operation's request body examples by name: the media
// type's `examples`, or its `example` under the media type's name (a name
// two media types share is prefixed with its media type).
func bodyExamples(op *openapi3.Operation) map[string]bodyExample {
	out := map[string]bodyExample{}
	if op.RequestBody == nil || op.RequestBody.Value == nil {
		return out
	}
	add := func(name, mt string, v any) {
		if _, taken := out[name]; taken {
			name = mt + " " + name
		}
		out[name] = bodyExample{mediaType: mt, value: v}
	}
	for mt, media := range op.RequestBody.Value.Content {
		if media.Example != nil {
			add(mt, mt, media.Example)
		}
		for name, ex := range media.Examples {
			add(name, mt, ex.Value.Value)
		}
	}
	return out
}

// expand replaces each step whose example is "*" by one step per request
// body example of its operation, in name order.
func expand(plan []step, ops map[string]operation) []step {
	var out []step
	for _, s := range plan {
		if s.example != "*" || s.do != nil {
			out = append(out, s)
			continue
		}
		var names []string
		for name := range bodyExamples(ops[s.op].op) {
			names = append(names, name)
		}
		sort.Strings(names)
		for _, name := range names {
			e := s
			e.example = name
			out = append(out, e)
		}
	}
	return out
}

// successStatuses are the 2xx statuses the operation documents.
func successStatuses(op *openapi3.Operation) []int {
	var out []int
	for code := range op.Responses.Map() {
		var n int
		if _, err := fmt.Sscanf(code, "%d", &n); err == nil && n >= 200 && n < 300 {
			out = append(out, n)
		}
	}
	sort.Ints(out)
	return out
}

func paramExample(p *openapi3.Parameter) any {
	if p.Example != nil {
		return p.Example
	}
	if p.Schema != nil && p.Schema.Value != nil {
		return p.Schema.Value.Example
	}
	return nil
}

// pointer reads a JSON pointer of the form /a/0/b from a decoded document.
func pointer(doc any, ptr string) (any, bool) {
	cur := doc
	for _, part := range strings.Split(strings.TrimPrefix(ptr, "/"), "/") {
		switch c := cur.(type) {
		case map[string]any:
			v, ok := c[part]
			if !ok {
				return nil, false
			}
			cur = v
		case []any:
			var i int
			if _, err := fmt.Sscanf(part, "%d", &i); err != nil || i >= len(c) {
				return nil, false
			}
			cur = c[i]
		default:
			return nil, false
		}
	}
	return cur, cur != nil
}

func scalar(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case json.Number:
		return x.String()
	case float64:
		return fmt.Sprintf("%.0f", x)
	}
	return fmt.Sprint(v)
}

func TestSpecExamplesRun(t *testing.T) {
	t.Parallel()
	// The bundled spec as served at /openapi.yaml (the operationIds as written).
	doc, err := openapi3.NewLoader().LoadFromData(spec.YAML)
	require.NoError(t, err)
	ops := map[string]operation{}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			ops[op.OperationID] = operation{method: method, path: path, op: op, params: append(append(openapi3.Parameters{}, item.Parameters...), op.Parameters...)}
		}
	}

	// The plan covers every operation and every request body example, each once.
	plan := expand(plan, ops)
	planned := map[string]bool{}
	for _, s := range plan {
		if s.do != nil {
			continue
		}
		o, ok := ops[s.op]
		require.True(t, ok, "the plan names %s, which the spec does not have", s.op)
		exs := bodyExamples(o.op)
		if s.example != "" {
			_, ok := exs[s.example]
			require.True(t, ok, "%s has no request body example %q", s.op, s.example)
		}
		planned[s.op+"#"+s.example] = true
	}
	var missing []string
	for id, o := range ops {
		exs := bodyExamples(o.op)
		if len(exs) == 0 && !planned[id+"#"] {
			missing = append(missing, id)
		}
		for name := range exs {
			if !planned[id+"#"+name] && !(len(exs) == 1 && planned[id+"#"]) {
				missing = append(missing, id+" example "+name)
			}
		}
	}
	sort.Strings(missing)
	require.Empty(t, missing, "operations and examples of the spec that the contract run does not send: add them to the plan")

	env := apitest.Start(t, apitest.Options{})
	// A sandbox organization whose customers start without accounts, so that
	// the createAccount example (an INTERNATIONAL_STOCKS account) can work.
	tn := env.NewTenant(t, apitest.TenantOptions{Sandbox: true, DefaultInvestmentTypes: []string{}})
	check := apitest.NewValidatingTransport(t, nil)
	vars := map[string]string{
		"clientId": tn.Org.ClientID, "clientSecret": tn.ClientSecret,
		"client_id": tn.Org.ClientID, "client_secret": tn.ClientSecret, // the OAuth 2.0 form's names
	}

	r := &contractRun{env: env, tn: tn, vars: vars}
	passed, requests := 0, 0
	for i, s := range plan {
		if s.do != nil {
			s.do(t, r)
			continue
		}
		requests++
		o := ops[s.op]
		name := fmt.Sprintf("%02d_%s", i+1, s.op)
		if s.example != "" {
			name += "_" + strings.ReplaceAll(s.example, "/", "_")
		}
		ok := t.Run(name, func(t *testing.T) {
			lookup := func(param string) (string, bool) {
				v := variable(o.path, param)
				if b, ok := s.bind[v]; ok {
					v = b
				}
				got, ok := vars[v]
				return got, ok
			}
			// Path and query parameters: their examples, ids substituted.
			path := o.path
			query := url.Values{}
			for _, pr := range o.params {
				p := pr.Value
				if p.In != "path" && p.In != "query" {
					continue // headers: the client's own (token, signature, idempotency key)
				}
				if p.Example == nil && !p.Required {
					continue // an optional parameter without an example of its own is not sent
				}
				ex := paramExample(p)
				value, ok := lookup(p.Name)
				if !ok {
					require.NotNil(t, ex, "%s: the required %s parameter %s has no example", s.op, p.In, p.Name)
					value = scalar(ex)
				}
				switch p.In {
				case "path":
					path = strings.ReplaceAll(path, "{"+p.Name+"}", url.PathEscape(value))
				case "query":
					if list, isList := ex.([]any); isList && !ok {
						for _, v := range list {
							query.Add(p.Name, scalar(v)) // a repeated parameter: one value per element
						}
					} else {
						query.Set(p.Name, value)
					}
				}
			}
			if len(query) > 0 {
				path += "?" + query.Encode()
			}

			// The body example, its top-level ids substituted.
			var body []byte
			contentType := "application/json"
			if exs := bodyExamples(o.op); len(exs) > 0 {
				key := s.example
				if key == "" {
					for k := range exs {
						key = k
					}
				}
				ex := exs[key].value
				if m, ok := ex.(map[string]any); ok {
					sub := map[string]any{}
					for k, v := range m {
						sub[k] = v
						if got, ok := lookup(k); ok {
							if _, isNum := v.(float64); isNum {
								sub[k] = json.Number(got)
							} else {
								sub[k] = got
							}
						}
					}
					ex = sub
				}
				if mt := exs[key].mediaType; mt == "application/x-www-form-urlencoded" {
					contentType = mt
					form := url.Values{}
					for k, v := range ex.(map[string]any) {
						form.Set(k, scalar(v))
					}
					body = []byte(form.Encode())
				} else {
					body, err = json.Marshal(ex)
					require.NoError(t, err)
				}
			}

			req, err := http.NewRequest(strings.ToUpper(o.method), env.Server.URL+path, bytes.NewReader(body))
			require.NoError(t, err)
			if !strings.HasPrefix(o.path, "/v1/oauth/token") {
				req.Header.Set("Authorization", "Bearer "+tn.Token)
				req.Header.Set("X-Client-Id", tn.Org.ClientID)
			}
			if body != nil {
				req.Header.Set("Content-Type", contentType)
			}
			if req.Method != http.MethodGet && !strings.HasPrefix(o.path, "/v1/oauth/") {
				req.Header.Set("X-Idempotency-Key", httpsig.NewIdempotencyKey())
			}
			require.NoError(t, tn.Signer().Sign(req, body))
			res, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			data, err := io.ReadAll(res.Body)
			require.NoError(t, err)
			require.NoError(t, res.Body.Close())

			want := successStatuses(o.op)
			t.Logf("%s %s → %d %s", req.Method, path, res.StatusCode, data)
			require.NotEmpty(t, want, "%s documents no success status", s.op)
			require.Contains(t, want, res.StatusCode, "%s %s\nrequest: %s\nresponse: %s", req.Method, path, body, data)
			require.NoError(t, check.Check(req, res.StatusCode, res.Header, data), "%s %s: %s", req.Method, path, data)

			if len(data) > 0 && !strings.HasPrefix(res.Header.Get("Content-Type"), "text/event-stream") { // a live tail is not JSON
				var decoded any
				dec := json.NewDecoder(bytes.NewReader(data))
				dec.UseNumber()
				require.NoError(t, dec.Decode(&decoded))
				for ptr, v := range captures[s.op] {
					got, ok := pointer(decoded, ptr)
					if !ok {
						continue // not every answer has it (a submission in review has no customer yet)
					}
					if alias, ok := s.as[v]; ok {
						v = alias
					}
					vars[v] = scalar(got)
				}
			}
		})
		if ok {
			passed++
		}
	}
	fmt.Printf("contract run over the spec's examples: %d operations, %d requests, %d passed, %d failed\n", len(ops), requests, passed, requests-passed)
}
