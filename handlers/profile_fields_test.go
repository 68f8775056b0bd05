package handlers

import (
	"reflect"
	"testing"

	"github.com/fileapi/fileapi/models"
)

// TestProfilePlan: a plan copies every kind it allows by name (NULL pointers read as zero values, a named
// type takes its kind), derives the input of the put fields in order, and refuses at start a wire field that
// cannot hold the user's field of its name.
func TestProfilePlan(t *testing.T) {
	type gender int64
	type wire struct {
		ID           int64
		Username     string
		FirstName    string  // *string → string
		LastName     *string // the same pointer
		TimezoneID   int64   // *int64 → int64
		Gender       gender  // a named int64
		Is2FAEnabled bool
		NickName     *string `wire:"Nick" put:"omitempty,max=3"`
		Other        string  `put:"required"`
	}
	first, last, tz := "Ann", "Lee", int64(22)
	u := models.User{ID: 42, Username: "ann", Is2FAEnabled: true,
		Profile: models.Profile{FirstName: &first, LastName: &last, TimezoneID: &tz, Gender: 2}}
	p := newProfilePlan[wire](func(string, reflect.Type) reflect.Type { return reflect.TypeFor[*string]() })
	var w wire
	p.show(&w, &u)
	want := wire{ID: 42, Username: "ann", FirstName: "Ann", LastName: &last, TimezoneID: 22, Gender: 2, Is2FAEnabled: true}
	if w != want {
		t.Fatalf("show = %+v; want %+v", w, want)
	}
	w = wire{FirstName: "stale", TimezoneID: 7}
	p.show(&w, &models.User{})
	if w.FirstName != "" || w.TimezoneID != 0 || w.LastName != nil {
		t.Fatalf("NULL fields must read as zero values: %+v", w)
	}
	if got := p.wireNames(); !reflect.DeepEqual(got, []string{"Nick", "Other"}) {
		t.Fatalf("wireNames = %v", got)
	}
	if f, ok := p.input.FieldByName("NickName"); !ok || f.Tag.Get("validate") != "omitempty,max=3" || f.Tag.Get("wire") != "Nick" {
		t.Fatalf("input field: %+v", f)
	}
	var pc models.ProfileChange
	p.change(&pc, 0, models.To("Nn"))
	if !pc.NickName.Set || *pc.NickName.Value != "Nn" {
		t.Fatalf("change: %+v", pc.NickName)
	}
	mustPanic(t, "a put field the store does not hold", func() { p.change(&pc, 1, models.To("x")) })
	mustPanic(t, "int64 cannot show a *string", func() {
		newProfilePlan[struct{ FirstName int64 }](nil)
	})
	mustPanic(t, "string cannot show an int64", func() {
		newProfilePlan[struct{ Gender string }](nil)
	})
}

func mustPanic(t *testing.T, what string, f func()) {
	t.Helper()
	defer func() {
		if recover() == nil {
			t.Errorf("no panic: %s", what)
		}
	}()
	f()
}
