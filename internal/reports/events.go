package reports

// The events of reports, emitted in the transaction of each change.
type (
	// ReportCreated: a report was requested.
	ReportCreated struct{ Report Report }
	// ReportUpdated: a report was built, failed, or its delivery to its
	// url ended. It is also the name of that delivery's own POST.
	ReportUpdated struct{ Report Report }
)

// EventName implements event.Event: the name on the wire (DOMAIN.ACTION).
func (ReportCreated) EventName() string { return "REPORT.CREATED" }
func (ReportUpdated) EventName() string { return "REPORT.UPDATED" }
