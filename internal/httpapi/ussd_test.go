package httpapi_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/openvest/openvest/internal/apitest"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"
)

// ussdScreen is a menu-URL style answer.
type ussdScreen struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
	Data    struct {
		UssdMessage string `json:"ussdMessage"`
		UssdOptions []struct {
			Option      int    `json:"option"`
			RequestURL  string `json:"requestUrl"`
			RequestType string `json:"requestType"`
		} `json:"ussdOptions"`
		UssdConfirm *struct {
			RequestURL  string `json:"requestUrl"`
			RequestType string `json:"requestType"`
		} `json:"ussdConfirm"`
	} `json:"data"`
}

// gateway follows USSD links the way a USSD gateway does: GETs as they
// are, POSTs with the keyed input as the form field amount, and no
// idempotency key (the docs' USSD calls send none).
type gateway struct {
	tn *apitest.Tenant
}

func (g gateway) call(t *testing.T, method, target, input string) (int, ussdScreen) {
	t.Helper()
	var res apitest.Response
	if method == http.MethodPost {
		res = g.tn.DoWith(t, method, target, url.Values{"amount": {input}}.Encode(), apitest.Call{
			NoIdempotencyKey: true, Header: http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}})
	} else {
		res = g.tn.Do(t, method, target, nil)
	}
	var sc ussdScreen
	if res.Status < 300 {
		res.JSON(t, &sc)
		require.LessOrEqual(t, utf8.RuneCountInString(sc.Data.UssdMessage), 182)
		require.True(t, len(sc.Data.UssdOptions) > 0 || sc.Data.UssdConfirm != nil, "a screen has options or a confirm link: %s", res.Body)
	}
	return res.Status, sc
}

func (g gateway) get(t *testing.T, target string) ussdScreen {
	t.Helper()
	status, sc := g.call(t, http.MethodGet, target, "")
	require.Equal(t, http.StatusOK, status, target)
	return sc
}

// key follows the option numbered n of sc.
func (g gateway) key(t *testing.T, sc ussdScreen, n int) ussdScreen {
	t.Helper()
	for _, o := range sc.Data.UssdOptions {
		if o.Option == n {
			require.Equal(t, "GET", o.RequestType)
			return g.get(t, o.RequestURL)
		}
	}
	require.Failf(t, "no such option", "option %d not on %q", n, sc.Data.UssdMessage)
	return ussdScreen{}
}

// optionFor is the number of the option whose line on the screen starts with prefix.
func optionFor(t *testing.T, sc ussdScreen, prefix string) int {
	t.Helper()
	for _, line := range strings.Split(sc.Data.UssdMessage, "\n") {
		num, rest, ok := strings.Cut(line, ". ")
		if ok && strings.HasPrefix(rest, prefix) {
			var n int
			require.NoError(t, json.Unmarshal([]byte(num), &n))
			return n
		}
	}
	require.Failf(t, "no such line", "%q not on %q", prefix, sc.Data.UssdMessage)
	return 0
}

// kwachaTrader is a trader whose account and portfolio are in kwacha (ZMW).
func kwachaTrader(t *testing.T, opts apitest.Options) trader {
	t.Helper()
	tr := newTrader(t, opts)
	accs := exactItems(t, tr.tn.Do(t, "GET", path("/v1/accounts?customerId=%d", tr.customerID), nil))
	require.Len(t, accs, 1)
	res := tr.tn.Do(t, "PUT", "/v1/accounts", map[string]any{"accountId": accs[0]["accountId"], "currency": "ZMW"})
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	res = tr.tn.Do(t, "PUT", "/v1/portfolio", map[string]any{"portfolioId": tr.portfolio(t)["portfolioId"], "currency": "ZMW"})
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	return tr
}

func TestUssdMenuURLBuysAFractionalShareInKwacha(t *testing.T) {
	t.Parallel()
	tr := kwachaTrader(t, apitest.Options{})
	g := gateway{tn: tr.tn}
	home := g.get(t, path("/v1/ussd/home?customerId=%d", tr.customerID))
	require.Contains(t, home.Data.UssdMessage, "Welcome Jane")
	stocks := g.key(t, home, 1)
	aapl := g.key(t, stocks, optionFor(t, stocks, "AAPL "))
	require.Contains(t, aapl.Data.UssdMessage, "Enter amount in ZMW")
	require.NotNil(t, aapl.Data.UssdConfirm)
	require.Equal(t, "POST", aapl.Data.UssdConfirm.RequestType)

	// What cannot be ordered re-prompts, creating nothing.
	for _, bad := range []string{"abc", "10.005", "0"} {
		status, again := g.call(t, http.MethodPost, aapl.Data.UssdConfirm.RequestURL, bad)
		require.Equal(t, http.StatusOK, status, bad)
		require.Contains(t, again.Data.UssdMessage, "Enter amount", bad)
		require.NotNil(t, again.Data.UssdConfirm)
	}
	require.Empty(t, exactItems(t, tr.tn.Do(t, "GET", path("/v1/requests?customerId=%d", tr.customerID), nil)))

	status, placed := g.call(t, http.MethodPost, aapl.Data.UssdConfirm.RequestURL, "500.50")
	require.Equal(t, http.StatusCreated, status)
	require.Equal(t, 201, placed.Code)
	require.Contains(t, placed.Data.UssdMessage, "buy 500.50 ZMW of AAPL")

	reqs := exactItems(t, tr.tn.Do(t, "GET", path("/v1/requests?customerId=%d", tr.customerID), nil))
	require.Len(t, reqs, 1)
	require.Equal(t, "PURCHASE", reqs[0]["requestType"])
	require.Equal(t, "ZMW", reqs[0]["currency"])
	require.Equal(t, num("500.5"), reqs[0]["purchaseAmount"])
	id, err := reqs[0]["requestId"].(json.Number).Int64()
	require.NoError(t, err)
	require.Contains(t, placed.Data.UssdMessage, path("Request %d placed", id))
	require.Equal(t, "COMPLETED", tr.execute(t, id)["status"])

	home = g.get(t, placed.Data.UssdConfirm.RequestURL)
	portfolio := g.key(t, home, 2)
	require.Contains(t, portfolio.Data.UssdMessage, "Value ")
	holdings := g.key(t, portfolio, 1)
	require.Contains(t, holdings.Data.UssdMessage, "AAPL 0.")
	one := g.key(t, holdings, optionFor(t, holdings, "AAPL"))
	qty := tr.assets(t)[0]["quantity"].(json.Number).String()
	require.Contains(t, one.Data.UssdMessage, qty+" shares")
	txs := g.key(t, home, 3)
	require.Contains(t, txs.Data.UssdMessage, "Buy AAPL 500.50 ZMW COMPLETED")

	// Selling from the holding goes through the sell rules.
	sell := g.key(t, one, 1)
	require.Contains(t, sell.Data.UssdMessage, "Sell AAPL")
	require.Contains(t, sell.Data.UssdConfirm.RequestURL, "orderType=SELL")
	status, tooMuch := g.call(t, http.MethodPost, sell.Data.UssdConfirm.RequestURL, "100000")
	require.Equal(t, http.StatusOK, status)
	require.Contains(t, tooMuch.Data.UssdMessage, "Enter amount")
	status, sold := g.call(t, http.MethodPost, sell.Data.UssdConfirm.RequestURL, "100")
	require.Equal(t, http.StatusCreated, status)
	require.Contains(t, sold.Data.UssdMessage, "sell 100.00 ZMW of AAPL")

	// The other screens.
	confirm := g.get(t, path("/v1/ussd/stocks?customerId=%d&symbol=AAPL&amount=250", tr.customerID))
	require.Contains(t, confirm.Data.UssdMessage, "Buy 250 ZMW of AAPL")
	detail := g.key(t, g.key(t, home, 4), 1)
	require.Contains(t, detail.Data.UssdMessage, "Price $")
}

// process sends a choice to a session, as JSON (a number when it is one, as the docs do) or form fields.
func process(t *testing.T, tn *apitest.Tenant, id string, choice string, form bool) (int, map[string]any) {
	t.Helper()
	var res apitest.Response
	if form {
		res = tn.DoWith(t, "POST", "/v1/ussd/process", url.Values{"sessionId": {id}, "choice": {choice}}.Encode(),
			apitest.Call{NoIdempotencyKey: true, Header: http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}})
	} else {
		var c any = choice
		if n, err := json.Number(choice).Int64(); err == nil {
			c = n
		}
		res = tn.DoWith(t, "POST", "/v1/ussd/process", map[string]any{"sessionId": id, "choice": c}, apitest.Call{NoIdempotencyKey: true})
	}
	if res.Status != http.StatusOK {
		return res.Status, res.Map(t)
	}
	return res.Status, exact(t, res)
}

func step(t *testing.T, tn *apitest.Tenant, id, choice string, form bool, want string) map[string]any {
	t.Helper()
	status, d := process(t, tn, id, choice, form)
	require.Equal(t, http.StatusOK, status, "%v", d)
	require.Equal(t, want, d["currentState"], "%v", d)
	require.Equal(t, d["ussdText"], d["menu"].(map[string]any)["text"])
	return d
}

func keyFor(t *testing.T, d map[string]any, symbol string) string {
	t.Helper()
	for _, o := range d["menu"].(map[string]any)["options"].([]any) {
		opt := o.(map[string]any)
		if data, ok := opt["data"].(map[string]any); ok && data["symbol"] == symbol {
			return opt["key"].(string)
		}
	}
	require.Failf(t, "no option", "%s not on %v", symbol, d["ussdText"])
	return ""
}

func startSession(t *testing.T, tn *apitest.Tenant, customerID int64) map[string]any {
	t.Helper()
	res := tn.DoWith(t, "POST", "/v1/ussd/session", map[string]any{"customerId": customerID}, apitest.Call{NoIdempotencyKey: true})
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	d := exact(t, res)
	require.Regexp(t, `^ussd_[0-9a-f]{32}$`, d["sessionId"])
	require.Equal(t, "HOME", d["currentState"])
	return d
}

func TestUssdSessionBuysAFractionalShareInKwacha(t *testing.T) {
	t.Parallel()
	tr := kwachaTrader(t, apitest.Options{})
	s := startSession(t, tr.tn, tr.customerID)
	id := s["sessionId"].(string)
	require.Contains(t, s["ussdText"], "Welcome Jane")

	d := step(t, tr.tn, id, "7", false, "HOME")
	require.True(t, strings.HasPrefix(d["ussdText"].(string), "Invalid choice."), d["ussdText"])
	d = step(t, tr.tn, id, "1", false, "STOCKS")
	d = step(t, tr.tn, id, keyFor(t, d, "AAPL"), true, "SELECT_STOCK")
	require.Contains(t, d["ussdText"], "AAPL")
	d = step(t, tr.tn, id, "1", false, "ENTER_AMOUNT")
	require.Contains(t, d["ussdText"], "in ZMW")
	d = step(t, tr.tn, id, "lots", true, "ENTER_AMOUNT")
	require.Contains(t, d["ussdText"], "Enter an amount")
	d = step(t, tr.tn, id, "10.001", true, "CONFIRM_ORDER")
	d = step(t, tr.tn, id, "1", false, "ENTER_AMOUNT") // the trading rules refuse a tenth of a cent
	require.Contains(t, d["ussdText"], "decimal places")
	d = step(t, tr.tn, id, "500.50", true, "CONFIRM_ORDER")
	require.Contains(t, d["ussdText"], "Buy 500.50 ZMW of AAPL")
	d = step(t, tr.tn, id, "1", true, "ORDER_PLACED")

	reqs := exactItems(t, tr.tn.Do(t, "GET", path("/v1/requests?customerId=%d", tr.customerID), nil))
	require.Len(t, reqs, 1)
	require.Equal(t, num("500.5"), reqs[0]["purchaseAmount"])
	require.Equal(t, "ZMW", reqs[0]["currency"])
	rid, err := reqs[0]["requestId"].(json.Number).Int64()
	require.NoError(t, err)
	require.Contains(t, d["ussdText"], path("Request %d placed", rid))
	require.Equal(t, "COMPLETED", tr.execute(t, rid)["status"])

	step(t, tr.tn, id, "0", false, "HOME")
	d = step(t, tr.tn, id, "2", false, "MY_PORTFOLIO")
	qty := decimal.RequireFromString(tr.assets(t)[0]["quantity"].(json.Number).String())
	require.Contains(t, d["ussdText"], "AAPL "+qty.Round(4).String()+" sh", "the menu shows the holding to 4 places, rounded") // truncating failed on days whose price rounds up
	keyFor(t, d, "AAPL")
	step(t, tr.tn, id, "0", false, "HOME")
	d = step(t, tr.tn, id, "3", false, "TRANSACTION_HISTORY")
	require.Contains(t, d["ussdText"], "Buy AAPL 500.50 ZMW COMPLETED")
	step(t, tr.tn, id, "0", false, "HOME")
	d = step(t, tr.tn, id, "0", false, "EXIT")
	require.Equal(t, true, d["menu"].(map[string]any)["isEndState"])
	status, e := process(t, tr.tn, id, "1", false)
	require.Equal(t, http.StatusGone, status, "%v", e)
	require.Contains(t, e["message"], "ended")
}

func TestUssdStocksArePagedWithinTheScreen(t *testing.T) {
	t.Parallel()
	tr := newTrader(t, apitest.Options{})
	available := 0
	for _, in := range exactItems(t, tr.tn.Do(t, "GET", "/v1/instruments?limit=1000", nil)) {
		if in["isAvailable"] == true {
			available++
		}
	}
	id := startSession(t, tr.tn, tr.customerID)["sessionId"].(string)
	d := step(t, tr.tn, id, "1", false, "STOCKS")
	seen := map[string]bool{}
	for pages := 0; ; pages++ {
		require.Less(t, pages, 50, "paging does not end")
		next := false
		for _, o := range d["menu"].(map[string]any)["options"].([]any) {
			opt := o.(map[string]any)
			if data, ok := opt["data"].(map[string]any); ok {
				seen[data["symbol"].(string)] = true
			}
			next = next || opt["key"] == "9"
		}
		if !next {
			break
		}
		d = step(t, tr.tn, id, "9", false, "STOCKS")
	}
	require.Len(t, seen, available)
}

func TestUssdSessionsExpireAndStayInTheirOrganization(t *testing.T) {
	t.Parallel()
	var now atomic.Int64
	now.Store(time.Now().UnixNano())
	clock := func() time.Time { return time.Unix(0, now.Load()) }
	tr := newTrader(t, apitest.Options{Now: clock})
	other := tr.env.NewTenant(t, apitest.TenantOptions{Sandbox: true})
	d := startSession(t, tr.tn, tr.customerID)
	id := d["sessionId"].(string)
	expires, err := time.Parse(time.RFC3339, d["expiresAt"].(string))
	require.NoError(t, err)
	require.WithinDuration(t, clock().Add(5*time.Minute), expires, 2*time.Second)

	// Another organization sees neither the session nor the customer.
	status, _ := process(t, other, id, "1", false)
	require.Equal(t, http.StatusNotFound, status)
	res := other.DoWith(t, "POST", "/v1/ussd/session", map[string]any{"customerId": tr.customerID}, apitest.Call{NoIdempotencyKey: true})
	require.Equal(t, http.StatusNotFound, res.Status, "%s", res.Body)
	res = other.Do(t, "GET", path("/v1/ussd/home?customerId=%d", tr.customerID), nil)
	require.Equal(t, http.StatusNotFound, res.Status, "%s", res.Body)
	status, _ = process(t, tr.tn, "ussd_00000000000000000000000000000000", "1", false)
	require.Equal(t, http.StatusNotFound, status)
	status, _ = process(t, tr.tn, "not-a-session", "1", false)
	require.Equal(t, http.StatusBadRequest, status)

	// A step extends the session; past its expiry it is gone.
	now.Add(int64(4 * time.Minute))
	step(t, tr.tn, id, "1", false, "STOCKS")
	now.Add(int64(4 * time.Minute))
	step(t, tr.tn, id, "0", false, "HOME")
	now.Add(int64(5*time.Minute + time.Second))
	status, e := process(t, tr.tn, id, "1", false)
	require.Equal(t, http.StatusGone, status, "%v", e)
	require.Contains(t, e["message"], "expired")
}

func TestUssdOrderWithAnIdempotencyKeyIsReplayed(t *testing.T) {
	t.Parallel()
	tr := kwachaTrader(t, apitest.Options{})
	key := http.Header{"Content-Type": {"application/x-www-form-urlencoded"}, "X-Idempotency-Key": {"0193a1f2-7c1e-7a5b-9c1d-2e3f4a5b6c7d"}}
	target := path("/v1/ussd/requests?customerId=%d&orderType=PURCHASE&symbol=AAPL", tr.customerID)
	first := tr.tn.DoWith(t, "POST", target, "amount=200", apitest.Call{Header: key})
	require.Equal(t, http.StatusCreated, first.Status, "%s", first.Body)
	again := tr.tn.DoWith(t, "POST", target, "amount=200", apitest.Call{Header: key})
	require.Equal(t, http.StatusCreated, again.Status, "%s", again.Body)
	require.Equal(t, "true", again.Header.Get("Idempotent-Replayed"))
	require.Equal(t, string(first.Body), string(again.Body))
	require.Len(t, exactItems(t, tr.tn.Do(t, "GET", path("/v1/requests?customerId=%d", tr.customerID), nil)), 1)

	res := tr.tn.DoWith(t, "POST", path("/v1/ussd/requests?customerId=%d&orderType=PURCHASE&symbol=NOPE", tr.customerID), "amount=200", apitest.Call{Header: http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}})
	require.Equal(t, http.StatusNotFound, res.Status, "%s", res.Body)
	res = tr.tn.DoWith(t, "POST", path("/v1/ussd/requests?customerId=%d&orderType=HOLD&symbol=AAPL", tr.customerID), "amount=200", apitest.Call{Header: http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}})
	require.Equal(t, http.StatusBadRequest, res.Status, "%s", res.Body)
}

// TestUssdConfirmSentTwiceAtOncePlacesOneOrder: a gateway that repeats
// the confirmation (a retry racing the first) places one order; the
// second sees the order placed and re-shows its menu.
func TestUssdConfirmSentTwiceAtOncePlacesOneOrder(t *testing.T) {
	t.Parallel()
	tr := kwachaTrader(t, apitest.Options{})
	id := startSession(t, tr.tn, tr.customerID)["sessionId"].(string)
	d := step(t, tr.tn, id, "1", false, "STOCKS")
	step(t, tr.tn, id, keyFor(t, d, "AAPL"), false, "SELECT_STOCK")
	step(t, tr.tn, id, "1", false, "ENTER_AMOUNT")
	step(t, tr.tn, id, "300", false, "CONFIRM_ORDER")
	var wg sync.WaitGroup
	states := make([]any, 2)
	for i := range states {
		wg.Add(1)
		go func() {
			defer wg.Done()
			status, d := process(t, tr.tn, id, "1", false)
			if status == http.StatusOK {
				states[i] = d["currentState"]
			}
		}()
	}
	wg.Wait()
	require.ElementsMatch(t, []any{"ORDER_PLACED", "ORDER_PLACED"}, states)
	require.Len(t, exactItems(t, tr.tn.Do(t, "GET", path("/v1/requests?customerId=%d", tr.customerID), nil)), 1)
}

func TestUssdSessionNamesItsCustomer(t *testing.T) {
	t.Parallel()
	tr := newTrader(t, apitest.Options{})
	res := tr.tn.DoWith(t, "POST", path("/v1/ussd/session?customerId=%d", tr.customerID), nil, apitest.Call{NoIdempotencyKey: true})
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	require.Equal(t, "HOME", exact(t, res)["currentState"])
	res = tr.tn.DoWith(t, "POST", "/v1/ussd/session", map[string]any{}, apitest.Call{NoIdempotencyKey: true})
	require.Equal(t, http.StatusBadRequest, res.Status, "%s", res.Body)
	require.Contains(t, string(res.Body), "customerId")
	res = tr.tn.DoWith(t, "POST", "/v1/ussd/session", map[string]any{"customerId": 999999999}, apitest.Call{NoIdempotencyKey: true})
	require.Equal(t, http.StatusNotFound, res.Status, "%s", res.Body)
}

// TestUssdOrderEmitsRequestEvents: an order placed on USSD is delivered to
// webhooks like any request (REQUEST.CREATED, then REQUEST.UPDATED once
// the job queue fills it), signed.
func TestUssdOrderEmitsRequestEvents(t *testing.T) {
	t.Parallel()
	tr := kwachaTrader(t, apitest.Options{Jobs: true, WebhookAllowPrivate: true})
	rc := newReceiver(t, tr.tn, nil)
	rc.subscribe(tr.tn, "REQUEST")
	status, placed := gateway{tn: tr.tn}.call(t, http.MethodPost, path("/v1/ussd/requests?customerId=%d&orderType=PURCHASE&symbol=AAPL", tr.customerID), "150")
	require.Equal(t, http.StatusCreated, status)
	reqs := exactItems(t, tr.tn.Do(t, "GET", path("/v1/requests?customerId=%d", tr.customerID), nil))
	require.Len(t, reqs, 1)
	require.Contains(t, placed.Data.UssdMessage, path("Request %s placed", reqs[0]["requestId"]))
	var seen map[string]string
	require.Eventually(t, func() bool {
		seen = map[string]string{}
		for _, d := range rc.deliveries() {
			var data struct {
				RequestID json.Number `json:"requestId"`
				Status    string      `json:"status"`
			}
			if json.Unmarshal(d.Data, &data) == nil && data.RequestID == reqs[0]["requestId"] && d.verified == nil {
				seen[d.Event+" "+data.Status] = d.Event
			}
		}
		return seen["REQUEST.CREATED PENDING"] != "" && seen["REQUEST.UPDATED COMPLETED"] != ""
	}, 15*time.Second, 20*time.Millisecond, "the USSD order's REQUEST events: saw %v", seen)
}
