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

// Domains are the subscription domains: the investing API's, then the
// wallet surface's (WALLET_*) and the banking surface's (BANKING_*).
var Domains = []string{
	"ACCOUNT", "ASSET", "AUTH", "CUSTOMER", "INSTRUMENT", "INVESTMENT_TYPE",
	"PORTFOLIO", "REQUEST", "REPORT", "TRANSACTION", "WEBHOOK",
	"WALLET_CUSTOMER", "WALLET_ACCOUNT",
	"BANKING_APPLICATION", "BANKING_CUSTOMER", "BANKING_INDIVIDUAL",
}

// All subscribes to every event.
const All = "ALL"

// The actions of an event name: DOMAIN.CREATED, DOMAIN.UPDATED, and for
// AUTH (tokens) AUTH.CREATED, AUTH.DELETED (revoked or expired); banking
// applications are also SUBMITTED and decided (APPROVED, DENIED,
// MANUAL_REVIEW), banking customers change status (STATUS_CHANGED).
const (
	Created       = "CREATED"
	Updated       = "UPDATED"
	Deleted       = "DELETED"
	Submitted     = "SUBMITTED"
	Approved      = "APPROVED"
	Denied        = "DENIED"
	ManualReview  = "MANUAL_REVIEW"
	StatusChanged = "STATUS_CHANGED"
)

// Actions are the per-event subscriptions of a domain: CREATED and
// UPDATED, except AUTH (CREATED, DELETED), BANKING_APPLICATION (CREATED,
// UPDATED, SUBMITTED, APPROVED, DENIED, MANUAL_REVIEW), BANKING_CUSTOMER
// (CREATED, UPDATED, STATUS_CHANGED) and BANKING_INDIVIDUAL (UPDATED:
// individuals are created with their customer).
func Actions(domain string) []string {
	switch domain {
	case "AUTH":
		return []string{Created, Deleted}
	case "BANKING_APPLICATION":
		return []string{Created, Updated, Submitted, Approved, Denied, ManualReview}
	case "BANKING_CUSTOMER":
		return []string{Created, Updated, StatusChanged}
	case "BANKING_INDIVIDUAL":
		return []string{Updated}
	}
	return []string{Created, Updated}
}

// EventName is DOMAIN.ACTION.
func EventName(domain, action string) string { return domain + "." + action }

// Subscriptions lists every valid subscription: ALL, the domains, then
// each domain's events (the WebhookSubscription enum of the spec).
func Subscriptions() []string {
	out := append([]string{All}, Domains...)
	for _, d := range Domains {
		for _, a := range Actions(d) {
			out = append(out, EventName(d, a))
		}
	}
	return out
}

// ValidSubscription reports whether s is ALL, a domain, or one of a
// domain's events (see Actions).
func ValidSubscription(s string) bool {
	if s == All || slices.Contains(Domains, s) {
		return true
	}
	domain, action, ok := strings.Cut(s, ".")
	return ok && slices.Contains(Domains, domain) && slices.Contains(Actions(domain), action)
}

// NormalizeSubscriptions checks the subscriptions and returns them without
// duplicates, in the order given; a new webhook also gets WEBHOOK.CREATED.
func NormalizeSubscriptions(subs []string, isNew bool) ([]string, error) {
	var out []string
	for _, s := range subs {
		s = strings.ToUpper(strings.TrimSpace(s))
		if !ValidSubscription(s) {
			return nil, fmt.Errorf("unknown subscription %q: use ALL, a domain (%s), or one of its events (DOMAIN.CREATED / DOMAIN.UPDATED; AUTH.CREATED / AUTH.DELETED; BANKING_APPLICATION.SUBMITTED / .APPROVED / .DENIED / .MANUAL_REVIEW; BANKING_CUSTOMER.STATUS_CHANGED; see WebhookSubscription)", s, strings.Join(Domains, ", "))
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
