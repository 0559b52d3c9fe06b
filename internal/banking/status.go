package banking

import (
	"slices"
	"strings"
	"time"

	"github.com/openvest/openvest/internal/errcode"
)

// CustomerStatus is the lifecycle status of a customer.
type CustomerStatus string

// The customer statuses.
const (
	Pending CustomerStatus = "PENDING" // the AML check has not passed; cannot transact
	Active  CustomerStatus = "ACTIVE"
	EDD     CustomerStatus = "EDD"     // under enhanced due diligence; can transact
	Frozen  CustomerStatus = "FROZEN"  // cannot transact
	Dormant CustomerStatus = "DORMANT" // no activity during the inactivity period
	Closed  CustomerStatus = "CLOSED"  // permanent
)

// CustomerStatuses lists every customer status.
var CustomerStatuses = []CustomerStatus{Pending, Active, EDD, Frozen, Dormant, Closed}

// customerTransitions is the customer status machine: from each status, the
// statuses it may move to. Every status change goes through it (see
// Customer.moveTo); no other code decides which moves are allowed.
var customerTransitions = map[CustomerStatus][]CustomerStatus{
	Pending: {Active, Closed},
	Active:  {EDD, Dormant, Closed, Frozen},
	EDD:     {Active, Closed, Frozen},
	Frozen:  {Active, Closed, EDD},
	Dormant: {Active, Closed, EDD},
	Closed:  {},
}

// CanMoveTo reports whether a customer in status s may move to status to.
// Staying in the same status is not a move.
func (s CustomerStatus) CanMoveTo(to CustomerStatus) bool {
	return slices.Contains(customerTransitions[s], to)
}

// Valid reports whether s is a known customer status.
func (s CustomerStatus) Valid() bool {
	_, ok := customerTransitions[s]
	return ok
}

// movableTo lists the statuses from which a customer may move to status to.
func movableTo(to CustomerStatus) []CustomerStatus {
	var out []CustomerStatus
	for _, from := range CustomerStatuses {
		if from.CanMoveTo(to) {
			out = append(out, from)
		}
	}
	return out
}

// moveTo changes c's status to to at the given time; a move to ACTIVE
// counts as activity. Conflict: the move is not in the status machine; the
// message names both statuses and the moves that are allowed.
func (c *Customer) moveTo(to CustomerStatus, at time.Time) error {
	if !c.Status.CanMoveTo(to) {
		return &errcode.Error{
			Code: errcode.Conflict,
			Message: "customer " + c.ID + " cannot move from " + string(c.Status) + " to " + string(to) +
				": " + allowedMoves(c.Status),
			Fields: []errcode.FieldError{{Field: "status", Message: "cannot move from " + string(c.Status) + " to " + string(to)}},
		}
	}
	c.Status = to
	c.UpdatedAt = at
	if to == Active {
		c.LastActivityAt = at
	}
	return nil
}

func allowedMoves(from CustomerStatus) string {
	next := customerTransitions[from]
	if len(next) == 0 {
		return from.String() + " is final; no status change is allowed"
	}
	names := make([]string, len(next))
	for i, s := range next {
		names[i] = string(s)
	}
	return "from " + from.String() + " a customer may move to " + strings.Join(names, ", ")
}

func (s CustomerStatus) String() string { return string(s) }

// ApplicationStatus is the status of an application.
type ApplicationStatus string

// The application statuses.
const (
	// Draft is missing something it needs before it can be submitted.
	Draft ApplicationStatus = "DRAFT"
	// ReadyForSubmission is complete and may be submitted.
	ReadyForSubmission ApplicationStatus = "READY_FOR_SUBMISSION"
	// Submitted waits for a decision.
	Submitted ApplicationStatus = "SUBMITTED"
	// ManualReview waits for a reviewer's decision.
	ManualReview ApplicationStatus = "MANUAL_REVIEW"
	// Approved created a customer.
	Approved ApplicationStatus = "APPROVED"
	// Denied created nothing.
	Denied ApplicationStatus = "DENIED"
)

// ApplicationStatuses lists every application status.
var ApplicationStatuses = []ApplicationStatus{Draft, ReadyForSubmission, Submitted, ManualReview, Approved, Denied}

// applicationTransitions is the application status machine. DRAFT and
// READY_FOR_SUBMISSION follow from the application's completeness after
// each change; the other moves are submission and decisions.
var applicationTransitions = map[ApplicationStatus][]ApplicationStatus{
	Draft:              {ReadyForSubmission},
	ReadyForSubmission: {Draft, Submitted},
	Submitted:          {ManualReview, Approved, Denied},
	ManualReview:       {Approved, Denied},
	Approved:           {},
	Denied:             {},
}

// CanMoveTo reports whether an application in status s may move to status to.
func (s ApplicationStatus) CanMoveTo(to ApplicationStatus) bool {
	return slices.Contains(applicationTransitions[s], to)
}

// Editable reports whether an application in status s may still change
// (fields and documents): before submission.
func (s ApplicationStatus) Editable() bool { return s == Draft || s == ReadyForSubmission }
