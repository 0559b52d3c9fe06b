package banking

import "context"

// The events of the banking surface (subscribable through the webhook
// engine as BANKING_APPLICATION, BANKING_CUSTOMER, BANKING_INDIVIDUAL or
// one event).
const (
	EventApplicationCreated      = "BANKING_APPLICATION.CREATED"
	EventApplicationUpdated      = "BANKING_APPLICATION.UPDATED"
	EventApplicationSubmitted    = "BANKING_APPLICATION.SUBMITTED"
	EventApplicationApproved     = "BANKING_APPLICATION.APPROVED"
	EventApplicationDenied       = "BANKING_APPLICATION.DENIED"
	EventApplicationManualReview = "BANKING_APPLICATION.MANUAL_REVIEW"
	EventCustomerCreated         = "BANKING_CUSTOMER.CREATED"
	EventCustomerUpdated         = "BANKING_CUSTOMER.UPDATED"
	EventCustomerStatusChanged   = "BANKING_CUSTOMER.STATUS_CHANGED"
	EventIndividualUpdated       = "BANKING_INDIVIDUAL.UPDATED"
)

// decisionEvent is the event of an application's outcome.
func decisionEvent(s ApplicationStatus) string {
	switch s {
	case Approved:
		return EventApplicationApproved
	case Denied:
		return EventApplicationDenied
	}
	return EventApplicationManualReview
}

// Change is one event of a change: its name and the changed domain value
// (an Application, a CustomerDetail or an Individual).
type Change struct {
	Event    string
	Resource any
}

// Events receives the events of changes in the transaction of the change
// that ctx carries: an event commits with its change or not at all.
type Events interface {
	EmitBanking(ctx context.Context, orgID int64, changes ...Change) error
}

type noEvents struct{}

func (noEvents) EmitBanking(context.Context, int64, ...Change) error { return nil }

// WithEvents sends the service's events to e and returns s.
func (s *Service) WithEvents(e Events) *Service {
	s.events = e
	return s
}

// FindIndividual returns one individual of the organization by id alone
// (to fire its events). NotFound.
func (s *Service) FindIndividual(ctx context.Context, org Org, id string) (Individual, error) {
	return s.repo.FindIndividual(ctx, org.ID, id)
}
