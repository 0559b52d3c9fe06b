package webhook

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/openvest/openvest/httpsig"
	"golang.org/x/crypto/ssh"
)

// Key is a key that signs deliveries: a webhook's own key, or a server key
// (which signs the deliveries of a webhook that has none yet). Seed is the
// ed25519 private seed; RetiredAt is set once a newer server key replaced it.
type Key struct {
	ID        int64
	KeyID     string // the keyid of the deliveries' Signature-Input
	Seed      []byte
	CreatedAt time.Time
	RetiredAt *time.Time
}

// NewKey makes a fresh server key created at now.
func NewKey(now time.Time) (Key, error) { return newKey("openvest-webhooks-", now) }

// NewWebhookKey makes a fresh key for one webhook, created at now.
func NewWebhookKey(now time.Time) (Key, error) { return newKey("openvest-webhook-", now) }

func newKey(prefix string, now time.Time) (Key, error) {
	seed := make([]byte, ed25519.SeedSize)
	if _, err := rand.Read(seed); err != nil {
		return Key{}, err
	}
	id := make([]byte, 6)
	if _, err := rand.Read(id); err != nil {
		return Key{}, err
	}
	return Key{KeyID: prefix + hex.EncodeToString(id), Seed: seed, CreatedAt: now}, nil
}

// Private is the signing key. The key of a seed is kept (up to
// maxPrivateKeys of them) and the same slice returned each time: deriving
// it costs a scalar multiplication, and crypto/ed25519 keeps its own
// precomputation per slice, so a webhook's deliveries sign with one
// derivation instead of two per delivery.
func (k Key) Private() ed25519.PrivateKey {
	if v, ok := privateKeys.Load(string(k.Seed)); ok {
		return v.(ed25519.PrivateKey)
	}
	priv := ed25519.NewKeyFromSeed(k.Seed)
	if privateKeyCount.Add(1) > maxPrivateKeys {
		privateKeys.Clear() // a bound, not an eviction policy: the keys in use come back at once
		privateKeyCount.Store(1)
	}
	v, _ := privateKeys.LoadOrStore(string(k.Seed), priv)
	return v.(ed25519.PrivateKey)
}

// The derived signing keys, by seed.
var (
	privateKeys     sync.Map
	privateKeyCount atomic.Int64
)

const maxPrivateKeys = 4096

// Public is the verification key.
func (k Key) Public() ed25519.PublicKey { return k.Private().Public().(ed25519.PublicKey) }

// AuthorizedKey is the public key in the OpenSSH authorized_keys form the
// investing docs show ("ssh-ed25519 AAAA… comment").
func (k Key) AuthorizedKey() (string, error) {
	pub, err := ssh.NewPublicKey(k.Public())
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(string(ssh.MarshalAuthorizedKey(pub))) + " " + k.KeyID, nil
}

// PEM is the public key as PKIX PEM.
func (k Key) PEM() (string, error) {
	b, err := httpsig.MarshalPublicKey(k.Public())
	return string(b), err
}

// Published returns the keys a receiver should accept at now: the active
// key (the newest not retired) first, then the keys retired less than
// overlap ago, newest first.
func Published(keys []Key, now time.Time, overlap time.Duration) []Key {
	sorted := append([]Key(nil), keys...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].CreatedAt.After(sorted[j].CreatedAt) })
	var out []Key
	for _, k := range sorted {
		if k.RetiredAt == nil || now.Sub(*k.RetiredAt) < overlap {
			out = append(out, k)
		}
	}
	return out
}

// SigningKey returns the key that signs now: the newest key not retired.
func SigningKey(keys []Key) (Key, error) {
	var best *Key
	for i := range keys {
		if keys[i].RetiredAt == nil && (best == nil || keys[i].CreatedAt.After(best.CreatedAt)) {
			best = &keys[i]
		}
	}
	if best == nil {
		return Key{}, fmt.Errorf("no active webhook signing key; start the service once or run `openvest webhook-key rotate`")
	}
	return *best, nil
}
