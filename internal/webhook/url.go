package webhook

import (
	"fmt"
	"net/url"
	"strings"
)

// ValidateURL checks a webhook URL: https with a DNS host name (not an IP
// address in any spelling, not a local name such as localhost.: see
// checkHost), no credentials; plain http only when private destinations are
// allowed (a sandbox on one machine). It returns the URL normalized.
func ValidateURL(raw string, allowPrivate bool) (string, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Host == "" {
		return "", fmt.Errorf("url %q is not an absolute URL such as https://hooks.example.com/openvest", raw)
	}
	switch {
	case u.Scheme == "https":
	case u.Scheme == "http" && allowPrivate:
	case u.Scheme == "http":
		return "", fmt.Errorf("url must use https (plain http is allowed only when OPENVEST_WEBHOOK_ALLOW_PRIVATE=true)")
	default:
		return "", fmt.Errorf("url scheme %q is not supported; use https", u.Scheme)
	}
	if u.User != nil {
		return "", fmt.Errorf("url must not carry credentials")
	}
	if !allowPrivate {
		if err := checkHost(u.Hostname()); err != nil {
			return "", err
		}
	}
	u.Fragment = ""
	return u.String(), nil
}
