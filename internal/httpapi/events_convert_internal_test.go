package httpapi

import (
	"context"
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path"
	"path/filepath"
	"strings"
	"testing"

	"github.com/openvest/openvest/gen/api"
	"github.com/openvest/openvest/internal/event"
	"github.com/openvest/openvest/internal/investing"
	"github.com/openvest/openvest/internal/webhook"
	"github.com/stretchr/testify/require"
)

// module is the import path of the repository's root.
const module = "github.com/openvest/openvest"

// declaredEventTypes finds every event type the code declares: the types
// of the non-test Go files of internal/ and cmd/ with a method
// EventName() string, as import path + "." + type name.
func declaredEventTypes(t *testing.T) []string {
	t.Helper()
	var out []string
	for _, dir := range []string{"../../internal", "../../cmd"} {
		err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
				return err
			}
			f, err := parser.ParseFile(token.NewFileSet(), p, nil, 0)
			if err != nil {
				return err
			}
			rel, err := filepath.Rel("../..", filepath.Dir(p))
			if err != nil {
				return err
			}
			for _, decl := range f.Decls {
				fn, ok := decl.(*ast.FuncDecl)
				if !ok || fn.Recv == nil || fn.Name.Name != "EventName" || fn.Type.Params.NumFields() != 0 ||
					fn.Type.Results.NumFields() != 1 {
					continue
				}
				if res, ok := fn.Type.Results.List[0].Type.(*ast.Ident); !ok || res.Name != "string" {
					continue
				}
				recv := fn.Recv.List[0].Type
				if star, ok := recv.(*ast.StarExpr); ok {
					recv = star.X
				}
				if id, ok := recv.(*ast.Ident); ok {
					out = append(out, path.Join(module, filepath.ToSlash(rel))+"."+id.Name)
				}
			}
			return nil
		})
		require.NoError(t, err)
	}
	return out
}

// TestEveryEventTypeHasARendererAndASchema: the event types are a closed
// set: every type the code declares as an event has a renderer in
// eventData and nothing else does; their names are exactly the spec's
// WebhookEventType enum, and each has its payload schema in the
// WebhookEvent union (the discriminator maps it to a schema of that event
// alone, which the oneOf lists).
func TestEveryEventTypeHasARendererAndASchema(t *testing.T) {
	t.Parallel()
	declared := declaredEventTypes(t)
	require.Contains(t, declared, module+"/internal/investing.CustomerCreated", "the scan finds the event types")
	var registered, names []string
	for typ, r := range eventData {
		registered = append(registered, typ.PkgPath()+"."+typ.Name())
		names = append(names, r.name)
	}
	require.ElementsMatch(t, declared, registered, "every declared event type has a renderer in eventData (events_convert.go), and only those")

	doc, err := api.GetSwagger()
	require.NoError(t, err)
	var enum []string
	for _, v := range doc.Components.Schemas["WebhookEventType"].Value.Enum {
		enum = append(enum, v.(string))
	}
	require.ElementsMatch(t, enum, names, "the spec's WebhookEventType is exactly the names of the event types")
	union := doc.Components.Schemas["WebhookEvent"].Value
	var members []string
	for _, ref := range union.OneOf {
		members = append(members, ref.Ref)
	}
	for _, r := range eventData {
		ref, ok := union.Discriminator.Mapping[r.name]
		require.True(t, ok, "WebhookEvent's discriminator maps %s (%v)", r.name, r.typ)
		require.Contains(t, members, ref.Ref, "WebhookEvent's oneOf lists the schema of %s", r.name)
		s := doc.Components.Schemas[strings.TrimPrefix(ref.Ref, "#/components/schemas/")]
		require.NotNil(t, s, "%s exists", ref.Ref)
		require.Equal(t, []any{r.name}, s.Value.Properties["event"].Value.Enum, "%s is the schema of %s", ref.Ref, r.name)
	}
}

// unlisted is an event type with no renderer.
type unlisted struct{}

func (unlisted) EventName() string { return "CUSTOMER.CREATED" }

// TestAnEventWithoutARendererFailsItsChange: an event whose type has no
// renderer is refused with an error that names it (which fails the change
// that emits it), not recorded with some other shape.
func TestAnEventWithoutARendererFailsItsChange(t *testing.T) {
	t.Parallel()
	err := Events{}.Emit(context.Background(), 1, investing.CustomerCreated{}, unlisted{})
	require.ErrorContains(t, err, "no renderer for httpapi.unlisted")
	_, err = renderEvent(unlisted{})
	require.ErrorContains(t, err, "render event CUSTOMER.CREATED")
}

// TestEventDataIsTheAPIShape: an event's data is its value as the API
// returns it (a customer as GET /v1/customers shows one; the test event's
// {"test":true}), found by the event's type.
func TestEventDataIsTheAPIShape(t *testing.T) {
	t.Parallel()
	c := investing.Customer{ID: 7, FirstName: "Jane", LastName: "Banda", Status: investing.Active}
	for _, e := range []event.Event{investing.CustomerCreated{Customer: c}, investing.CustomerUpdated{Customer: c}} {
		got, err := renderEvent(e)
		require.NoError(t, err)
		require.Equal(t, apiCustomer(c), got, "%T", e)
	}
	got, err := renderEvent(webhook.TestSent{})
	require.NoError(t, err)
	b, err := json.Marshal(got)
	require.NoError(t, err)
	require.JSONEq(t, `{"test":true}`, string(b))
}
