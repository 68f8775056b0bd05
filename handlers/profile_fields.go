package handlers

import (
	"fmt"
	"reflect"
	"strings"
	"unsafe"

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
// the wire field's kind (nil reads as the zero value), or a named type of the same kind. It copies by offset:
// show runs on every GET, where reflect would cost two allocations (the user and the wire value escape).
type fieldCopy struct {
	from, to uintptr // offsets in models.User and in W
	op       copyOp
	index    []int // of the W field, for reflect
	change   []int // the models.ProfileChange field of the name, nil when none
}

// copyOp is how a fieldCopy copies: a value of the kind, a pointer, or through a pointer.
type copyOp uint8

const (
	copyString copyOp = iota
	copyInt64
	copyBool
	copyPointer
	copyDerefString
	copyDerefInt64
)

// copyOpOf is the copyOp from a User field of type src to a wire field of type dst; ok is false for a pair no
// copy can make.
func copyOpOf(src, dst reflect.Type) (op copyOp, ok bool) {
	deref := src.Kind() == reflect.Pointer && dst.Kind() != reflect.Pointer
	if deref {
		src = src.Elem()
	}
	switch {
	case src.Kind() == reflect.Pointer && src == dst:
		return copyPointer, true
	case src.Kind() != dst.Kind():
		return 0, false
	case src.Kind() == reflect.String && deref:
		return copyDerefString, true
	case src.Kind() == reflect.Int64 && deref:
		return copyDerefInt64, true
	case src.Kind() == reflect.String:
		return copyString, true
	case src.Kind() == reflect.Int64:
		return copyInt64, true
	case src.Kind() == reflect.Bool && !deref:
		return copyBool, true
	}
	return 0, false
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
			op, ok := copyOpOf(uf.Type, f.Type)
			if !ok {
				panic(fmt.Sprintf("handlers: %s.%s (%s) cannot show models.User.%s (%s)", wt.Name(), f.Name, f.Type, f.Name, uf.Type))
			}
			c := fieldCopy{from: offsetOf(ut, uf.Index), to: f.Offset, op: op, index: f.Index}
			if cf, ok := ct.FieldByName(f.Name); ok {
				c.change = cf.Index
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

// offsetOf is the offset in t of the field at index, through embedded structs (models.Profile).
func offsetOf(t reflect.Type, index []int) (off uintptr) {
	for _, i := range index {
		f := t.Field(i)
		off, t = off+f.Offset, f.Type
	}
	return off
}

// show copies u's fields into w's fields of the same names.
func (p *profilePlan[W]) show(w *W, u *models.User) {
	for i := range p.copies {
		c := &p.copies[i]
		src, dst := unsafe.Add(unsafe.Pointer(u), c.from), unsafe.Add(unsafe.Pointer(w), c.to)
		switch c.op {
		case copyString:
			*(*string)(dst) = *(*string)(src)
		case copyInt64:
			*(*int64)(dst) = *(*int64)(src)
		case copyBool:
			*(*bool)(dst) = *(*bool)(src)
		case copyPointer:
			*(*unsafe.Pointer)(dst) = *(*unsafe.Pointer)(src)
		case copyDerefString:
			var v string
			if s := *(**string)(src); s != nil {
				v = *s
			}
			*(*string)(dst) = v
		case copyDerefInt64:
			var v int64
			if n := *(**int64)(src); n != nil {
				v = *n
			}
			*(*int64)(dst) = v
		}
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
