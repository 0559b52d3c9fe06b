// Package webhook is the webhook engine of the investing surface:
// subscriptions and what they match, the URL rules and the network guard
// that keep deliveries away from private addresses, the server keys that
// sign deliveries (RFC 9421 + Content-Digest, and the Standard Webhooks
// headers), one delivery attempt and the retry schedule.
package webhook

import (
	"fmt"
	"slices"
	"strings"
)

// Domains are the subscription domains of the investing API.
var Domains = []string{
	"ACCOUNT", "ASSET", "AUTH", "CUSTOMER", "INSTRUMENT", "INVESTMENT_TYPE",
	"PORTFOLIO", "REQUEST", "REPORT", "TRANSACTION", "WEBHOOK",
}

// All subscribes to every event.
const All = "ALL"

// The two actions of an event name: DOMAIN.CREATED, DOMAIN.UPDATED.
const (
	Created = "CREATED"
	Updated = "UPDATED"
)

// EventName is DOMAIN.ACTION.
func EventName(domain, action string) string { return domain + "." + action }

// ValidSubscription reports whether s is ALL, a domain, or DOMAIN.CREATED / DOMAIN.UPDATED.
func ValidSubscription(s string) bool {
	if s == All || slices.Contains(Domains, s) {
		return true
	}
	domain, action, ok := strings.Cut(s, ".")
	return ok && slices.Contains(Domains, domain) && (action == Created || action == Updated)
}

// NormalizeSubscriptions checks the subscriptions and returns them without
// duplicates, in the order given; a new webhook also gets WEBHOOK.CREATED.
func NormalizeSubscriptions(subs []string, isNew bool) ([]string, error) {
	var out []string
	for _, s := range subs {
		s = strings.ToUpper(strings.TrimSpace(s))
		if !ValidSubscription(s) {
			return nil, fmt.Errorf("unknown subscription %q: use ALL, a domain (%s) or DOMAIN.CREATED / DOMAIN.UPDATED", s, strings.Join(Domains, ", "))
		}
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	if isNew && !Matches(out, EventName("WEBHOOK", Created)) {
		out = append(out, EventName("WEBHOOK", Created))
	}
	return out, nil
}

// Matches reports whether subscriptions cover the event (DOMAIN.ACTION).
// The test event, WEBHOOK.TEST, goes to every webhook.
func Matches(subscriptions []string, event string) bool {
	if event == TestEvent {
		return true
	}
	domain, _, _ := strings.Cut(event, ".")
	for _, s := range subscriptions {
		if s == All || s == domain || s == event {
			return true
		}
	}
	return false
}

// TestEvent is what POST /v1/webhooks/test sends.
const TestEvent = "WEBHOOK.TEST"
