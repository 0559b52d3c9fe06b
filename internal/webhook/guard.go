package webhook

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"syscall"
	"time"
)

// ErrForbiddenAddress is returned when a delivery would reach an address
// the guard refuses.
var ErrForbiddenAddress = errors.New("destination address is not allowed")

// blocked are the destination ranges deliveries never reach unless private
// destinations are allowed: loopback, private, carrier-grade NAT,
// link-local (cloud metadata at 169.254.169.254 among them), unique local,
// unspecified, multicast, and the IPv4-mapped forms of all of them.
var blocked = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),
	netip.MustParsePrefix("10.0.0.0/8"),
	netip.MustParsePrefix("100.64.0.0/10"),
	netip.MustParsePrefix("127.0.0.0/8"),
	netip.MustParsePrefix("169.254.0.0/16"),
	netip.MustParsePrefix("172.16.0.0/12"),
	netip.MustParsePrefix("192.0.0.0/24"),
	netip.MustParsePrefix("192.168.0.0/16"),
	netip.MustParsePrefix("198.18.0.0/15"),
	netip.MustParsePrefix("224.0.0.0/4"),
	netip.MustParsePrefix("240.0.0.0/4"),
	netip.MustParsePrefix("::/96"), // unspecified, loopback and the deprecated IPv4-compatible forms
	netip.MustParsePrefix("64:ff9b:1::/48"),
	netip.MustParsePrefix("100::/64"),
	netip.MustParsePrefix("2001:db8::/32"),
	netip.MustParsePrefix("fc00::/7"),
	netip.MustParsePrefix("fe80::/10"),
	netip.MustParsePrefix("ff00::/8"),
	netip.MustParsePrefix("fd00:ec2::254/128"),
}

// AllowedAddress reports whether a delivery may connect to ip.
func AllowedAddress(ip netip.Addr) bool {
	ip = ip.Unmap()
	if v4, ok := embeddedIPv4(ip); ok && !AllowedAddress(v4) {
		return false
	}
	for _, p := range blocked {
		if p.Contains(ip) {
			return false
		}
	}
	return true
}

// ConnectTimeout bounds the DNS look-up and TCP connection of an attempt.
const ConnectTimeout = 3 * time.Second

// MaxIdlePerHost is how many idle connections to one receiver the
// delivery client keeps.
const MaxIdlePerHost = 64

// Client is the HTTP client deliveries use: a 10 s timeout, no redirects
// followed, and — unless allowPrivate — a dialer that refuses, after DNS
// resolution, every address AllowedAddress refuses (so a public name that
// resolves to a private address is refused too).
func Client(allowPrivate bool, timeout time.Duration) *http.Client {
	if timeout <= 0 {
		timeout = 10 * time.Second
	}
	// The connection (with its DNS look-up) gets a few seconds, not the
	// whole attempt: a receiver that refuses connections or a name that
	// does not resolve frees its worker quickly.
	dialer := &net.Dialer{Timeout: min(timeout, ConnectTimeout)}
	if !allowPrivate {
		dialer.Control = func(_, address string, _ syscall.RawConn) error {
			ap, err := netip.ParseAddrPort(address)
			if err != nil {
				return fmt.Errorf("%w: %s", ErrForbiddenAddress, address)
			}
			if !AllowedAddress(ap.Addr()) {
				return &RefusedError{Addr: ap.Addr().Unmap()}
			}
			return nil
		}
	}
	transport := &http.Transport{
		Proxy:                 nil, // never through a proxy: the guard checks the real destination
		DialContext:           dialer.DialContext,
		TLSHandshakeTimeout:   timeout,
		ResponseHeaderTimeout: timeout,
		// Idle connections are kept for as many attempts as run at once
		// (jobs.DefaultDeliveryWorkers), so that a busy receiver's
		// deliveries reuse them instead of each opening a new one.
		MaxIdleConnsPerHost: MaxIdlePerHost,
		IdleConnTimeout:     90 * time.Second,
	}
	return &http.Client{
		Transport: transport,
		Timeout:   timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse // a redirect is an answer, not a new destination
		},
	}
}

var (
	nat64     = netip.MustParsePrefix("64:ff9b::/96")
	sixToFour = netip.MustParsePrefix("2002::/16")
)

// embeddedIPv4 is the IPv4 address a NAT64 (64:ff9b::/96) or 6to4
// (2002::/16) address carries: such an address reaches that IPv4 address.
func embeddedIPv4(ip netip.Addr) (netip.Addr, bool) {
	b := ip.As16()
	switch {
	case !ip.Is6():
		return netip.Addr{}, false
	case nat64.Contains(ip):
		return netip.AddrFrom4([4]byte{b[12], b[13], b[14], b[15]}), true
	case sixToFour.Contains(ip):
		return netip.AddrFrom4([4]byte{b[2], b[3], b[4], b[5]}), true
	}
	return netip.Addr{}, false
}
