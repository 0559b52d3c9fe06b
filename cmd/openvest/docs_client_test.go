package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha512"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/openvest/openvest/internal/apitest"
	"github.com/openvest/openvest/internal/testdb"
	"github.com/openvest/openvest/internal/webhooktest"
	"github.com/stretchr/testify/require"
)

// docsClient is a client written only from the Pipevest docs (the fact
// sheet PIPEVEST.md), deliberately without any Openvest code: its own
// signer in the docs' form (capitalised component names, one
// `"<Name>": <value>` line each, @target-uri the scheme and host only, the
// sha-512 of the base signed with ed25519), X-Idempotency-Id on every
// mutation (the endpoint pages' name), the flat token of POST
// /v1/oauth/token, ZK for the kwacha and an integer referenceId.
type docsClient struct {
	t        *testing.T
	http     *http.Client
	base     string // https://api.pipevest.com/v1 in the docs; here the server's origin
	keyID    string
	key      ed25519.PrivateKey
	clientID string
	token    string
}

// The docs' component lists: the endpoint pages' order for requests with a
// body, and seed 001's GET list (which covers the body headers and the
// idempotency header a GET does not carry: their values are empty).
var (
	docsBodyComponents   = []string{"Content-Type", "Content-Digest", "Content-Length", "Authorization", "X-Client-Id", "X-Idempotency-Id", "@method", "@target-uri", "@path", "@query"}
	docsTokenComponents  = []string{"Content-Type", "Content-Digest", "Content-Length", "X-Idempotency-Id", "@method", "@target-uri", "@path", "@query"}
	docsGETComponents    = []string{"Authorization", "Content-Digest", "Content-Length", "Content-Type", "X-Client-Id", "X-Idempotency-Key", "@method", "@target-uri", "@path", "@query"}
	docsDeleteOrBodiless = []string{"Authorization", "X-Client-Id", "X-Idempotency-Id", "@method", "@target-uri", "@path", "@query"}
)

// docsResponse is one answer: status and the decoded JSON (numbers kept exact).
type docsResponse struct {
	Status int
	Body   map[string]any
	Raw    string
}

func (r docsResponse) data(t *testing.T) map[string]any {
	t.Helper()
	d, ok := r.Body["data"].(map[string]any)
	require.True(t, ok, "no data object: %s", r.Raw)
	return d
}

func (r docsResponse) items(t *testing.T) []map[string]any {
	t.Helper()
	list, ok := r.Body["data"].([]any)
	require.True(t, ok, "no data list: %s", r.Raw)
	out := make([]map[string]any, len(list))
	for i, v := range list {
		out[i] = v.(map[string]any)
	}
	return out
}

// send signs and sends one request the docs' way. contentType is
// application/json or application/x-www-form-urlencoded for bodies.
func (c *docsClient) send(method, path string, body []byte, contentType string) docsResponse {
	t := c.t
	t.Helper()
	req, err := http.NewRequest(method, c.base+path, bytes.NewReader(body))
	require.NoError(t, err)
	token := path == "/v1/oauth/token"
	components := docsGETComponents
	switch {
	case token:
		components = docsTokenComponents
	case len(body) > 0:
		components = docsBodyComponents
	case method != http.MethodGet:
		components = docsDeleteOrBodiless
	}
	if len(body) > 0 {
		sum := sha512.Sum512(body)
		req.Header.Set("Content-Type", contentType)
		req.Header.Set("Content-Digest", "sha-512=:"+base64.StdEncoding.EncodeToString(sum[:])+":")
		req.Header.Set("Content-Length", strconv.Itoa(len(body)))
	}
	if !token {
		req.Header.Set("Authorization", "Bearer "+c.token)
		req.Header.Set("X-Client-Id", c.clientID)
	}
	if method != http.MethodGet {
		req.Header.Set("X-Idempotency-Id", uuid.NewString())
	}
	c.sign(req, components)
	res, err := c.http.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	out := docsResponse{Status: res.StatusCode, Raw: string(raw)}
	if len(raw) > 0 {
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		require.NoError(t, dec.Decode(&out.Body), "%s %s: %s", method, path, raw)
	}
	return out
}

// sign writes Signature-Input and Signature as the docs' message-signature
// page describes, by hand.
func (c *docsClient) sign(req *http.Request, components []string) {
	created := time.Now().Unix()
	quoted := make([]string, len(components))
	for i, name := range components {
		quoted[i] = `"` + name + `"`
	}
	params := "(" + strings.Join(quoted, " ") + `);keyid="` + c.keyID + `";created=` + strconv.FormatInt(created, 10) + ";expires=" + strconv.FormatInt(created+100, 10)
	var base strings.Builder
	for _, name := range components {
		var value string
		switch name {
		case "@method":
			value = req.Method
		case "@target-uri":
			value = req.URL.Scheme + "://" + req.URL.Host // scheme and host only, as the docs' worked example
		case "@path":
			value = req.URL.Path
		case "@query":
			value = "?" + req.URL.RawQuery
		default:
			value = req.Header.Get(name) // empty when the request does not carry it
		}
		fmt.Fprintf(&base, "%q: %s\n", name, value)
	}
	base.WriteString(`"@signature-params": ` + params)
	hash := sha512.Sum512([]byte(base.String()))
	req.Header.Set("Signature-Input", "sig1="+params)
	req.Header.Set("Signature", "sig1=:"+base64.StdEncoding.EncodeToString(ed25519.Sign(c.key, hash[:]))+":")
}

func (c *docsClient) json(method, path, body string) docsResponse {
	c.t.Helper()
	return c.send(method, path, []byte(body), "application/json")
}

func (c *docsClient) get(path string) docsResponse {
	c.t.Helper()
	return c.send(http.MethodGet, path, nil, "")
}

// settled polls a request until it leaves PENDING (bounded).
func (c *docsClient) settled(id any) map[string]any {
	t := c.t
	t.Helper()
	var r map[string]any
	require.Eventually(t, func() bool {
		res := c.get(fmt.Sprintf("/v1/requests/%v", id))
		require.Equal(t, http.StatusOK, res.Status, res.Raw)
		r = res.data(t)
		return r["status"] != "PENDING"
	}, 20*time.Second, 50*time.Millisecond, "request %v stayed PENDING", id)
	return r
}

// TestDocsClientJourney runs a client written to the Pipevest docs against
// the real binary (`openvest serve` as a child process) on PostgreSQL, for
// an organization that requires signatures: token, customer, accounts,
// purchase and sell at seed 002's literal URLs, cancel, transactions by id,
// assets with the docs' fields, a webhook configured with the docs' body
// and its deliveries verified the docs' way, revoke (AUTH.DELETED).
func TestDocsClientJourney(t *testing.T) {
	dbURL := testdb.FreshURL(t)
	t.Setenv("OPENVEST_DATABASE_URL", dbURL)
	t.Setenv("OPENVEST_LOG_LEVEL", "warn")
	ctx := context.Background()
	require.NoError(t, run(ctx, []string{"migrate"}, &bytes.Buffer{}, &bytes.Buffer{}))
	addr := freeAddr(t)
	serveProcess(t, addr, dbURL)

	// An organization as the docs onboard one: it signs every request with
	// an ed25519 key made by openssl (PEM) and registered beforehand.
	var stdout bytes.Buffer
	require.NoError(t, run(ctx, []string{"org", "create", "--name", "Docs Client",
		"--investment-types", "INTERNATIONAL_STOCKS,BONDS", "--default-investment-types", "INTERNATIONAL_STOCKS"}, &stdout, &bytes.Buffer{}))
	var org struct{ ClientID, ClientSecret, SignaturePolicy string }
	require.NoError(t, json.Unmarshal(stdout.Bytes(), &org), stdout.String())
	require.Equal(t, "required", org.SignaturePolicy)
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	der, err := x509.MarshalPKIXPublicKey(pub)
	require.NoError(t, err)
	pubFile := filepath.Join(t.TempDir(), "staging-pipevest-ed25519.pub.pem")
	require.NoError(t, os.WriteFile(pubFile, pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), 0o644))
	require.NoError(t, run(ctx, []string{"org", "add-key", "--client-id", org.ClientID, "--key-id", "staging-pipevest-ed25519", "--public-key", pubFile}, &bytes.Buffer{}, &bytes.Buffer{}))

	c := &docsClient{
		t: t, http: &http.Client{Transport: apitest.NewValidatingTransport(t, nil)}, base: "http://" + addr,
		keyID: "staging-pipevest-ed25519", key: priv, clientID: org.ClientID,
	}

	// Token: form fields clientId and clientSecret; the answer is flat.
	form := url.Values{"clientId": {org.ClientID}, "clientSecret": {org.ClientSecret}}.Encode()
	res := c.send(http.MethodPost, "/v1/oauth/token", []byte(form), "application/x-www-form-urlencoded")
	require.Equal(t, http.StatusCreated, res.Status, res.Raw)
	require.Equal(t, "Bearer", res.Body["tokenType"])
	require.Equal(t, []any{"read", "write"}, res.Body["scope"])
	require.Equal(t, org.ClientID, res.Body["organization"].(map[string]any)["clientId"])
	require.Equal(t, json.Number("3600"), res.Body["expiresIn"])
	c.token = res.Body["token"].(string)
	tokenID := res.Body["tokenId"]

	// Customer, with the guide's integer referenceId.
	res = c.json(http.MethodPost, "/v1/customers", `{"firstName": "Jane", "lastName": "Banda", "referenceId": 123456}`)
	require.Equal(t, http.StatusCreated, res.Status, res.Raw)
	customer := res.data(t)
	require.Equal(t, "123456", customer["referenceId"])
	customerID := customer["customerId"]

	// Accounts: the default one (seed 001's GET signature), a new one in
	// ZK, and the default one moved to ZK.
	res = c.get(fmt.Sprintf("/v1/accounts?customerId=%v", customerID))
	require.Equal(t, http.StatusOK, res.Status, res.Raw)
	accounts := res.items(t)
	require.Len(t, accounts, 1)
	require.Equal(t, json.Number("0"), res.Body["meta"].(map[string]any)["nextPage"])
	res = c.json(http.MethodPost, "/v1/accounts", fmt.Sprintf(`{"customerId": %v, "currency": "ZK", "investmentTypes": "BONDS"}`, customerID))
	require.Equal(t, http.StatusCreated, res.Status, res.Raw)
	require.Equal(t, "ZK", res.data(t)["currency"])
	res = c.json(http.MethodPut, "/v1/accounts", fmt.Sprintf(`{"accountId": %v, "status": "ACTIVE", "currency": "ZK"}`, accounts[0]["accountId"]))
	require.Equal(t, http.StatusOK, res.Status, res.Raw)
	require.Equal(t, "ZK", res.data(t)["currency"])

	// A purchase in ZK (the endpoint pages' enum), executed by the server.
	res = c.json(http.MethodPost, "/v1/requests/purchase", fmt.Sprintf(`{"customerId": %v, "currency": "ZK", "instrumentId": 1, "purchaseAmount": 1550, "isRecurring": false, "schedule": "ONCE"}`, customerID))
	require.Equal(t, http.StatusCreated, res.Status, res.Raw)
	purchase := c.settled(res.data(t)["requestId"])
	require.Equal(t, "COMPLETED", purchase["status"], "%v", purchase)
	require.Equal(t, "ZK", purchase["currency"])

	// Assets with the docs' fields.
	res = c.get(fmt.Sprintf("/v1/assets?customerId=%v", customerID))
	require.Equal(t, http.StatusOK, res.Status, res.Raw)
	assets := res.items(t)
	require.Len(t, assets, 1)
	asset := assets[0]
	for _, field := range []string{"assetId", "instrumentId", "customerId", "name", "symbol", "investmentAmount", "currency", "position", "locked", "available", "purchasePrice", "marketPrice", "createdAt", "updatedAt"} {
		require.Contains(t, asset, field)
	}
	require.Equal(t, "Apple Inc.", asset["name"])
	require.Equal(t, asset["position"], asset["available"], "nothing locked")

	// A sell at seed 002's literal URL, with the endpoint page's body
	// (both sellAmount and sellPercentage: the amount applies).
	res = c.json(http.MethodPost, "/v1/requests/purchase/sell", fmt.Sprintf(`{"customerId": %v, "assetId": %v, "currency": "ZK", "sellAmount": 500, "sellPercentage": 50, "isRecurring": false, "schedule": "ONCE"}`, customerID, asset["assetId"]))
	require.Equal(t, http.StatusCreated, res.Status, res.Raw)
	sell := res.data(t)
	require.Equal(t, "SELL", sell["requestType"])
	require.Equal(t, json.Number("500"), sell["sellAmount"])
	require.Equal(t, "COMPLETED", c.settled(sell["requestId"])["status"])

	// A recurring purchase at the guide's recurring URL, then cancel it:
	// first with the guide's body (no requestId: 400 naming it), then right.
	res = c.json(http.MethodPost, "/v1/requests/purchase/purchase", fmt.Sprintf(`{"customerId": %v, "currency": "ZK", "instrumentId": 1, "purchaseAmount": 1550, "isRecurring": true, "schedule": "WEEKLY"}`, customerID))
	require.Equal(t, http.StatusCreated, res.Status, res.Raw)
	plan := res.data(t)
	require.Equal(t, "PENDING", plan["status"])
	res = c.json(http.MethodPut, "/v1/requests", `{"shouldCancelRequest": true}`)
	require.Equal(t, http.StatusBadRequest, res.Status, res.Raw)
	require.Contains(t, res.Raw, "requestId")
	res = c.json(http.MethodPut, "/v1/requests", fmt.Sprintf(`{"requestId": %v, "shouldCancelRequest": true}`, plan["requestId"]))
	require.Equal(t, http.StatusOK, res.Status, res.Raw)
	require.Equal(t, "CANCELED", res.data(t)["status"])

	// Transactions carry requestType, and each one is readable by id.
	res = c.get(fmt.Sprintf("/v1/transactions?customerId=%v", customerID))
	require.Equal(t, http.StatusOK, res.Status, res.Raw)
	txs := res.items(t)
	require.Len(t, txs, 2)
	require.Equal(t, "PURCHASE", txs[0]["requestType"])
	require.Equal(t, "SELL", txs[1]["requestType"])
	for _, tx := range txs {
		one := c.get(fmt.Sprintf("/v1/transactions/%v", tx["transactionId"]))
		require.Equal(t, http.StatusOK, one.Status, one.Raw)
		require.Equal(t, tx, one.data(t))
		for _, field := range []string{"transactionId", "assetId", "amount", "currency", "requestType", "status", "createdAt", "updatedAt"} {
			require.Contains(t, tx, field)
		}
	}

	// Webhooks as the docs configure them: POST {url, subscriptions}, then
	// PUT with the docs' body (no id: the organization's only webhook),
	// the webhook's key from GET /v1/webhooks/key, and every delivery
	// verified the docs' way (webhooktest.VerifyDocs: written from the
	// docs' validation page, no Openvest signing code).
	hooks := newDocsReceiver(t)
	res = c.json(http.MethodPost, "/v1/webhooks", fmt.Sprintf(`{"url": %q, "subscriptions": ["ACCOUNT"]}`, hooks.srv.URL+"/webhook2"))
	require.Equal(t, http.StatusCreated, res.Status, res.Raw)
	webhookID := res.data(t)["webhookId"]
	res = c.json(http.MethodPut, "/v1/webhooks", fmt.Sprintf(`{"url": %q, "subscriptions": ["CUSTOMER", "AUTH.DELETED"]}`, hooks.srv.URL+"/webhook2"))
	require.Equal(t, http.StatusOK, res.Status, res.Raw)
	require.Equal(t, webhookID, res.data(t)["webhookId"])
	res = c.get("/v1/webhooks/key")
	require.Equal(t, http.StatusOK, res.Status, res.Raw)
	require.Equal(t, webhookID, res.data(t)["webhookId"])
	pubKey, _, err := webhooktest.ParseDocsKey(res.data(t)["key"].(string))
	require.NoError(t, err)
	res = c.json(http.MethodPut, "/v1/customers", fmt.Sprintf(`{"customerId": %v, "firstName": "Janet"}`, customerID))
	require.Equal(t, http.StatusOK, res.Status, res.Raw)
	updated := hooks.await(t, "CUSTOMER.UPDATED")
	require.NoError(t, webhooktest.VerifyDocs(updated.r, updated.body, pubKey, hooks.srv.URL), "a delivery verifies the docs' way")
	var payload struct {
		EventID   string         `json:"eventId"`
		Event     string         `json:"event"`
		CreatedAt int64          `json:"createdAt"`
		Data      map[string]any `json:"data"`
	}
	require.NoError(t, json.Unmarshal(updated.body, &payload))
	_, err = uuid.Parse(payload.EventID)
	require.NoError(t, err, "eventId is a UUID")
	require.NotZero(t, payload.CreatedAt)
	require.Equal(t, "Janet", payload.Data["firstName"])
	created := hooks.await(t, "WEBHOOK.CREATED") // every new webhook gets it
	require.NoError(t, webhooktest.VerifyDocs(created.r, created.body, pubKey, hooks.srv.URL))

	// Revoke as documented: POST /v1/oauth/revoke?accessTokenId=.
	res = c.send(http.MethodPost, fmt.Sprintf("/v1/oauth/revoke?accessTokenId=%v", tokenID), nil, "")
	require.Equal(t, http.StatusNoContent, res.Status, res.Raw)
	res = c.get("/v1/customers")
	require.Equal(t, http.StatusUnauthorized, res.Status, res.Raw)
	revoked := hooks.await(t, "AUTH.DELETED")
	require.NoError(t, webhooktest.VerifyDocs(revoked.r, revoked.body, pubKey, hooks.srv.URL), "the revocation is delivered to the AUTH.DELETED subscription")
}

// docsDelivery is one request a docs receiver got.
type docsDelivery struct {
	r     *http.Request
	body  []byte
	event string
}

// docsReceiver is a webhook endpoint that keeps what it gets.
type docsReceiver struct {
	srv *httptest.Server
	mu  sync.Mutex
	got []docsDelivery
}

func newDocsReceiver(t *testing.T) *docsReceiver {
	rc := &docsReceiver{}
	rc.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var p struct{ Event string }
		_ = json.Unmarshal(body, &p)
		rc.mu.Lock()
		rc.got = append(rc.got, docsDelivery{r: r.Clone(context.Background()), body: body, event: p.Event})
		rc.mu.Unlock()
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(rc.srv.Close)
	return rc
}

// await waits (bounded) for a delivery of event.
func (rc *docsReceiver) await(t *testing.T, event string) docsDelivery {
	t.Helper()
	var out docsDelivery
	require.Eventually(t, func() bool {
		rc.mu.Lock()
		defer rc.mu.Unlock()
		for _, d := range rc.got {
			if d.event == event {
				out = d
				return true
			}
		}
		return false
	}, 20*time.Second, 20*time.Millisecond, "no %s delivery", event)
	return out
}
