package webhook_test

import (
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/openvest/openvest/httpsig"
	"github.com/openvest/openvest/internal/webhook"
	"github.com/openvest/openvest/internal/webhooktest"
	"github.com/stretchr/testify/require"
)

func TestSubscriptions(t *testing.T) {
	t.Parallel()
	subs, err := webhook.NormalizeSubscriptions([]string{"customer", "ACCOUNT.UPDATED", "CUSTOMER"}, true)
	require.NoError(t, err)
	require.Equal(t, []string{"CUSTOMER", "ACCOUNT.UPDATED", "WEBHOOK.CREATED"}, subs)
	_, err = webhook.NormalizeSubscriptions([]string{"CUSTOMER.DELETED"}, false)
	require.ErrorContains(t, err, `unknown subscription "CUSTOMER.DELETED"`)
	_, err = webhook.NormalizeSubscriptions([]string{"AUTH.UPDATED"}, false)
	require.ErrorContains(t, err, "AUTH.CREATED / AUTH.DELETED", "AUTH's events are CREATED and DELETED")
	subs, err = webhook.NormalizeSubscriptions([]string{"auth.deleted", "INSTRUMENT.UPDATED"}, false)
	require.NoError(t, err)
	require.Equal(t, []string{"AUTH.DELETED", "INSTRUMENT.UPDATED"}, subs)
	subs, err = webhook.NormalizeSubscriptions([]string{"ALL"}, true)
	require.NoError(t, err)
	require.Equal(t, []string{"ALL"}, subs, "ALL already covers WEBHOOK.CREATED")

	for _, tc := range []struct {
		subs  []string
		event string
		want  bool
	}{
		{[]string{"ALL"}, "REQUEST.UPDATED", true},
		{[]string{"CUSTOMER"}, "CUSTOMER.CREATED", true},
		{[]string{"CUSTOMER"}, "ACCOUNT.CREATED", false},
		{[]string{"CUSTOMER.CREATED"}, "CUSTOMER.UPDATED", false},
		{[]string{"CUSTOMER.UPDATED"}, "CUSTOMER.UPDATED", true},
		{[]string{"ACCOUNT"}, webhook.TestEvent, true},
		{[]string{"AUTH"}, "AUTH.CREATED", true},
		{[]string{"AUTH"}, "AUTH.DELETED", true},
		{[]string{"AUTH.DELETED"}, "AUTH.DELETED", true},
		{[]string{"AUTH.DELETED"}, "AUTH.CREATED", false},
		{[]string{"ALL"}, "AUTH.DELETED", true},
	} {
		require.Equal(t, tc.want, webhook.Matches(tc.subs, tc.event), "%v %s", tc.subs, tc.event)
	}
}

func TestValidateURL(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		url          string
		allowPrivate bool
		want         string // error substring; empty for valid
	}{
		{"https://hooks.example.com/openvest", false, ""},
		{"http://hooks.example.com/openvest", false, "must use https"},
		{"http://localhost:9000/hook", true, ""},
		{"https://10.0.0.5/hook", false, "not the IP address"},
		{"https://[::1]/hook", false, "not the IP address"},
		{"https://localhost/hook", false, "fully qualified"},
		{"https://user:pw@hooks.example.com/", false, "credentials"},
		{"ftp://hooks.example.com/", false, "not supported"},
		{"/relative", false, "not an absolute URL"},
	} {
		_, err := webhook.ValidateURL(tc.url, tc.allowPrivate)
		if tc.want == "" {
			require.NoError(t, err, tc.url)
		} else {
			require.ErrorContains(t, err, tc.want, tc.url)
		}
	}
}

func TestGuardRefusesPrivateAddresses(t *testing.T) {
	t.Parallel()
	for addr, allowed := range map[string]bool{
		"127.0.0.1": false, "10.1.2.3": false, "192.168.1.1": false, "172.20.0.1": false,
		"169.254.169.254": false, "100.64.0.1": false, "0.0.0.0": false, "::1": false,
		"fe80::1": false, "fd00::1": false, "::ffff:127.0.0.1": false, "224.0.0.1": false,
		"93.184.216.34": true, "2606:4700::1111": true,
	} {
		require.Equal(t, allowed, webhook.AllowedAddress(netip.MustParseAddr(addr)), addr)
	}

	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(204) }))
	defer receiver.Close()
	key, err := webhook.NewKey(time.Now())
	require.NoError(t, err)
	e := webhook.Event{ID: "0b7c9c1e-0000-4000-8000-000000000001", Name: "CUSTOMER.CREATED", CreatedAt: time.Now(), Data: json.RawMessage(`{}`)}

	// A literal loopback address, and a name that resolves to one, are refused…
	for _, url := range []string{receiver.URL, strings.Replace(receiver.URL, "127.0.0.1", "localhost", 1)} {
		a := webhook.Deliver(context.Background(), webhook.Client(false, time.Second), url, key, e, time.Now())
		require.False(t, a.Succeeded, url)
		require.Contains(t, a.Error, "refused", url)
		require.Zero(t, a.StatusCode)
	}
	// …unless private destinations are allowed.
	a := webhook.Deliver(context.Background(), webhook.Client(true, time.Second), receiver.URL, key, e, time.Now())
	require.True(t, a.Succeeded, a.Error)
	require.Equal(t, 204, a.StatusCode)
}

// TestReceiverVerifiesADelivery: one delivery verifies for three
// receivers with the webhook's key: one written to the investing docs
// (sig1: capitalised names, sha-512 of the base, the OpenSSH key), one
// using an RFC 9421 library (sig2), and Openvest's own httpsig verifier
// (sig2 picked out); plus the Standard Webhooks signature.
func TestReceiverVerifiesADelivery(t *testing.T) {
	t.Parallel()
	key, err := webhook.NewWebhookKey(time.Now())
	require.NoError(t, err)
	authorized, err := key.AuthorizedKey()
	require.NoError(t, err)
	pub, comment, err := webhooktest.ParseDocsKey(authorized)
	require.NoError(t, err)
	require.Equal(t, key.KeyID, comment)
	pemKey, err := key.PEM()
	require.NoError(t, err)
	fromPEM, err := httpsig.ParsePublicKey([]byte(pemKey))
	require.NoError(t, err)
	require.Equal(t, pub, fromPEM)
	keys := func(id string) (ed25519.PublicKey, error) {
		if id != key.KeyID {
			return nil, errors.New("unknown key " + id)
		}
		return pub, nil
	}

	type result struct{ docs, rfc, own, standard, payload error }
	got := make(chan result, 1)
	var url string
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var res result
		res.docs = webhooktest.VerifyDocs(r, body, pub, "http://"+r.Host)
		res.rfc = webhooktest.VerifyRFC9421(r, body, keys, url, time.Minute)
		v := &httpsig.Verifier{Keys: keys, Label: webhook.RFC9421Label}
		_, res.own = v.Verify(r, url, []string{"@method", "@target-uri", "content-digest", "webhook-id", "webhook-timestamp"})
		sig, _ := base64.StdEncoding.DecodeString(strings.TrimPrefix(r.Header.Get("webhook-signature"), "v1a,"))
		if !ed25519.Verify(pub, []byte(r.Header.Get("webhook-id")+"."+r.Header.Get("webhook-timestamp")+"."+string(body)), sig) {
			res.standard = errors.New("webhook-signature does not verify")
		}
		var p struct {
			EventID string `json:"eventId"`
			Event   string `json:"event"`
		}
		res.payload = json.Unmarshal(body, &p)
		if res.payload == nil && (p.EventID != r.Header.Get("webhook-id") || p.Event != "CUSTOMER.CREATED") {
			res.payload = errors.New("payload does not match the headers")
		}
		got <- res
		w.WriteHeader(http.StatusOK)
	}))
	defer receiver.Close()
	url = receiver.URL + "/hooks?x=1"
	e := webhook.Event{ID: "0b7c9c1e-0000-4000-8000-000000000002", Name: "CUSTOMER.CREATED", CreatedAt: time.Now(), Data: json.RawMessage(`{"customerId":1}`)}
	a := webhook.Deliver(context.Background(), webhook.Client(true, time.Second), url, key, e, time.Now())
	require.True(t, a.Succeeded, a.Error)
	res := <-got
	require.NoError(t, res.docs, "a receiver written to the docs")
	require.NoError(t, res.rfc, "a receiver using an RFC 9421 library")
	require.NoError(t, res.own)
	require.NoError(t, res.standard)
	require.NoError(t, res.payload)
}

// TestDocsReceiverRefusesATamperedDelivery: the docs receiver is not a
// rubber stamp: another key, a changed body or a changed path fail it.
func TestDocsReceiverRefusesATamperedDelivery(t *testing.T) {
	t.Parallel()
	key, _ := webhook.NewWebhookKey(time.Now())
	other, _ := webhook.NewWebhookKey(time.Now())
	type captured struct {
		r    *http.Request
		body []byte
	}
	got := make(chan captured, 1)
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		got <- captured{r.Clone(context.Background()), body}
	}))
	defer receiver.Close()
	e := webhook.Event{ID: "0b7c9c1e-0000-4000-8000-000000000003", Name: "CUSTOMER.UPDATED", CreatedAt: time.Now(), Data: json.RawMessage(`{"customerId":1}`)}
	webhook.Deliver(context.Background(), webhook.Client(true, time.Second), receiver.URL+"/hooks", key, e, time.Now())
	c := <-got
	origin := "http://" + c.r.Host
	require.NoError(t, webhooktest.VerifyDocs(c.r, c.body, key.Public(), origin))
	require.ErrorContains(t, webhooktest.VerifyDocs(c.r, c.body, other.Public(), origin), "does not verify", "another webhook's key")
	require.ErrorContains(t, webhooktest.VerifyDocs(c.r, []byte(strings.Replace(string(c.body), `1}`, `2}`, 1)), key.Public(), origin), "Content-Digest")
	moved := c.r.Clone(context.Background())
	moved.URL.Path = "/elsewhere"
	require.ErrorContains(t, webhooktest.VerifyDocs(moved, c.body, key.Public(), origin), "does not verify", "@path is covered")
	require.ErrorContains(t, webhooktest.VerifyDocs(c.r, c.body, key.Public(), "https://evil.example.com"), "does not verify", "@target-uri is covered")
}

func TestDeliveryOutcomes(t *testing.T) {
	t.Parallel()
	status := 500
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(status)
		_, _ = w.Write([]byte(strings.Repeat("x", 1<<20))) // read only up to a small limit
	}))
	defer receiver.Close()
	key, _ := webhook.NewKey(time.Now())
	e := webhook.Event{ID: "id", Name: "CUSTOMER.UPDATED", CreatedAt: time.Now(), Data: json.RawMessage(`{}`)}
	client := webhook.Client(true, time.Second)

	a := webhook.Deliver(context.Background(), client, receiver.URL, key, e, time.Now())
	require.False(t, a.Succeeded)
	require.False(t, a.Gone)
	require.Equal(t, 500, a.StatusCode)
	require.Contains(t, a.Error, "answered 500")

	status = http.StatusGone
	a = webhook.Deliver(context.Background(), client, receiver.URL, key, e, time.Now())
	require.True(t, a.Gone)

	status = http.StatusMovedPermanently // a redirect is an answer, never followed
	a = webhook.Deliver(context.Background(), client, receiver.URL, key, e, time.Now())
	require.Equal(t, http.StatusMovedPermanently, a.StatusCode)
	require.False(t, a.Succeeded)
}

func TestKeyRotation(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	old, _ := webhook.NewKey(t0)
	cur, _ := webhook.NewKey(t0.Add(time.Hour))
	retired := t0.Add(time.Hour)
	old.RetiredAt = &retired
	keys := []webhook.Key{old, cur}

	active, err := webhook.SigningKey(keys)
	require.NoError(t, err)
	require.Equal(t, cur.KeyID, active.KeyID)
	pub := webhook.Published(keys, t0.Add(2*time.Hour), 24*time.Hour)
	require.Equal(t, []string{cur.KeyID, old.KeyID}, []string{pub[0].KeyID, pub[1].KeyID}, "the previous key is published during the overlap")
	pub = webhook.Published(keys, t0.Add(26*time.Hour), 24*time.Hour)
	require.Len(t, pub, 1, "and not after it")
	_, err = webhook.SigningKey([]webhook.Key{old})
	require.ErrorContains(t, err, "no active webhook signing key")
}

func TestRetrySchedule(t *testing.T) {
	t.Parallel()
	s := webhook.DefaultSchedule
	require.InDelta(t, 3*24*time.Hour, s.Window(), float64(12*time.Hour), "about three days")
	prev := time.Duration(0)
	for n := 1; n < s.MaxAttempts(); n++ {
		d, ok := s.Delay(n)
		require.True(t, ok)
		require.Greater(t, d, prev*8/10, "delays grow")
		prev = d
	}
	_, ok := s.Delay(s.MaxAttempts())
	require.False(t, ok)
}
