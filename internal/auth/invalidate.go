package auth

import (
	"context"
	"log/slog"
	"strconv"
	"strings"
)

// Notifier tells the other replicas that cached credentials changed
// (store.Store does, with PostgreSQL NOTIFY); their listeners pass the
// message to Invalidate.
type Notifier interface {
	NotifyAuth(ctx context.Context, message string) error
}

// WithNotifier makes s announce its revocations and policy changes through
// n, so that every replica drops them from its cache at once (the cache
// TTL stays the bound when the announcement is lost). It returns s.
func (s *Service) WithNotifier(n Notifier, log *slog.Logger) *Service {
	s.notifier, s.notifyLog = n, log
	return s
}

// The messages of Invalidate.
func tokenMessage(id int64) string            { return "token:" + strconv.FormatInt(id, 10) }
func orgMessage(id int64) string              { return "org:" + strconv.FormatInt(id, 10) }
func keyMessage(orgID int64, k string) string { return "key:" + strconv.FormatInt(orgID, 10) + ":" + k }

// InvalidateAll is the message that empties the caches (a listener sends
// it to itself after reconnecting, as it may have missed messages).
const InvalidateAll = "*"

// Invalidate drops what a message names from the caches: a token
// ("token:ID"), an organization's tokens ("org:ID"), a signing key
// ("key:ORGID:KEYID") or everything ("*"). Unknown messages empty the caches.
func (s *Service) Invalidate(message string) {
	kind, rest, _ := strings.Cut(message, ":")
	switch kind {
	case "token":
		if id, err := strconv.ParseInt(rest, 10, 64); err == nil {
			s.tokens.drop(func(_ string, e tokenEntry) bool { return e.token.ID == id })
			return
		}
	case "org":
		if id, err := strconv.ParseInt(rest, 10, 64); err == nil {
			s.tokens.drop(func(_ string, e tokenEntry) bool { return e.org.ID == id })
			return
		}
	case "key":
		org, keyID, _ := strings.Cut(rest, ":")
		if id, err := strconv.ParseInt(org, 10, 64); err == nil {
			s.keys.drop(func(k keyRef, _ SigningKey) bool { return k == keyRef{id, keyID} })
			return
		}
	}
	s.tokens.drop(func(string, tokenEntry) bool { return true })
	s.keys.drop(func(keyRef, SigningKey) bool { return true })
}

// notify announces a change after it committed; a failure is logged, not
// returned: the change stands, and the other replicas' caches expire it.
func (s *Service) notify(ctx context.Context, message string) {
	if s.notifier == nil {
		return
	}
	if err := s.notifier.NotifyAuth(ctx, message); err != nil {
		log := s.notifyLog
		if log == nil {
			log = slog.Default()
		}
		log.WarnContext(ctx, "announce an auth change to the other replicas (their caches expire it)", "message", message, "error", err.Error())
	}
}
