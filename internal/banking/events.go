package banking

import (
	"context"

	"github.com/openvest/openvest/internal/event"
)

// The events of the banking surface (subscribable through the webhook
// engine as BANKING_APPLICATION, BANKING_CUSTOMER, BANKING_INDIVIDUAL or
// one event), each emitted in the transaction of its change.
type (
	// ApplicationCreated: an application was drafted.
	ApplicationCreated struct{ Application Application }
	// ApplicationUpdated: an application's fields or documents changed
	// before it was submitted.
	ApplicationUpdated struct{ Application Application }
	// ApplicationSubmitted: an application was submitted (it carries the
	// application as submitted; its decision follows).
	ApplicationSubmitted struct{ Application Application }
	// ApplicationApproved: an application was approved (the customer it
	// created follows, CustomerCreated).
	ApplicationApproved struct{ Application Application }
	// ApplicationDenied: an application was denied.
	ApplicationDenied struct{ Application Application }
	// ApplicationManualReview: an application awaits a reviewer.
	ApplicationManualReview struct{ Application Application }
	// CustomerCreated: an approved application created a customer.
	CustomerCreated struct{ Customer CustomerDetail }
	// CustomerUpdated: a customer's contact details changed.
	CustomerUpdated struct{ Customer CustomerDetail }
	// CustomerStatusChanged: a customer's status changed (directly, or by
	// the dormancy sweep or its AML check).
	CustomerStatusChanged struct{ Customer CustomerDetail }
	// IndividualUpdated: an individual's contact details changed
	// (individuals are created with their customer).
	IndividualUpdated struct{ Individual Individual }
)

// EventName implements event.Event: the name on the wire (DOMAIN.ACTION).
func (ApplicationCreated) EventName() string      { return "BANKING_APPLICATION.CREATED" }
func (ApplicationUpdated) EventName() string      { return "BANKING_APPLICATION.UPDATED" }
func (ApplicationSubmitted) EventName() string    { return "BANKING_APPLICATION.SUBMITTED" }
func (ApplicationApproved) EventName() string     { return "BANKING_APPLICATION.APPROVED" }
func (ApplicationDenied) EventName() string       { return "BANKING_APPLICATION.DENIED" }
func (ApplicationManualReview) EventName() string { return "BANKING_APPLICATION.MANUAL_REVIEW" }
func (CustomerCreated) EventName() string         { return "BANKING_CUSTOMER.CREATED" }
func (CustomerUpdated) EventName() string         { return "BANKING_CUSTOMER.UPDATED" }
func (CustomerStatusChanged) EventName() string   { return "BANKING_CUSTOMER.STATUS_CHANGED" }
func (IndividualUpdated) EventName() string       { return "BANKING_INDIVIDUAL.UPDATED" }

// decisionEvent is the event of an application's outcome.
func decisionEvent(a Application) event.Event {
	switch a.Status {
	case Approved:
		return ApplicationApproved{a}
	case Denied:
		return ApplicationDenied{a}
	}
	return ApplicationManualReview{a}
}

// WithEvents sends the service's events to e and returns s.
func (s *Service) WithEvents(e event.Emitter) *Service {
	s.events = e
	return s
}

// FindIndividual returns one individual of the organization by id alone
// (to fire its events). NotFound.
func (s *Service) FindIndividual(ctx context.Context, org Org, id string) (Individual, error) {
	return s.repo.FindIndividual(ctx, org.ID, id)
}
