package banking

import "strings"

// The sandbox magic values. For sandbox organizations only, the last name
// of the applicant (for a corporation: of any of its individuals) drives
// the outcome of a submitted application. The comparison ignores case and
// surrounding spaces; when several apply, the first listed here wins.
// Production organizations' applications are always approved and their
// customers always pass the AML check.
const (
	// DenyLastName denies the application: nothing is created.
	DenyLastName = "Deny"
	// ReviewLastName sends the application to MANUAL_REVIEW until the
	// sandbox decision control approves or denies it.
	ReviewLastName = "Review"
	// PendingLastName approves the application, but the customer's AML
	// check does not pass: it stays PENDING until the sandbox status
	// control moves it.
	PendingLastName = "Pending"
)

// decide is the decision on a submitted application, and the reason for
// any outcome but approval.
func decide(org Org, a Application) (ApplicationStatus, string) {
	switch {
	case org.Sandbox && a.hasLastName(DenyLastName):
		return Denied, "sandbox rule: the last name " + DenyLastName + " denies an application"
	case org.Sandbox && a.hasLastName(ReviewLastName):
		return ManualReview, "sandbox rule: the last name " + ReviewLastName + " sends an application to manual review; decide it with POST /sandbox/applications/{id}/decision"
	}
	return Approved, ""
}

// amlPasses reports whether the AML check of the customer an approved
// application creates passes.
func amlPasses(org Org, a Application) bool {
	return !org.Sandbox || !a.hasLastName(PendingLastName)
}

// hasLastName reports whether the applicant, or one of the corporation's
// individuals, has the last name name.
func (a Application) hasLastName(name string) bool {
	match := func(s string) bool { return strings.EqualFold(strings.TrimSpace(s), name) }
	if a.Type == TypeIndividual {
		return match(a.LastName)
	}
	for _, ind := range a.Individuals {
		if match(ind.LastName) {
			return true
		}
	}
	return false
}
