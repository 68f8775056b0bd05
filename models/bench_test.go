package models_test

import (
	"context"
	"strings"
	"testing"

	"github.com/fileapi/fileapi/models"
	"github.com/fileapi/fileapi/models/modelstest"
)

// The request-path store calls alone, on SQLite: the floor under GET and PUT /User.
func BenchmarkHotPath(b *testing.B) {
	fx := newFixture(b, modelstest.NewDSN(b, "sqlite"))
	ctx := context.Background()
	hash := strings.Repeat("a", 64)
	if _, err := fx.s.CreateAccessKey(ctx, fx.user.ID, nil, hash, "fa_ak_"); err != nil {
		b.Fatal(err)
	}
	b.Run("UserByAccessKey", func(b *testing.B) {
		for b.Loop() {
			if _, err := fx.s.UserByAccessKey(ctx, hash); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("FileAccess", func(b *testing.B) {
		for b.Loop() {
			if _, err := fx.s.FileAccess(ctx, fx.user.ID, fx.file.ID); err != nil {
				b.Fatal(err)
			}
		}
	})
	names := [2]string{"Anne", "Ann"}
	b.Run("UpdateProfile", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			if _, _, err := fx.s.UpdateProfile(ctx, fx.user.ID, models.ProfileChange{FirstName: models.To(names[i%2])}, models.ChangeOptions{Via: "bench"}); err != nil {
				b.Fatal(err)
			}
		}
	})
}
