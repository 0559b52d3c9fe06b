package auth

// The events of tokens (the AUTH webhook domain), emitted in the
// transaction of the change when the service has events (WithEvents).
// Each carries the token, never its secret, and its organization.
type (
	// TokenCreated: a token was issued.
	TokenCreated struct {
		Token Token
		Org   Organization
	}
	// TokenDeleted: a token was revoked.
	TokenDeleted struct {
		Token Token
		Org   Organization
	}
)

// EventName implements event.Event: the name on the wire (DOMAIN.ACTION).
func (TokenCreated) EventName() string { return "AUTH.CREATED" }
func (TokenDeleted) EventName() string { return "AUTH.DELETED" }
