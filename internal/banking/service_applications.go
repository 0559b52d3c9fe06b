package banking

import (
	"context"
	"time"

	"github.com/openvest/openvest/internal/errcode"
	"github.com/openvest/openvest/internal/event"
)

// CreateApplication drafts an application of type typ with what is known
// so far; its status is READY_FOR_SUBMISSION when nothing is missing and
// DRAFT otherwise. Invalid: an unknown type, or a field that breaks a rule
// (each failing field is named).
func (s *Service) CreateApplication(ctx context.Context, org Org, typ CustomerType, in ApplicationInput) (Application, error) {
	if typ != TypeIndividual && typ != TypeCorporation {
		return Application{}, invalid("the application is not valid", []errcode.FieldError{{Field: "type", In: "body", Message: "must be INDIVIDUAL or CORPORATION"}})
	}
	now := s.clock()
	a := Application{ID: newID(prefixApplication), OrganizationID: org.ID, Type: typ, Status: Draft, CreatedAt: now, UpdatedAt: now}
	if err := a.apply(in, today(now)); err != nil {
		return Application{}, err
	}
	a.refreshStatus()
	err := s.repo.WithTx(ctx, func(ctx context.Context) error {
		if err := s.repo.CreateApplication(ctx, &a); err != nil {
			return err
		}
		return s.events.Emit(ctx, org.ID, ApplicationCreated{a})
	})
	if err != nil {
		return Application{}, errcode.Wrapf(err, "create %s application", typ)
	}
	return a, nil
}

// UpdateApplication changes an application that has not been submitted;
// its status follows its completeness. NotFound; Conflict: it was already
// submitted; Invalid: a field breaks a rule.
func (s *Service) UpdateApplication(ctx context.Context, org Org, id string, in ApplicationInput) (Application, error) {
	var a Application
	err := s.repo.WithTx(ctx, func(ctx context.Context) error {
		var err error
		if a, err = s.repo.Application(ctx, org.ID, id, true); err != nil {
			return err
		}
		if err := editable(a); err != nil {
			return err
		}
		now := s.clock()
		if err := a.apply(in, today(now)); err != nil {
			return err
		}
		a.refreshStatus()
		a.UpdatedAt = now
		if err := s.repo.SaveApplication(ctx, &a, in.Individuals != nil); err != nil {
			return err
		}
		return s.events.Emit(ctx, org.ID, ApplicationUpdated{a})
	})
	return a, errcode.Wrapf(err, "update application %s", id)
}

// Application returns one application. NotFound.
func (s *Service) Application(ctx context.Context, org Org, id string) (Application, error) {
	return s.repo.Application(ctx, org.ID, id, false)
}

// Applications lists the organization's applications, newest first.
// Invalid: a bad limit or cursor.
func (s *Service) Applications(ctx context.Context, org Org, f ApplicationFilter, p PageRequest) (Page[Application], error) {
	limit, after, err := p.resolve()
	if err != nil {
		return Page[Application]{}, err
	}
	rows, err := s.repo.ListApplications(ctx, org.ID, f, after, limit+1)
	if err != nil {
		return Page[Application]{}, err
	}
	return paginate(rows, limit, func(a Application) Position { return Position{a.CreatedAt, a.ID} }), nil
}

// AddDocument attaches a document to an application that has not been
// submitted, and returns its metadata; the application's status follows
// its completeness. Invalid: the content is empty, too large or not of
// its declared type; NotFound; Conflict: the application was submitted;
// Unprocessable: it already has MaxDocuments documents.
func (s *Service) AddDocument(ctx context.Context, org Org, applicationID string, in NewDocument) (Document, error) {
	if err := in.check(); err != nil {
		return Document{}, err
	}
	var d Document
	err := s.repo.WithTx(ctx, func(ctx context.Context) error {
		a, err := s.repo.Application(ctx, org.ID, applicationID, true)
		if err != nil {
			return err
		}
		if err := editable(a); err != nil {
			return err
		}
		if len(a.Documents) >= MaxDocuments {
			return errcode.New(errcode.Unprocessable, "application %s already has %d documents, the most an application may have", a.ID, MaxDocuments)
		}
		now := s.clock()
		d = Document{
			ID: newID(prefixDocument), OrganizationID: org.ID, ApplicationID: a.ID, Type: in.Type,
			FileName: in.FileName, ContentType: in.ContentType, Size: int64(len(in.Content)),
			SHA256: digest(in.Content), Content: in.Content, CreatedAt: now,
		}
		if err := s.repo.CreateDocument(ctx, &d); err != nil {
			return err
		}
		d.Content = nil
		a.Documents = append(a.Documents, d)
		a.refreshStatus()
		a.UpdatedAt = now
		if err := s.repo.SaveApplication(ctx, &a, false); err != nil {
			return err
		}
		return s.events.Emit(ctx, org.ID, ApplicationUpdated{a})
	})
	return d, errcode.Wrapf(err, "add a document to application %s", applicationID)
}

// Document returns one document of an application, content included. NotFound.
func (s *Service) Document(ctx context.Context, org Org, applicationID, id string) (Document, error) {
	return s.repo.Document(ctx, org.ID, applicationID, id)
}

// SubmitApplication submits a complete application, and decides it in
// the same transaction (see decide): APPROVED creates the customer, its
// individuals and its default account; DENIED creates nothing;
// MANUAL_REVIEW waits for DecideApplication. NotFound; Conflict: the
// application is incomplete (each missing field is named) or was already
// submitted.
func (s *Service) SubmitApplication(ctx context.Context, org Org, id string) (Application, error) {
	var a Application
	err := s.repo.WithTx(ctx, func(ctx context.Context) error {
		var err error
		if a, err = s.repo.Application(ctx, org.ID, id, true); err != nil {
			return err
		}
		if a.Status == Draft {
			return fieldsError(errcode.Conflict, "application "+a.ID+" is not complete, so it cannot be submitted yet; "+
				"complete it with PATCH /applications/{id} and POST /applications/{id}/documents", a.Missing())
		}
		if !a.Status.CanMoveTo(Submitted) {
			return errcode.New(errcode.Conflict, "application %s is %s: an application is submitted once", a.ID, a.Status)
		}
		now := s.clock()
		a.Status, a.SubmittedAt = Submitted, &now
		submitted := a
		outcome, reason := decide(org, a)
		return s.conclude(ctx, org, &a, outcome, reason, now, ApplicationSubmitted{submitted})
	})
	return a, errcode.Wrapf(err, "submit application %s", id)
}

// DecideApplication is a sandbox control: it approves or denies an
// application in MANUAL_REVIEW, as a reviewer would. An approval creates
// what SubmitApplication's does. NotFound: no such application, or the
// organization is not a sandbox; Invalid: decision is not APPROVED or
// DENIED; Conflict: the application is not in MANUAL_REVIEW.
func (s *Service) DecideApplication(ctx context.Context, org Org, id string, decision ApplicationStatus, reason string) (Application, error) {
	if err := sandboxOnly(org); err != nil {
		return Application{}, err
	}
	if decision != Approved && decision != Denied {
		return Application{}, invalid("the decision is not valid", []errcode.FieldError{{Field: "decision", In: "body", Message: "must be APPROVED or DENIED"}})
	}
	var a Application
	err := s.repo.WithTx(ctx, func(ctx context.Context) error {
		var err error
		if a, err = s.repo.Application(ctx, org.ID, id, true); err != nil {
			return err
		}
		if a.Status != ManualReview {
			return errcode.New(errcode.Conflict, "application %s is %s: only an application in MANUAL_REVIEW can be decided", a.ID, a.Status)
		}
		if reason == "" {
			reason = "decided through the sandbox decision control"
		}
		return s.conclude(ctx, org, &a, decision, reason, s.clock())
	})
	return a, errcode.Wrapf(err, "decide application %s", id)
}

// conclude moves a submitted application to its outcome and saves it;
// approval creates the customer first. It emits changes (what came
// before), then the outcome's event (BANKING_APPLICATION.APPROVED, .DENIED
// or .MANUAL_REVIEW) and, on approval, BANKING_CUSTOMER.CREATED.
func (s *Service) conclude(ctx context.Context, org Org, a *Application, outcome ApplicationStatus, reason string, now time.Time, changes ...event.Event) error {
	if !a.Status.CanMoveTo(outcome) {
		return errcode.New(errcode.Conflict, "application %s cannot move from %s to %s", a.ID, a.Status, outcome)
	}
	a.Status, a.DecisionReason, a.UpdatedAt = outcome, reason, now
	var created *CustomerDetail
	if outcome != ManualReview {
		a.DecidedAt = &now
	}
	if outcome == Approved {
		c, err := onboard(org, *a, now)
		if err != nil {
			return err
		}
		if err := s.repo.CreateCustomer(ctx, &c); err != nil {
			return errcode.Wrapf(err, "create the customer of application %s", a.ID)
		}
		a.CustomerID = c.ID
		created = &c
	}
	if err := s.repo.SaveApplication(ctx, a, false); err != nil {
		return err
	}
	changes = append(changes, decisionEvent(*a))
	if created != nil {
		changes = append(changes, CustomerCreated{*created})
	}
	return s.events.Emit(ctx, org.ID, changes...)
}

// onboard builds what an approved application creates: the customer
// (PENDING, then ACTIVE when its AML check passes), its individuals and a
// default account.
func onboard(org Org, a Application, now time.Time) (CustomerDetail, error) {
	c := CustomerDetail{Customer: Customer{
		ID: newID(prefixCustomer), OrganizationID: a.OrganizationID, ApplicationID: a.ID,
		Type: a.Type, Status: Pending, Email: a.Email, Phone: a.Phone, Address: a.Address,
		FirstName: a.FirstName, LastName: a.LastName,
		LegalName: a.LegalName, RegistrationNumber: a.RegistrationNumber,
		LastActivityAt: now, CreatedAt: now, UpdatedAt: now,
	}}
	if a.DateOfBirth != nil {
		c.DateOfBirth = *a.DateOfBirth
	}
	for i, ind := range a.Individuals {
		c.Individuals = append(c.Individuals, Individual{
			ID: newID(prefixIndividual), OrganizationID: a.OrganizationID, CustomerID: c.ID, Position: i,
			Role: ind.Role, FirstName: ind.FirstName, LastName: ind.LastName, DateOfBirth: *ind.DateOfBirth,
			Email: ind.Email, Phone: ind.Phone, Address: ind.Address, OwnershipPercentage: ind.OwnershipPercentage,
			CreatedAt: now, UpdatedAt: now,
		})
	}
	c.Accounts = []Account{{
		ID: newID(prefixAccount), OrganizationID: a.OrganizationID, CustomerID: c.ID,
		Currency: DefaultCurrency, Status: AccountActive, CreatedAt: now, UpdatedAt: now,
	}}
	if amlPasses(org, a) {
		if err := c.moveTo(Active, now); err != nil {
			return CustomerDetail{}, err
		}
	}
	return c, nil
}

// editable refuses changes to a submitted application. Conflict.
func editable(a Application) error {
	if a.Status.Editable() {
		return nil
	}
	return errcode.New(errcode.Conflict, "application %s is %s: it can no longer change; start a new application (POST /applications)", a.ID, a.Status)
}
