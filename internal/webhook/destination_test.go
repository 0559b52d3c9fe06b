package webhook_test

import (
	"net/netip"
	"testing"

	"github.com/openvest/openvest/internal/webhook"
	"github.com/stretchr/testify/require"
)

// TestURLsInDisguiseAreRefused: loopback and private destinations spelt so
// that a naive check misses them are refused, each naming its rule; real
// names pass, and everything passes when private destinations are allowed.
func TestURLsInDisguiseAreRefused(t *testing.T) {
	t.Parallel()
	for url, rule := range map[string]string{
		"https://localhost./x":         "fully qualified",
		"https://LOCALHOST/x":          "fully qualified",
		"https://app.localhost/x":      "local name (.localhost)",
		"https://printer.local./x":     "local name (.local)",
		"https://metadata.internal/x":  "local name (.internal)",
		"https://127.1/x":              "the IP address 127.0.0.1 written another way",
		"https://0177.0.0.1/x":         "the IP address 127.0.0.1 written another way",
		"https://0x7f.0.0.1/x":         "the IP address 127.0.0.1 written another way",
		"https://0x7f000001/x":         "the IP address 127.0.0.1 written another way",
		"https://2130706433/x":         "the IP address 127.0.0.1 written another way",
		"https://10.1/x":               "the IP address 10.0.0.1 written another way",
		"https://127.0.0.1./x":         "not the IP address 127.0.0.1",
		"https://[::1]/x":              "not the IP address ::1",
		"https://[::ffff:127.0.0.1]/x": "not the IP address ::ffff:127.0.0.1",
		"https://[::ffff:7f00:1]/x":    "not the IP address ::ffff:127.0.0.1",
		"https://[fe80::1%25eth0]/x":   "not the IP address fe80::1%eth0",
		"https://hooks.example.0x10/x": "numeric label",
		"https://hooks.example.999/x":  "numeric label",
		"https://999.999.999.999/x":    "numeric label",
	} {
		_, err := webhook.ValidateURL(url, false)
		require.ErrorContains(t, err, rule, url)
		_, err = webhook.ValidateURL(url, true)
		require.NoError(t, err, "%s with private destinations allowed", url)
	}
	for _, url := range []string{"https://hooks.example.com/x", "https://1password.com/hook", "https://a.b.c.example.org:8443/x", "https://xn--bcher-kva.example/x"} {
		_, err := webhook.ValidateURL(url, false)
		require.NoError(t, err, url)
	}
}

// TestGuardRefusesEmbeddedAddresses: IPv6 forms that carry a refused IPv4
// address are refused too; public ones are not.
func TestGuardRefusesEmbeddedAddresses(t *testing.T) {
	t.Parallel()
	for addr, want := range map[string]bool{
		"::ffff:127.0.0.1": false, "::127.0.0.1": false, "64:ff9b::7f00:1": false, "64:ff9b::a00:1": false,
		"2002:7f00:1::1": false, "2002:c0a8:101::1": false, "fd00:ec2::254": false, "2001:db8::1": false,
		"64:ff9b::5db8:d70e": true, "2606:4700::1111": true, "93.184.215.14": true, "1.1.1.1": true,
	} {
		require.Equal(t, want, webhook.AllowedAddress(netip.MustParseAddr(addr)), addr)
	}
}
