package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/openvest/openvest/httpsig"
	"github.com/stretchr/testify/require"
)

// TestUssdGateway simulates a USSD gateway in front of `make run` (the
// embedded SQLite database, the job queue executing requests): a kwacha
// customer walks from the home menu through buying a fractional share of
// AAPL to seeing it in the portfolio menu, once in the menu-URL style and
// once in the session style, and both requests show in /v1/requests.
func TestUssdGateway(t *testing.T) {
	base, org, token, plain := serveSandboxOnSQLite(t, "Gateway")

	// send is the gateway's call: the token, the client id and nothing else
	// (the docs' USSD calls carry no idempotency key).
	send := func(method, target string, form url.Values, jsonBody any) (int, map[string]any) {
		t.Helper()
		var body io.Reader
		ct := ""
		switch {
		case form != nil:
			body, ct = strings.NewReader(form.Encode()), "application/x-www-form-urlencoded"
		case jsonBody != nil:
			b, err := json.Marshal(jsonBody)
			require.NoError(t, err)
			body, ct = bytes.NewReader(b), "application/json"
		}
		req, err := http.NewRequest(method, base+target, body)
		require.NoError(t, err)
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("X-Client-Id", org.ClientID)
		if ct != "" {
			req.Header.Set("Content-Type", ct)
		}
		if method != http.MethodGet && !strings.HasPrefix(target, "/v1/ussd/") {
			req.Header.Set("X-Idempotency-Key", httpsig.NewIdempotencyKey()) // the integrator's own calls
		}
		res, err := plain.Do(req)
		require.NoError(t, err)
		defer res.Body.Close()
		var out map[string]any
		require.NoError(t, json.NewDecoder(res.Body).Decode(&out))
		return res.StatusCode, out
	}
	data := func(out map[string]any) map[string]any { return out["data"].(map[string]any) }

	// A customer whose account and portfolio are in kwacha.
	status, created := send("POST", "/v1/customers", nil, map[string]any{"firstName": "Mutale", "lastName": "Phiri"})
	require.Equal(t, http.StatusCreated, status, "%v", created)
	customerID := int64(data(created)["customerId"].(float64))
	_, accs := send("GET", "/v1/accounts?customerId="+itoa64(customerID), nil, nil)
	accountID := accs["data"].([]any)[0].(map[string]any)["accountId"]
	status, _ = send("PUT", "/v1/accounts", nil, map[string]any{"accountId": accountID, "currency": "ZMW"})
	require.Equal(t, http.StatusOK, status)
	_, ps := send("GET", "/v1/portfolio?customerId="+itoa64(customerID), nil, nil)
	status, _ = send("PUT", "/v1/portfolio", nil, map[string]any{"portfolioId": ps["data"].([]any)[0].(map[string]any)["portfolioId"], "currency": "ZMW"})
	require.Equal(t, http.StatusOK, status)

	// Menu-URL style: follow the links.
	option := func(screen map[string]any, line string) (string, string) {
		t.Helper()
		d := data(screen)
		msg := d["ussdMessage"].(string)
		for _, l := range strings.Split(msg, "\n") {
			num, rest, ok := strings.Cut(l, ". ")
			if !ok || !strings.HasPrefix(rest, line) {
				continue
			}
			for _, o := range d["ussdOptions"].([]any) {
				o := o.(map[string]any)
				if itoa64(int64(o["option"].(float64))) == num {
					return o["requestType"].(string), o["requestUrl"].(string)
				}
			}
		}
		require.Failf(t, "no such option", "%q on %q", line, msg)
		return "", ""
	}
	follow := func(screen map[string]any, line string) map[string]any {
		t.Helper()
		method, target := option(screen, line)
		status, next := send(method, target, nil, nil)
		require.Equal(t, http.StatusOK, status, "%v", next)
		return next
	}
	_, home := send("GET", "/v1/ussd/home?customerId="+itoa64(customerID), nil, nil)
	aapl := follow(follow(home, "Buy stocks"), "AAPL")
	confirm := data(aapl)["ussdConfirm"].(map[string]any)
	require.Contains(t, data(aapl)["ussdMessage"], "Enter amount in ZMW")
	status, placed := send(confirm["requestType"].(string), confirm["requestUrl"].(string), url.Values{"amount": {"750"}}, nil)
	require.Equal(t, http.StatusCreated, status, "%v", placed)
	require.Contains(t, data(placed)["ussdMessage"], "buy 750.00 ZMW of AAPL")

	// Session style: key the choices.
	status, sess := send("POST", "/v1/ussd/session", nil, map[string]any{"customerId": customerID})
	require.Equal(t, http.StatusOK, status, "%v", sess)
	id := data(sess)["sessionId"].(string)
	key := func(choice any, want string) map[string]any {
		t.Helper()
		status, out := send("POST", "/v1/ussd/process", url.Values{"sessionId": {id}, "choice": {toString(choice)}}, nil)
		require.Equal(t, http.StatusOK, status, "%v", out)
		require.Equal(t, want, data(out)["currentState"], "%v", out)
		return out
	}
	stocks := key(1, "STOCKS")
	aaplKey := ""
	for _, o := range data(stocks)["menu"].(map[string]any)["options"].([]any) {
		o := o.(map[string]any)
		if d, ok := o["data"].(map[string]any); ok && d["symbol"] == "AAPL" {
			aaplKey = o["key"].(string)
		}
	}
	require.NotEmpty(t, aaplKey)
	key(aaplKey, "SELECT_STOCK")
	key(1, "ENTER_AMOUNT")
	key("250.25", "CONFIRM_ORDER")
	key(1, "ORDER_PLACED")

	// Both requests are real: in /v1/requests, executed by the job queue.
	var reqs []any
	require.Eventually(t, func() bool {
		_, list := send("GET", "/v1/requests?customerId="+itoa64(customerID), nil, nil)
		reqs = list["data"].([]any)
		done := 0
		for _, r := range reqs {
			if r.(map[string]any)["status"] == "COMPLETED" {
				done++
			}
		}
		return done == 2
	}, 20*time.Second, 25*time.Millisecond)
	amounts := map[string]bool{}
	for _, r := range reqs {
		r := r.(map[string]any)
		require.Equal(t, "ZMW", r["currency"])
		amounts[toString(r["purchaseAmount"])] = true
	}
	require.Equal(t, map[string]bool{"750": true, "250.25": true}, amounts)

	// The holding shows in both portfolio menus: a fraction of a share.
	holdings := follow(follow(home, "My portfolio"), "Holdings")
	require.Regexp(t, `AAPL 0\.\d+ sh`, data(holdings)["ussdMessage"])
	key(0, "HOME")
	mine := key(2, "MY_PORTFOLIO")
	require.Regexp(t, `AAPL 0\.\d+ sh`, data(mine)["ussdText"])
}

func itoa64(n int64) string { return strconv.FormatInt(n, 10) }

func toString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	default:
		b, _ := json.Marshal(x)
		return string(b)
	}
}
