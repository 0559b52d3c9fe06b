// Package errcode defines the one error type the domain packages return.
// Each error carries a Code; the HTTP layer maps codes to statuses once, per
// surface, and renders Message to the caller. Anything that is not an
// *Error is an internal error: it is logged and never shown.
package errcode

import (
	"errors"
	"fmt"
)

// Code classifies an error.
type Code string

// The error codes.
const (
	Invalid         Code = "invalid"         // the input breaks a rule of its own (400)
	Unauthenticated Code = "unauthenticated" // no, bad, expired or revoked credentials (401)
	Forbidden       Code = "forbidden"       // authenticated but not allowed (403)
	NotFound        Code = "not_found"       // no such resource in this organization (404)
	Conflict        Code = "conflict"        // clashes with the current state (409)
	Unprocessable   Code = "unprocessable"   // well-formed but breaks a business rule (422)
)

// FieldError names one failing field and the rule it breaks.
type FieldError struct {
	Field   string // dotted path in the body, or a parameter name
	In      string // body, query, path or header; empty when unknown
	Message string
}

// Error is a domain error: a code, a message for the caller saying what went
// wrong and what to do, and optionally the fields that failed.
//
// Reason, when set, is a finer machine-readable cause in the vocabulary of
// the surface the domain serves (CUSTOMER_ALREADY_EXISTS); surfaces whose
// error shape carries such a code show it, the others ignore it.
type Error struct {
	Code    Code
	Message string
	Fields  []FieldError
	Reason  string
}

func (e *Error) Error() string { return string(e.Code) + ": " + e.Message }

// New returns an *Error with a formatted message.
func New(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// WithReason sets e's Reason and returns e.
func (e *Error) WithReason(reason string) *Error {
	e.Reason = reason
	return e
}

// As returns the *Error in err's chain, if any.
func As(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}

// Is reports whether err carries the given code.
func Is(err error, code Code) bool {
	e, ok := As(err)
	return ok && e.Code == code
}

// Wrapf says what was being attempted when err happened, as in
// Wrapf(err, "create customer %d accounts", id): "create customer 12
// accounts: " + err. It returns nil for nil, so that a method can end with
// return v, Wrapf(err, …). An *Error in err's chain stays what As and Is
// find, with its Message (what a client is shown) unchanged; the wrapping
// shows in Error(), which is what an internal error's log line prints.
func Wrapf(err error, format string, args ...any) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf(format+": %w", append(args, err)...)
}
