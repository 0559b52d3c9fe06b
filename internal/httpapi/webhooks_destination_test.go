package httpapi_test

import (
	"context"
	"errors"
	"net/http"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/openvest/openvest/internal/apitest"
	"github.com/openvest/openvest/internal/webhook"
	"github.com/stretchr/testify/require"
)

// fakeDNS answers from a table; other names do not exist.
type fakeDNS map[string][]string

func (f fakeDNS) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	var out []netip.Addr
	for _, a := range f[strings.TrimSuffix(host, ".")] {
		out = append(out, netip.MustParseAddr(a))
	}
	if len(out) == 0 {
		return nil, errors.New("no such host")
	}
	return out, nil
}

// TestWebhookDestinationsInDisguise: at creation (and on a URL change),
// hosts that are IP addresses in another spelling, local names, and names
// that resolve only to refused addresses answer 400 naming the rule.
func TestWebhookDestinationsInDisguise(t *testing.T) {
	t.Parallel()
	env := apitest.Start(t, apitest.Options{WebhookResolver: fakeDNS{
		"127.0.0.1.nip.io":    {"127.0.0.1"},
		"private.example.com": {"10.0.0.7", "fd00::7"},
		"mixed.example.com":   {"10.0.0.7", "93.184.215.14"},
		"hooks.example.com":   {"93.184.215.14"},
	}})
	tn := env.NewTenant(t, apitest.TenantOptions{})
	for url, rule := range map[string]string{
		"https://localhost./x":          "fully qualified DNS name",
		"https://127.1/x":               "IP address 127.0.0.1 written another way",
		"https://0177.0.0.1/x":          "IP address 127.0.0.1 written another way",
		"https://0x7f.0.0.1/x":          "IP address 127.0.0.1 written another way",
		"https://2130706433/x":          "IP address 127.0.0.1 written another way",
		"https://[::1]/x":               "not the IP address ::1",
		"https://127.0.0.1.nip.io/x":    "resolves only to addresses deliveries may not reach (127.0.0.1",
		"https://private.example.com/x": "resolves only to addresses deliveries may not reach (10.0.0.7",
		"https://api.localhost/x":       "local name (.localhost)",
	} {
		res := tn.Do(t, "POST", "/v1/webhooks", map[string]any{"url": url, "subscriptions": []string{"ALL"}})
		require.Equal(t, http.StatusBadRequest, res.Status, "%s: %s", url, res.Body)
		var e errorBody
		res.JSON(t, &e)
		require.Equal(t, "url", e.Errors[0].Field, url)
		require.Contains(t, e.Message, rule, url)
	}
	// A name with one public address is accepted (the dialer still refuses
	// its private ones), and so is one that does not resolve yet.
	createWebhook(t, tn, "https://mixed.example.com/x", "ALL")
	id := createWebhook(t, tn, "https://hooks.example.com/x", "ALL")
	createWebhook(t, tn, "https://not-yet.example.com/x", "ALL")
	res := tn.Do(t, "PUT", "/v1/webhooks", map[string]any{"webhookId": id, "url": "https://127.0.0.1.nip.io/x"})
	require.Equal(t, http.StatusBadRequest, res.Status, "%s", res.Body)
	require.Contains(t, res.Map(t)["message"], "resolves only to")
}

// TestRefusedDestinationEndsAfterThreeAttempts: a webhook whose destination
// the guard refuses at delivery (one stored before these rules, or a name
// whose records changed) is not retried for days: its delivery ends FAILED
// after webhook.RefusedAttempts attempts, with the reason in the log.
func TestRefusedDestinationEndsAfterThreeAttempts(t *testing.T) {
	t.Parallel()
	env := apitest.Start(t, apitest.Options{Jobs: true,
		WebhookSchedule: webhook.Schedule{20 * time.Millisecond, 20 * time.Millisecond, 20 * time.Millisecond, 20 * time.Millisecond, 20 * time.Millisecond},
	})
	tn := env.NewTenant(t, apitest.TenantOptions{})
	now := time.Now().UTC()
	var id int64
	require.NoError(t, env.App.Store.DB.Raw(`INSERT INTO webhooks (organization_id, url, subscriptions, status, created_at, updated_at)
VALUES (?, 'https://127.0.0.1:1/hooks', 'CUSTOMER.CREATED', 'ACTIVE', ?, ?) RETURNING id`, tn.Org.ID, now, now).Scan(&id).Error)
	createCustomer(t, tn, customerOpts{})

	type entry struct {
		Attempts  int    `json:"attempts"`
		State     string `json:"state"`
		LastError string `json:"lastError"`
	}
	var log struct{ Data []entry }
	require.Eventually(t, func() bool {
		tn.Do(t, "GET", path("/v1/webhooks/%d/deliveries", id), nil).JSON(t, &log)
		return len(log.Data) == 1 && log.Data[0].State != "PENDING"
	}, 15*time.Second, 20*time.Millisecond)
	d := log.Data[0]
	require.Equal(t, "FAILED", d.State)
	require.Equal(t, webhook.RefusedAttempts, d.Attempts, "ended after the refused attempts, not the whole schedule")
	require.Contains(t, d.LastError, "destination refused: 127.0.0.1 is a private, loopback, link-local or reserved address")
	require.Contains(t, d.LastError, "the delivery ended at attempt 3")
}
