package handlers

import (
	"fmt"
	"reflect"
	"strings"

	"github.com/fileapi/fileapi/models"
)

// A profile field is declared once in the store (models.Profile) and once in each dialect's wire type, which
// carries everything the dialect says about it: the wire name (`wire` tag, else the Go name), the place in the
// body (the field's order), and, on a field a PUT may write, its rule (`put` tag, validator/v10 syntax; see
// rules.go). A wire field meets the store's field of the same Go name: a profile plan, made once per wire type,
// copies a user into the wire type (show) and knows the input type of the fields a PUT writes. So adding a
// field to a dialect is one line in its wire type; the dialect's handlers only spell out what is special.

// profilePlan is the plan of a dialect's wire type W.
type profilePlan[W any] struct {
	copies []fieldCopy
	// writable are W's fields with a put rule, in order; input is a struct of them (see newProfilePlan).
	writable []writableField
	input    reflect.Type
}

// fieldCopy copies a User field into a W field of the same name: the same type, or a pointer to a value of
// the wire field's kind (nil reads as the zero value), converted to a named type of that kind.
type fieldCopy struct {
	from, to []int
	deref    bool
	change   []int // the models.ProfileChange field of the name, nil when none
}

// writableField is a field a PUT writes: its wire name, its index in the input struct and in
// models.ProfileChange (nil when the store has no Profile field of that name: the dialect handles it).
type writableField struct {
	name   string // the Go name, as in models.Profile
	wire   string
	change []int
}

// newProfilePlan makes the plan of W; inputOf gives the input struct's type of a writable field of type t
// (a dialect reads *T as Change[T], say; nil when W has no put rules). A wire field whose type cannot hold the user's field of its name
// is a programming error: it panics at start.
func newProfilePlan[W any](inputOf func(name string, t reflect.Type) reflect.Type) *profilePlan[W] {
	wt, ut, ct := reflect.TypeFor[W](), reflect.TypeFor[models.User](), reflect.TypeFor[models.ProfileChange]()
	p := &profilePlan[W]{}
	var in []reflect.StructField
	for i := range wt.NumField() {
		f := wt.Field(i)
		if uf, ok := ut.FieldByName(f.Name); ok && f.IsExported() {
			c := fieldCopy{from: uf.Index, to: f.Index}
			if cf, ok := ct.FieldByName(f.Name); ok {
				c.change = cf.Index
			}
			src := uf.Type
			if src != f.Type && src.Kind() == reflect.Pointer && f.Type.Kind() != reflect.Pointer {
				c.deref, src = true, src.Elem()
			}
			if src != f.Type && src.Kind() != f.Type.Kind() {
				panic(fmt.Sprintf("handlers: %s.%s (%s) cannot show models.User.%s (%s)", wt.Name(), f.Name, f.Type, f.Name, uf.Type))
			}
			p.copies = append(p.copies, c)
		}
		rule, ok := f.Tag.Lookup("put")
		if !ok {
			continue
		}
		wire, _, _ := strings.Cut(f.Tag.Get("wire"), ",")
		if wire == "" {
			wire = f.Name
		}
		w := writableField{name: f.Name, wire: wire}
		if cf, ok := ct.FieldByName(f.Name); ok {
			w.change = cf.Index
		}
		p.writable = append(p.writable, w)
		in = append(in, reflect.StructField{Name: f.Name, Type: inputOf(f.Name, f.Type),
			Tag: reflect.StructTag(fmt.Sprintf(`wire:%q validate:%q`, wire, rule))})
	}
	p.input = reflect.StructOf(in)
	return p
}

// show copies u's fields into w's fields of the same names.
func (p *profilePlan[W]) show(w *W, u *models.User) {
	wv, uv := reflect.ValueOf(w).Elem(), reflect.ValueOf(u).Elem()
	for _, c := range p.copies {
		src, dst := uv.FieldByIndex(c.from), wv.FieldByIndex(c.to)
		if c.deref {
			if src.IsNil() {
				dst.SetZero()
				continue
			}
			src = src.Elem()
		}
		if src.Type() != dst.Type() {
			src = src.Convert(dst.Type())
		}
		dst.Set(src)
	}
}

// newInput returns a new input struct (a pointer to it, for the validator) and its value.
func (p *profilePlan[W]) newInput() (any, reflect.Value) {
	v := reflect.New(p.input)
	return v.Interface(), v.Elem()
}

// wireNames are the wire names of the writable fields, in order.
func (p *profilePlan[W]) wireNames() []string {
	out := make([]string, len(p.writable))
	for i, f := range p.writable {
		out[i] = f.wire
	}
	return out
}

// change sets the ProfileChange field of the writable field i to ch (a models.Change of its type); a field the
// store does not hold is a programming error.
func (p *profilePlan[W]) change(pc *models.ProfileChange, i int, ch any) {
	f := p.writable[i]
	if f.change == nil {
		panic("handlers: models.ProfileChange has no field " + f.name)
	}
	reflect.ValueOf(pc).Elem().FieldByIndex(f.change).Set(reflect.ValueOf(ch))
}
