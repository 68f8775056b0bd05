package models

import (
	"context"
	"fmt"
	"reflect"
	"sort"
	"sync"

	"gorm.io/gorm/schema"
)

// allModels lists every row type with a table of its own.
var allModels = []any{&OAuthCode{}, &File{}, &User{}, &Membership{}, &AccessKey{}, &OAuthClient{}, &OAuthToken{}, &ProfileEvent{}, &OutboxMessage{}, &OTP{}, &LimitCounter{}, &SignInName{}}

// SchemaDrift compares every GORM model with the migrated table it maps to and describes each mismatch:
// a field without a column, a column without a field, or a pointer field on a NOT NULL column (and the
// reverse). An empty result means the models and the migrations agree.
func (s *Store) SchemaDrift(ctx context.Context) ([]string, error) {
	var problems []string
	cache := &sync.Map{}
	for _, m := range allModels {
		sch, err := schema.Parse(m, cache, s.db.NamingStrategy)
		if err != nil {
			return nil, err
		}
		cols, err := s.db.WithContext(ctx).Migrator().ColumnTypes(m)
		if err != nil {
			return nil, fmt.Errorf("columns of %s: %w", sch.Table, err)
		}
		nullable := map[string]bool{}
		for _, c := range cols {
			n, _ := c.Nullable()
			nullable[c.Name()] = n
		}
		seen := map[string]bool{}
		for _, f := range sch.Fields {
			if f.DBName == "" {
				continue
			}
			seen[f.DBName] = true
			n, ok := nullable[f.DBName]
			if !ok {
				problems = append(problems, fmt.Sprintf("%s.%s: the model has it, the table does not", sch.Table, f.DBName))
				continue
			}
			isPtr := f.FieldType.Kind() == reflect.Pointer
			if isPtr != n && !f.PrimaryKey {
				problems = append(problems, fmt.Sprintf("%s.%s: nullable is %v in the table, pointer is %v in the model", sch.Table, f.DBName, n, isPtr))
			}
		}
		for name := range nullable {
			if !seen[name] {
				problems = append(problems, fmt.Sprintf("%s.%s: the table has it, the model does not", sch.Table, name))
			}
		}
	}
	sort.Strings(problems)
	return problems, nil
}
