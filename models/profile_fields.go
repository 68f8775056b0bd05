package models

import (
	"context"
	"database/sql"
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"

	"github.com/pressly/goose/v3"
)

// profileField is one field of Profile as the store handles it: its column, where it sits in Profile and in
// ProfileChange, and the migration that added it (0: the first schema).
type profileField struct {
	name    string
	column  string
	index   int  // in Profile
	change  int  // in ProfileChange
	pointer bool // NULL when not set; else NOT NULL and a Change to nil stores the zero value
	added   int64
	sqlType string
}

// profileFields are Profile's fields in order; building them checks that ProfileChange matches Profile, so a
// field added to one and not the other stops the program at start (and every test).
var profileFields = mustProfileFields()

func mustProfileFields() []profileField {
	pt, ct := reflect.TypeFor[Profile](), reflect.TypeFor[ProfileChange]()
	out := make([]profileField, 0, pt.NumField())
	for i := range pt.NumField() {
		sf := pt.Field(i)
		f := profileField{name: sf.Name, index: i, pointer: sf.Type.Kind() == reflect.Pointer}
		if col := userSchema.LookUpField(sf.Name); col != nil {
			f.column = col.DBName
		}
		cf, ok := ct.FieldByName(sf.Name)
		want := sf.Type
		if f.pointer {
			want = want.Elem()
		}
		if !ok || len(cf.Index) != 1 || cf.Type.Field(1).Type != reflect.PointerTo(want) || f.column == "" {
			panic(fmt.Sprintf("models: Profile.%s needs a column and ProfileChange.%s of type Change[%s]", sf.Name, sf.Name, want))
		}
		f.change = cf.Index[0]
		if tag, ok := sf.Tag.Lookup("added"); ok {
			v, typ, _ := strings.Cut(tag, " ")
			var err error
			if f.added, err = strconv.ParseInt(v, 10, 64); err != nil || f.added <= migrationSignInNames || typ == "" {
				panic(fmt.Sprintf("models: Profile.%s: the added tag is \"VERSION SQL-TYPE\", after migration %d (got %q)", sf.Name, migrationSignInNames, tag))
			}
			f.sqlType = typ
		}
		out = append(out, f)
	}
	return out
}

// applyProfile applies the profile fields of pc to p and records each field that differs in diff, by column.
func applyProfile(p *Profile, pc *ProfileChange, diff map[string]fieldDiff) {
	pv, cv := reflect.ValueOf(p).Elem(), reflect.ValueOf(pc).Elem()
	for _, f := range profileFields {
		ch := cv.Field(f.change)
		if !ch.Field(0).Bool() { // Change.Set
			continue
		}
		cur, val := pv.Field(f.index), ch.Field(1) // val: Change.Value, a pointer
		next := val
		if !f.pointer {
			next = reflect.Zero(cur.Type())
			if !val.IsNil() {
				next = val.Elem()
			}
		}
		if equalField(cur, next) {
			continue
		}
		diff[f.column] = fieldDiff{Old: cur.Interface(), New: next.Interface()}
		cur.Set(next)
	}
}

// equalField compares two values of a Profile field: pointers by what they point at.
func equalField(a, b reflect.Value) bool {
	if a.Kind() != reflect.Pointer {
		return a.Equal(b)
	}
	if a.IsNil() || b.IsNil() {
		return a.IsNil() && b.IsNil()
	}
	return a.Elem().Equal(b.Elem())
}

// profileAssignments are the columns of Profile's fields as an UPDATE's assignments ("first_name = ?, …").
func profileAssignments() string {
	cols := make([]string, len(profileFields))
	for i, f := range profileFields {
		cols[i] = f.column + " = ?"
	}
	return strings.Join(cols, ", ")
}

// appendProfile appends the values of p's fields, in the order of profileAssignments.
func appendProfile(args []any, p *Profile) []any {
	v := reflect.ValueOf(p).Elem()
	for _, f := range profileFields {
		args = append(args, v.Field(f.index).Interface())
	}
	return args
}

// profileColumnMigrations are the migrations of the profile fields with an `added` tag: one per version, adding
// the columns of that version to users (down: dropping them). Both dialects take the same SQL.
func profileColumnMigrations(fields []profileField) []*goose.Migration {
	byVersion := map[int64][]profileField{}
	for _, f := range fields {
		if f.added != 0 {
			byVersion[f.added] = append(byVersion[f.added], f)
		}
	}
	versions := make([]int64, 0, len(byVersion))
	for v := range byVersion {
		versions = append(versions, v)
	}
	sort.Slice(versions, func(i, j int) bool { return versions[i] < versions[j] })
	var out []*goose.Migration
	for _, v := range versions {
		fields := byVersion[v]
		run := func(stmt func(profileField) string) *goose.GoFunc {
			return &goose.GoFunc{RunDB: func(ctx context.Context, db *sql.DB) error {
				for _, f := range fields {
					if _, err := db.ExecContext(ctx, stmt(f)); err != nil {
						return fmt.Errorf("profile field %s: %w", f.name, err)
					}
				}
				return nil
			}}
		}
		out = append(out, goose.NewGoMigration(v,
			run(func(f profileField) string { return "ALTER TABLE users ADD COLUMN " + f.column + " " + f.sqlType }),
			run(func(f profileField) string { return "ALTER TABLE users DROP COLUMN " + f.column })))
	}
	return out
}
