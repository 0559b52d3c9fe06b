package httpapi

import (
	"errors"
	"regexp"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/openvest/openvest/internal/errcode"
)

// validationError turns kin-openapi's request validation error into a 400
// that names each failing field, where it is, and the rule it breaks.
func validationError(err error) error {
	var fields []errcode.FieldError
	collectFieldErrors(err, &fields)
	if len(fields) == 0 {
		fields = []errcode.FieldError{{Field: "request", Message: err.Error()}}
	}
	return fieldsError(fields)
}

func collectFieldErrors(err error, out *[]errcode.FieldError) {
	// Type switches, not errors.As: a MultiError answers errors.As with its
	// first matching element, and a RequestError wraps the MultiError of
	// its own schema errors.
	var re *openapi3filter.RequestError
	switch e := err.(type) {
	case openapi3.MultiError:
		for _, inner := range e {
			collectFieldErrors(inner, out)
		}
		return
	case *openapi3filter.RequestError:
		re = e
	default:
		*out = append(*out, errcode.FieldError{Field: "request", Message: err.Error()})
		return
	}
	switch {
	case re.Parameter != nil:
		in, name := re.Parameter.In, re.Parameter.Name
		var schemaErrs []*openapi3.SchemaError
		schemaErrors(re.Err, &schemaErrs)
		if len(schemaErrs) == 0 {
			*out = append(*out, errcode.FieldError{Field: name, In: in, Message: parameterReason(re)})
			return
		}
		for _, se := range schemaErrs {
			*out = append(*out, errcode.FieldError{Field: name, In: in, Message: reasonOf(se)})
		}
	case re.RequestBody != nil:
		var schemaErrs []*openapi3.SchemaError
		schemaErrors(re.Err, &schemaErrs)
		if len(schemaErrs) == 0 {
			*out = append(*out, errcode.FieldError{Field: "body", In: "body", Message: bodyReason(re)})
			return
		}
		for _, se := range schemaErrs {
			*out = append(*out, errcode.FieldError{Field: fieldPath(se), In: "body", Message: reasonOf(se)})
		}
	default:
		*out = append(*out, errcode.FieldError{Field: "request", Message: re.Error()})
	}
}

func schemaErrors(err error, out *[]*openapi3.SchemaError) {
	switch e := err.(type) {
	case openapi3.MultiError:
		for _, inner := range e {
			schemaErrors(inner, out)
		}
	case *openapi3.SchemaError:
		*out = append(*out, e)
	}
}

// reasonOf is the rule a schema error reports. Through allOf (how a $ref
// gets a description of its own) it is the rule of the inner schema that
// failed, not "doesn't match all schemas".
func reasonOf(se *openapi3.SchemaError) string {
	if se.SchemaField == "allOf" && se.Origin != nil {
		var inner []*openapi3.SchemaError
		for err := se.Origin; err != nil && len(inner) == 0; err = errors.Unwrap(err) {
			schemaErrors(err, &inner) // the origin wraps the inner MultiError
		}
		if len(inner) > 0 {
			reasons := make([]string, len(inner))
			for i, e := range inner {
				reasons[i] = reasonOf(e)
			}
			return strings.Join(reasons, "; ")
		}
	}
	return se.Reason
}

// unsupportedProperty matches kin-openapi's reason for a property that
// additionalProperties: false refuses; its pointer stops at the object.
var unsupportedProperty = regexp.MustCompile(`^property "([^"]+)" is unsupported$`)

// fieldPath renders a schema error's location as a dotted path with
// [i] for array items: `address.city`, `items[2].amount`. An unknown
// property is named in full.
func fieldPath(se *openapi3.SchemaError) string {
	pointer := se.JSONPointer()
	if m := unsupportedProperty.FindStringSubmatch(se.Reason); m != nil {
		pointer = append(pointer, m[1])
	}
	var b strings.Builder
	for _, p := range pointer {
		if _, err := strconv.Atoi(p); err == nil {
			b.WriteString("[" + p + "]")
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(p)
	}
	if b.Len() == 0 {
		return "body"
	}
	return b.String()
}

func parameterReason(re *openapi3filter.RequestError) string {
	if re.Reason != "" {
		return re.Reason
	}
	if re.Err != nil {
		return re.Err.Error()
	}
	return "is invalid"
}

func bodyReason(re *openapi3filter.RequestError) string {
	if re.Err != nil {
		var pe *openapi3filter.ParseError
		if errors.As(re.Err, &pe) {
			return "is not valid for its content type: " + pe.Error()
		}
		return re.Err.Error()
	}
	return re.Reason
}
