package handlers

import (
	"errors"
	"reflect"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/go-playground/validator/v10"

	"github.com/fileapi/fileapi/handlers/wire"
	"github.com/fileapi/fileapi/models"
)

// Field rules are validator tags on each dialect's input type (Saasu's and the workspace API's are derived from
// the `put` tags of their wire types, see profile_fields.go); each dialect keeps a table from a failed tag to
// its wire message (saasuRuleMessages, zitadelRuleMessages, workspaceRuleMessages). A field's name in messages is
// its `wire` tag. Besides validator's own tags (required, min, max — on strings counted in runes), the rules
// use:
//
//	nonempty   a string that is not "" (required alone only asks a pointer not to be nil)
//	notblank   a string with something besides white space (unicode.IsSpace)
//	phone      at most 20 characters, each a digit, a space or one of + - ( )
//	email_or_empty  "", or one address as net/mail reads it, exactly as sent (no name, no angle brackets)
//	upto=N     a whole number from 0 to N
//	runes=A B  a string of A to B runes
var rules = newRules()

func newRules() *validator.Validate {
	v := validator.New(validator.WithRequiredStructEnabled())
	v.RegisterTagNameFunc(func(f reflect.StructField) string { return f.Tag.Get("wire") })
	// models.Change fields validate as their value: nothing when not sent or null.
	v.RegisterCustomTypeFunc(func(f reflect.Value) any {
		if c := f.Interface().(models.Change[string]); c.Set && c.Value != nil {
			return *c.Value
		}
		return nil
	}, models.Change[string]{})
	v.RegisterCustomTypeFunc(func(f reflect.Value) any {
		if c := f.Interface().(models.Change[int64]); c.Set && c.Value != nil {
			return *c.Value
		}
		return nil
	}, models.Change[int64]{})
	for tag, fn := range map[string]validator.Func{
		"nonempty": func(fl validator.FieldLevel) bool { return fl.Field().String() != "" },
		"notblank": func(fl validator.FieldLevel) bool {
			return strings.TrimFunc(fl.Field().String(), unicode.IsSpace) != ""
		},
		"phone":          func(fl validator.FieldLevel) bool { return wire.PhoneLike(fl.Field().String()) },
		"email_or_empty": func(fl validator.FieldLevel) bool { s := fl.Field().String(); return s == "" || isAddress(s) },
		"upto": func(fl validator.FieldLevel) bool {
			n := fl.Field().Int()
			return n >= 0 && n <= ruleParam(fl.Param(), 0)
		},
		"runes": func(fl validator.FieldLevel) bool {
			n := int64(utf8.RuneCountInString(fl.Field().String()))
			return n >= ruleParam(fl.Param(), 0) && n <= ruleParam(fl.Param(), 1)
		},
	} {
		if err := v.RegisterValidation(tag, fn); err != nil {
			panic(err)
		}
	}
	return v
}

// failedRule returns the failed rule of the field with the wire name, if it failed.
func failedRule(failed []validator.FieldError, name string) validator.FieldError {
	for _, fe := range failed {
		if fe.Field() == name {
			return fe
		}
	}
	return nil
}

// ruleParam is the i-th space-separated number of a tag's parameter.
func ruleParam(param string, i int) int64 {
	f := strings.Fields(param)
	if i >= len(f) {
		return 0
	}
	n, err := strconv.ParseInt(f[i], 10, 64)
	if err != nil {
		panic("handlers: bad rule parameter " + strconv.Quote(param))
	}
	return n
}

// ruleTable maps a failed tag to a dialect's answer for it: a message, or (workspace) a problem item.
type ruleTable[T any] map[string]func(fe validator.FieldError) T

// ruleMessages is a table of plain messages.
type ruleMessages = ruleTable[string]

// failedRules validates in (a pointer to a struct) against its tags and returns the failed rule of each field,
// in the order of the struct's fields: validator stops at a field's first failed tag. except names struct
// fields not to check.
func failedRules(in any, except ...string) []validator.FieldError {
	var err error
	if len(except) > 0 {
		err = rules.StructExcept(in, except...)
	} else {
		err = rules.Struct(in)
	}
	var failed validator.ValidationErrors
	if errors.As(err, &failed) {
		return failed
	} else if err != nil {
		panic(err) // an input type that is no struct: a programming error
	}
	return nil
}

// message is the table's answer for a failed rule; a tag without an entry is a programming error.
func (m ruleTable[T]) message(fe validator.FieldError) T {
	f, ok := m[fe.Tag()]
	if !ok {
		panic("handlers: no message for rule " + fe.Tag() + " of " + fe.Field())
	}
	return f(fe)
}

// problems lists the problem of each field of in (a pointer to a struct), in the order of its fields: the
// decoding problem that decoded holds for the field's wire name if any, else the table's message for its
// failed rule. except names struct fields not to check.
func problems(in any, decoded map[string]string, table ruleMessages, except ...string) []string {
	failed := failedRules(in, except...)
	var out []string
	t := reflect.TypeOf(in).Elem()
	for i := 0; i < t.NumField(); i++ {
		name := t.Field(i).Tag.Get("wire")
		if msg, ok := decoded[name]; ok {
			out = append(out, msg)
			continue
		}
		if fe := failedRule(failed, name); fe != nil {
			out = append(out, table.message(fe))
		}
	}
	return out
}
