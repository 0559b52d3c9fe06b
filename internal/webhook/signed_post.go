package webhook

import (
	"context"
	"fmt"

	"github.com/openvest/openvest/internal/errcode"
)

// CheckURL validates a destination other than a webhook's (a report's
// url) with the rules of webhook URLs: https, a DNS host that does not
// resolve only to private addresses (unless private destinations are
// allowed). It returns the URL normalized. Invalid, naming field.
func (s *Service) CheckURL(ctx context.Context, field, raw string) (string, error) {
	u, err := ValidateURL(raw, s.cfg.AllowPrivate)
	if err != nil {
		return "", invalid(field, err)
	}
	if err := s.checkDestination(ctx, u); err != nil {
		return "", invalid(field, err)
	}
	return u, nil
}

// OrganizationKey is the key that signs what the organization receives
// outside a webhook's deliveries (a report POSTed to its url): the key of
// the webhook GET /v1/webhooks/key shows (the organization's first), or the
// current server key when the organization has no webhook.
func (s *Service) OrganizationKey(ctx context.Context, orgID int64) (Key, error) {
	w, err := s.resolve(ctx, orgID, nil, false)
	switch {
	case errcode.Is(err, errcode.NotFound):
		keys, err := s.repo.Keys(ctx)
		if err != nil {
			return Key{}, fmt.Errorf("read the webhook server keys: %w", err)
		}
		return SigningKey(keys)
	case err != nil:
		return Key{}, err
	}
	return s.signingKey(ctx, w)
}

// PostSigned POSTs e to url exactly as a webhook delivery is sent (Deliver:
// the same body shape, digest, both signatures and Standard Webhooks
// headers, through the same guarded client), signed with key.
func (s *Service) PostSigned(ctx context.Context, url string, key Key, e Event) Attempt {
	a := Deliver(ctx, s.client, url, key, e, s.now())
	return a
}
