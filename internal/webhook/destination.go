package webhook

import (
	"context"
	"fmt"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// RefusedAttempts is how many attempts a delivery makes to a destination
// the guard refuses (a name that resolves to a private address): a refused
// attempt numbered RefusedAttempts or later ends the delivery FAILED. A
// few, in case the name's records were being changed, not the days of the
// retry schedule.
const RefusedAttempts = 3

// RefusedError is the guard's refusal of one address.
type RefusedError struct{ Addr netip.Addr }

func (e *RefusedError) Error() string {
	return fmt.Sprintf("destination refused: %s is a private, loopback, link-local or reserved address", e.Addr)
}

// Is makes errors.Is(err, ErrForbiddenAddress) hold.
func (e *RefusedError) Is(target error) bool { return target == ErrForbiddenAddress }

// Resolver looks host names up; *net.Resolver is one.
type Resolver interface {
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

// resolveTimeout bounds the look-up of a webhook's host at creation.
const resolveTimeout = 3 * time.Second

// reservedSuffixes are names that never reach a public receiver: RFC 6761
// localhost, mDNS .local, ICANN's private-use .internal, RFC 8375 .home.arpa,
// and the common .localdomain.
var reservedSuffixes = []string{"localhost", "local", "internal", "home.arpa", "localdomain"}

// checkHost refuses hosts that are IP addresses (in any spelling an IPv4
// parser accepts: 127.1, 0177.0.0.1, 0x7f.0.0.1, 2130706433) or reserved
// local names, whatever their trailing dot.
func checkHost(host string) error {
	name := strings.TrimSuffix(strings.ToLower(host), ".")
	if name == "" {
		return fmt.Errorf("url must have a host")
	}
	if ip, err := netip.ParseAddr(name); err == nil {
		return fmt.Errorf("url host must be a DNS name, not the IP address %s", ip)
	}
	if ip, ok := legacyIPv4(name); ok {
		return fmt.Errorf("url host %q is the IP address %s written another way: use a DNS name", host, ip)
	}
	labels := strings.Split(name, ".")
	if last := labels[len(labels)-1]; numericLabel(last) {
		return fmt.Errorf("url host %q ends in a numeric label, which URL parsers read as an IP address: use a DNS name", host)
	}
	if !strings.Contains(name, ".") {
		return fmt.Errorf("url host %q must be a fully qualified DNS name", host)
	}
	for _, s := range reservedSuffixes {
		if name == s || strings.HasSuffix(name, "."+s) {
			return fmt.Errorf("url host %q is a local name (.%s) that deliveries may not reach", host, s)
		}
	}
	return nil
}

// numericLabel reports whether a label is a number as IPv4 parsers read
// one: decimal digits, or 0x followed by hex digits (or nothing).
func numericLabel(s string) bool {
	if h, ok := strings.CutPrefix(s, "0x"); ok {
		for _, c := range h {
			if !strings.ContainsRune("0123456789abcdef", c) {
				return false
			}
		}
		return true
	}
	if s == "" {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// legacyIPv4 parses the inet_aton forms of an IPv4 address: one to four
// parts, each decimal, octal (leading 0) or hex (0x), the last filling the
// remaining bytes.
func legacyIPv4(s string) (netip.Addr, bool) {
	parts := strings.Split(s, ".")
	if len(parts) > 4 {
		return netip.Addr{}, false
	}
	var nums []uint64
	for _, p := range parts {
		base := 10
		switch {
		case strings.HasPrefix(p, "0x"):
			p, base = p[2:], 16
			if p == "" {
				p = "0"
			}
		case len(p) > 1 && p[0] == '0':
			p, base = p[1:], 8
		}
		n, err := strconv.ParseUint(p, base, 32)
		if err != nil {
			return netip.Addr{}, false
		}
		nums = append(nums, n)
	}
	var v uint64
	for i, n := range nums[:len(nums)-1] {
		if n > 255 {
			return netip.Addr{}, false
		}
		v |= n << (24 - 8*uint(i))
	}
	last := nums[len(nums)-1]
	if rest := uint(4-len(nums)+1) * 8; rest < 32 && last >= 1<<rest {
		return netip.Addr{}, false
	}
	v |= last
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)}), true
}

// checkResolved looks host up and refuses it when every address it
// resolves to is one the guard refuses (127.0.0.1.nip.io). A name that does
// not resolve now is accepted: deliveries try again on their schedule.
func checkResolved(ctx context.Context, r Resolver, host string) error {
	ctx, cancel := context.WithTimeout(ctx, resolveTimeout)
	defer cancel()
	addrs, err := r.LookupNetIP(ctx, "ip", host)
	if err != nil || len(addrs) == 0 {
		return nil // no answer (or none yet): nothing to judge
	}
	for _, a := range addrs {
		if AllowedAddress(a) {
			return nil
		}
	}
	return fmt.Errorf("url host %q resolves only to addresses deliveries may not reach (%s: private, loopback, link-local or reserved)", host, addrs[0].Unmap())
}

// checkDestination is checkResolved for a validated URL, unless private
// destinations are allowed.
func (s *Service) checkDestination(ctx context.Context, rawURL string) error {
	if s.cfg.AllowPrivate {
		return nil
	}
	host, err := hostOf(rawURL)
	if err != nil {
		return err
	}
	return checkResolved(ctx, s.cfg.Resolver, host)
}

// hostOf is the host of a URL that ValidateURL accepted.
func hostOf(rawURL string) (string, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return "", fmt.Errorf("url %q is not an absolute URL", rawURL)
	}
	return u.Hostname(), nil
}
