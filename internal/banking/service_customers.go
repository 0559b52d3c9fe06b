package banking

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/openvest/openvest/internal/errcode"
	"github.com/openvest/openvest/internal/patch"
)

// Customers lists the organization's customers, newest first. Invalid: a
// bad limit or cursor.
func (s *Service) Customers(ctx context.Context, org Org, f CustomerFilter, p PageRequest) (Page[Customer], error) {
	limit, after, err := p.resolve()
	if err != nil {
		return Page[Customer]{}, err
	}
	rows, err := s.repo.ListCustomers(ctx, org.ID, f, after, limit+1)
	if err != nil {
		return Page[Customer]{}, err
	}
	return paginate(rows, limit, func(c Customer) Position { return Position{c.CreatedAt, c.ID} }), nil
}

// Customer returns one customer with its individuals and accounts. NotFound.
func (s *Service) Customer(ctx context.Context, org Org, id string) (CustomerDetail, error) {
	return s.repo.CustomerDetail(ctx, org.ID, id)
}

// ContactUpdate changes a customer's or an individual's contact details:
// nil fields stay as they are and the address merges field by field.
// Major lists the fields of the request that would change who the
// customer is (name, date of birth, type, role, ownership): they need a
// new application.
type ContactUpdate struct {
	Email   *string
	Phone   *string
	Address *AddressPatch
	Major   []string
}

// UpdateCustomer changes a customer's email, phone or address; it counts
// as activity. NotFound; Unprocessable: a major change (each field is
// named); Conflict: the customer is CLOSED; Invalid: the merged address
// lacks a required field.
func (s *Service) UpdateCustomer(ctx context.Context, org Org, id string, in ContactUpdate) (CustomerDetail, error) {
	var c CustomerDetail
	err := s.repo.WithTx(ctx, func(ctx context.Context) error {
		_, err := s.repo.UpdateCustomer(ctx, org.ID, id, func(cust *Customer) error {
			if err := in.apply(*cust, &cust.Email, &cust.Phone, &cust.Address); err != nil {
				return err
			}
			now := s.clock()
			cust.UpdatedAt, cust.LastActivityAt = now, now
			return nil
		})
		if err != nil {
			return err
		}
		if c, err = s.repo.CustomerDetail(ctx, org.ID, id); err != nil {
			return err
		}
		return s.events.Emit(ctx, org.ID, CustomerUpdated{c})
	})
	return c, errcode.Wrapf(err, "update customer %s", id)
}

// Individual returns one individual of a corporate customer. NotFound: no
// such customer or individual, or the customer is an individual (it has
// no individuals).
func (s *Service) Individual(ctx context.Context, org Org, customerID, id string) (Individual, error) {
	c, err := s.repo.Customer(ctx, org.ID, customerID, false)
	if err != nil {
		return Individual{}, err
	}
	if err := corporate(c); err != nil {
		return Individual{}, err
	}
	return s.repo.Individual(ctx, org.ID, customerID, id, false)
}

// UpdateIndividual changes the email, phone or address of an individual of
// a corporate customer; it counts as the customer's activity. NotFound (as
// Individual); Unprocessable: a major change (each field is named);
// Conflict: the customer is CLOSED; Invalid: the merged address lacks a
// required field.
func (s *Service) UpdateIndividual(ctx context.Context, org Org, customerID, id string, in ContactUpdate) (Individual, error) {
	var ind Individual
	err := s.repo.WithTx(ctx, func(ctx context.Context) error {
		c, err := s.repo.Customer(ctx, org.ID, customerID, true)
		if err != nil {
			return err
		}
		if err := corporate(c); err != nil {
			return err
		}
		if ind, err = s.repo.Individual(ctx, org.ID, customerID, id, true); err != nil {
			return err
		}
		if err := in.apply(c, &ind.Email, &ind.Phone, &ind.Address); err != nil {
			return err
		}
		now := s.clock()
		ind.UpdatedAt, c.LastActivityAt = now, now
		if err := s.repo.SaveIndividual(ctx, &ind); err != nil {
			return err
		}
		if err := s.repo.SaveCustomer(ctx, &c); err != nil {
			return err
		}
		return s.events.Emit(ctx, org.ID, IndividualUpdated{ind})
	})
	return ind, errcode.Wrapf(err, "update individual %s of customer %s", id, customerID)
}

// SetCustomerStatus is a sandbox control: it moves a customer to another
// status through the status machine, as compliance operations would.
// ACTIVE counts as activity; CLOSED closes the customer's accounts in the
// same transaction. NotFound: no such customer, or the organization is not
// a sandbox; Invalid: an unknown status; Conflict: the status machine does
// not allow the move (both statuses are named).
func (s *Service) SetCustomerStatus(ctx context.Context, org Org, id string, to CustomerStatus) (CustomerDetail, error) {
	if err := sandboxOnly(org); err != nil {
		return CustomerDetail{}, err
	}
	if !to.Valid() {
		return CustomerDetail{}, invalid("the status is not valid", []errcode.FieldError{{Field: "status", In: "body", Message: fmt.Sprintf("must be one of %v", CustomerStatuses)}})
	}
	var c CustomerDetail
	err := s.repo.WithTx(ctx, func(ctx context.Context) error {
		now := s.clock()
		cust, err := s.repo.UpdateCustomer(ctx, org.ID, id, func(draft *Customer) error { return draft.moveTo(to, now) })
		if err != nil {
			return err
		}
		if to == Closed {
			if err := s.repo.CloseAccounts(ctx, org.ID, cust.ID, now); err != nil {
				return err
			}
		}
		if c, err = s.repo.CustomerDetail(ctx, org.ID, id); err != nil {
			return err
		}
		return s.events.Emit(ctx, org.ID, CustomerStatusChanged{c})
	})
	return c, errcode.Wrapf(err, "move customer %s to %s", id, to)
}

// dormancyBatch is the number of customers one sweep statement moves, so
// that no statement holds many row locks for long.
const dormancyBatch = 1000

// MarkDormant moves to DORMANT every customer, of every organization,
// that the status machine lets become DORMANT (ACTIVE ones) and that has
// had no activity for the configured number of months, with a
// BANKING_CUSTOMER.STATUS_CHANGED event for each in the same transaction
// (one per batch); it returns how many it moved. The periodic sweep of
// `openvest serve` calls it.
func (s *Service) MarkDormant(ctx context.Context) (int64, error) {
	now := s.clock()
	cutoff, from := now.AddDate(0, -s.dormancyMonths, 0), movableTo(Dormant)
	var total int64
	for {
		var n int
		err := s.repo.WithTx(ctx, func(ctx context.Context) error {
			moved, err := s.repo.MarkDormant(ctx, from, cutoff, now, dormancyBatch)
			if err != nil {
				return err
			}
			n = len(moved)
			for _, m := range moved {
				c, err := s.repo.CustomerDetail(ctx, m.OrganizationID, m.ID)
				if err != nil {
					return fmt.Errorf("read dormant customer %s: %w", m.ID, err)
				}
				if err := s.events.Emit(ctx, m.OrganizationID, CustomerStatusChanged{c}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return total, errcode.Wrapf(err, "mark customers inactive since %s dormant", cutoff.Format(time.DateOnly))
		}
		total += int64(n)
		if n < dormancyBatch {
			return total, nil
		}
	}
}

// apply checks the update against the customer it concerns and writes it
// onto the given contact details. Unprocessable: a major change; Conflict:
// the customer is CLOSED; Invalid: the merged address lacks a required field.
func (in ContactUpdate) apply(c Customer, email, phone *string, addr *Address) error {
	if err := majorChange(in.Major); err != nil {
		return err
	}
	if err := changeable(c); err != nil {
		return err
	}
	patch.Set(email, in.Email)
	patch.Set(phone, in.Phone)
	return mergeAddress(addr, in.Address)
}

// majorChange refuses changes that need a new application. Unprocessable.
func majorChange(fields []string) error {
	if len(fields) == 0 {
		return nil
	}
	e := &errcode.Error{
		Code: errcode.Unprocessable,
		Message: strings.Join(fields, ", ") + ": a change of name, date of birth, type, role or ownership is a major change; " +
			"it needs a new application (POST /applications). Only email, phone and address change here.",
	}
	for _, f := range fields {
		e.Fields = append(e.Fields, errcode.FieldError{Field: f, In: "body", Message: "is a major change: it needs a new application (POST /applications)"})
	}
	return e
}

// changeable refuses changes to a CLOSED customer. Conflict.
func changeable(c Customer) error {
	if c.Status == Closed {
		return errcode.New(errcode.Conflict, "customer %s is CLOSED, which is final: it cannot change", c.ID)
	}
	return nil
}

// corporate answers NotFound for an individual customer: only corporations have individuals.
func corporate(c Customer) error {
	if c.Type == TypeCorporation {
		return nil
	}
	return errcode.New(errcode.NotFound, "customer %s is an INDIVIDUAL customer: it has no individuals (its person is in GET /customers/%s)", c.ID, c.ID)
}

// mergeAddress applies a partial address. Invalid: the result lacks a
// required field.
func mergeAddress(addr *Address, p *AddressPatch) error {
	if p == nil {
		return nil
	}
	merged := addr.Merge(*p)
	if missing := merged.missing("address"); len(missing) > 0 {
		fields := make([]errcode.FieldError, len(missing))
		for i, f := range missing {
			fields[i] = errcode.FieldError{Field: f, In: "body", Message: "is required"}
		}
		return invalid("the address is not valid", fields)
	}
	*addr = merged
	return nil
}
