package auth

import (
	"context"
	"crypto/ed25519"
	"strings"
	"time"

	"github.com/openvest/openvest/internal/errcode"
)

// SigningKey is an ed25519 public key an organization signs requests with.
type SigningKey struct {
	ID             int64
	OrganizationID int64
	KeyID          string // the keyid of Signature-Input
	PublicKey      ed25519.PublicKey
	CreatedAt      time.Time
	RevokedAt      *time.Time
}

// AddKey registers a public key under keyID for the organization with this
// client id. NotFound: no such client. Invalid: empty key id or a key that
// is not ed25519. Conflict: the key id is taken.
func (s *Service) AddKey(ctx context.Context, clientID, keyID string, pub ed25519.PublicKey) (SigningKey, error) {
	if strings.TrimSpace(keyID) == "" {
		return SigningKey{}, errcode.New(errcode.Invalid, "the key id is empty")
	}
	if len(pub) != ed25519.PublicKeySize {
		return SigningKey{}, errcode.New(errcode.Invalid, "the public key is not an ed25519 key")
	}
	o, _, err := s.repo.OrganizationByClientID(ctx, clientID)
	if err != nil {
		return SigningKey{}, err
	}
	k := SigningKey{OrganizationID: o.ID, KeyID: keyID, PublicKey: pub, CreatedAt: s.now().UTC().Truncate(time.Microsecond)}
	return k, errcode.Wrapf(s.repo.CreateKey(ctx, &k), "add key %q to organization %d", keyID, o.ID)
}

// Keys lists the keys of the organization with this client id. NotFound.
func (s *Service) Keys(ctx context.Context, clientID string) ([]SigningKey, error) {
	o, _, err := s.repo.OrganizationByClientID(ctx, clientID)
	if err != nil {
		return nil, err
	}
	return s.repo.Keys(ctx, o.ID)
}

// RevokeKey revokes a key of the organization with this client id; requests
// signed with it are refused from then on. NotFound.
func (s *Service) RevokeKey(ctx context.Context, clientID, keyID string) error {
	o, _, err := s.repo.OrganizationByClientID(ctx, clientID)
	if err != nil {
		return err
	}
	if err := s.repo.RevokeKey(ctx, o.ID, keyID, s.now().UTC().Truncate(time.Microsecond)); err != nil {
		return errcode.Wrapf(err, "revoke key %q of organization %d", keyID, o.ID)
	}
	s.keys.drop(func(k keyRef, _ SigningKey) bool { return k == keyRef{o.ID, keyID} })
	s.notify(ctx, keyMessage(o.ID, keyID))
	return nil
}

// SetSignaturePolicy changes the policy of the organization with this
// client id. NotFound; Invalid: unknown policy.
func (s *Service) SetSignaturePolicy(ctx context.Context, clientID string, p Policy) error {
	if !p.Valid() {
		return errcode.New(errcode.Invalid, "signature policy %q: use required or optional", p)
	}
	o, _, err := s.repo.OrganizationByClientID(ctx, clientID)
	if err != nil {
		return err
	}
	if err := s.repo.SetSignaturePolicy(ctx, o.ID, p); err != nil {
		return errcode.Wrapf(err, "set the signature policy of organization %d", o.ID)
	}
	s.tokens.drop(func(_ string, e tokenEntry) bool { return e.org.ID == o.ID })
	s.notify(ctx, orgMessage(o.ID))
	return nil
}

// VerificationKey returns the active public key keyID of the organization,
// for signature verification. Unauthenticated, saying why: unknown (to this
// organization) or revoked.
func (s *Service) VerificationKey(ctx context.Context, orgID int64, keyID string) (ed25519.PublicKey, error) {
	ref := keyRef{orgID, keyID}
	gen := s.keys.generation()
	k, ok := s.keys.get(ref)
	var err error
	if !ok {
		if k, err = s.repo.Key(ctx, orgID, keyID); err == nil {
			s.keys.putAt(ref, k, gen)
		}
	}
	if errcode.Is(err, errcode.NotFound) {
		return nil, errcode.New(errcode.Unauthenticated, "unknown keyid %q: this organization has no such key; register its public key with `openvest org add-key`", keyID)
	}
	if err != nil {
		return nil, err
	}
	if k.RevokedAt != nil {
		return nil, errcode.New(errcode.Unauthenticated, "key %q was revoked at %s: sign with an active key", keyID, k.RevokedAt.UTC().Format(time.RFC3339))
	}
	return k.PublicKey, nil
}

// OrganizationByClientID returns the organization with this client id. NotFound.
func (s *Service) OrganizationByClientID(ctx context.Context, clientID string) (Organization, error) {
	o, _, err := s.repo.OrganizationByClientID(ctx, clientID)
	return o, err
}
