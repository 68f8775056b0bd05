// Package zitadelfuzz fuzzes the ZITADEL profile decoder against protojson. It stands apart from handlers/wire,
// whose tests use only the standard library, so that protobuf's coverage counters slow only this target.
package zitadelfuzz

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"unicode"
	"unicode/utf8"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protodesc"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/descriptorpb"
	"google.golang.org/protobuf/types/dynamicpb"

	"github.com/fileapi/fileapi/handlers/wire"
)

// zitadelMessages are the two request messages of zitadel.md §3 built at run time (proto3, as ZITADEL's own
// .proto files are), so that protojson itself can read every fuzz input next to wire.DecodeZitadelProfile.
var zitadelMessages = sync.OnceValues(func() (mine, human protoreflect.MessageDescriptor) {
	str := func(name string, num int32) *descriptorpb.FieldDescriptorProto {
		return &descriptorpb.FieldDescriptorProto{Name: proto.String(name), Number: proto.Int32(num),
			Label: descriptorpb.FieldDescriptorProto_LABEL_OPTIONAL.Enum(), Type: descriptorpb.FieldDescriptorProto_TYPE_STRING.Enum()}
	}
	// The fields of wire.ZitadelProfile, by the names and numbers its tags give (read here on their own, as
	// zitadel.md §3 states them: the JSON name is the wire name with a lower-case first letter, the proto name
	// its snake_case): the enum is the one field that is not a string. user_id is the management API's.
	fields := func() (out []*descriptorpb.FieldDescriptorProto) {
		for _, f := range protoFields() {
			switch {
			case f.proto == "user_id":
			case f.enum:
				out = append(out, &descriptorpb.FieldDescriptorProto{Name: proto.String(f.proto), Number: proto.Int32(f.num),
					Label: descriptorpb.FieldDescriptorProto_LABEL_OPTIONAL.Enum(), Type: descriptorpb.FieldDescriptorProto_TYPE_ENUM.Enum(),
					TypeName: proto.String(".fuzz.zitadel.Gender")})
			default:
				out = append(out, str(f.proto, f.num))
			}
		}
		return out
	}
	var genders []*descriptorpb.EnumValueDescriptorProto
	for n, g := range wire.ZitadelGenders {
		genders = append(genders, &descriptorpb.EnumValueDescriptorProto{Name: proto.String(g), Number: proto.Int32(int32(n))})
	}
	fd, err := protodesc.NewFile(&descriptorpb.FileDescriptorProto{
		Name: proto.String("fuzz/zitadel.proto"), Package: proto.String("fuzz.zitadel"), Syntax: proto.String("proto3"),
		EnumType: []*descriptorpb.EnumDescriptorProto{{Name: proto.String("Gender"), Value: genders}},
		MessageType: []*descriptorpb.DescriptorProto{
			{Name: proto.String("UpdateMyProfileRequest"), Field: fields()},
			{Name: proto.String("UpdateHumanProfileRequest"), Field: append([]*descriptorpb.FieldDescriptorProto{str("user_id", 1)}, fields()...)},
		},
	}, new(protoregistry.Files))
	if err != nil {
		panic(err)
	}
	return fd.Messages().Get(0), fd.Messages().Get(1)
})

// FuzzZitadelProfile checks wire.DecodeZitadelProfile, the hand-written reader of PUT /auth/v1/users/me/profile and
// PUT /management/v1/users/{userId}/profile bodies, against what it imitates (zitadel.md §3): encoding/json
// takes the first value, then protojson with DiscardUnknown reads it into the request message. Both must
// accept and refuse the same bodies and read the same fields; an empty body is an empty request. Errors of
// the proto stage are valid UTF-8 (they are echoed in the 400's message).
func FuzzZitadelProfile(f *testing.F) {
	for _, s := range []string{
		`{"firstName":"Minnie","lastName":"Mouse","nickName":"Minnie","displayName":"Minnie Mouse","preferredLanguage":"en","gender":"GENDER_UNSPECIFIED"}`,
		`{"firstName":"Minnie","lastName":"Mouse","displayName":"Minnie Mouse"}`,
		`{"user_id":"1","first_name":"D","last_name":"E","display_name":"F","preferred_language":"en_US","gender":2}`,
		`{"userId":"43","firstName":"Dai","lastName":"Doe","displayName":"Dai Doe"}`,
		`{"firstName":}`, `{"firstName":"a"`, `{"firstName":"a","firstName":"b"}`, `{"firstName":"a","first_name":null}`,
		`{"gender":1,"gender":"GENDER_MALE"}`, `{"firstName":5}`, `{"first_name":true}`, `{"nickName":{"a":1}}`,
		`{"preferred_language":["en"]}`, `{"firstName":"é","lastName":5}`, `{"gender":{}}`, `{"gender":true}`,
		`{"gender":1.5}`, `{"gender":2147483648}`, `{"gender":1e4000000000}`, `{"gender":1e20}`, `{"gender":-2147483648}`,
		`{"gender":10e-1}`, `{"gender":0.3e1}`, `{"gender":"GENDER_NOPE"}`, `{"gender":null}`, `{"x":[1,{"y":"\ud800"}]}`,
		`{"firstName":"\ud83d\ude00"}`, `{"firstName":"\udc00"}`, "{\"firstName\":\"\xff\"}", "{\"\xfe\":1}", `{"a":1} {"b":`,
		`[]`, `null`, `"x"`, `12`, ``, "  \n", `{}`, `{"FirstName":"a"}`, `{"firstName":"a",}`, "{\n\"firstName\": 5}",
	} {
		f.Add([]byte(s), false)
		f.Add([]byte(s), true)
	}
	f.Fuzz(func(t *testing.T, body []byte, management bool) {
		got, err := wire.DecodeZitadelProfile(body, management)
		if err != nil && strings.HasPrefix(err.Error(), "proto:") && !utf8.ValidString(err.Error()) {
			t.Fatalf("error message is not valid UTF-8: %q", err.Error())
		}
		var raw json.RawMessage
		if jerr := json.NewDecoder(bytes.NewReader(body)).Decode(&raw); jerr != nil {
			switch {
			case errors.Is(jerr, io.EOF) && (err != nil || got != wire.ZitadelProfile{}):
				t.Fatalf("empty body: %#v, %v; want an empty request", got, err)
			case !errors.Is(jerr, io.EOF) && err == nil:
				t.Fatalf("encoding/json refuses the body (%v) but DecodeZitadelProfile reads %#v", jerr, got)
			}
			return
		}
		mine, human := zitadelMessages()
		desc := mine
		if management {
			desc = human
		}
		m := dynamicpb.NewMessage(desc)
		perr := protojson.UnmarshalOptions{DiscardUnknown: true}.Unmarshal(raw, m)
		if (err == nil) != (perr == nil) {
			t.Fatalf("DecodeZitadelProfile: %v; protojson: %v", err, perr)
		}
		if err != nil {
			return
		}
		var want wire.ZitadelProfile
		wv := reflect.ValueOf(&want).Elem()
		for _, f := range protoFields() {
			fd := desc.Fields().ByName(protoreflect.Name(f.proto))
			switch {
			case fd == nil: // user_id outside the management API
			case f.enum:
				wv.Field(f.index).SetInt(int64(m.Get(fd).Enum()))
			default:
				wv.Field(f.index).SetString(m.Get(fd).String())
			}
		}
		if got != want {
			t.Fatalf("DecodeZitadelProfile = %#v; protojson reads %#v", got, want)
		}
	})
}

// protoField is a field of wire.ZitadelProfile as its tags name it.
type protoField struct {
	proto string
	num   int32
	index int
	enum  bool
}

func protoFields() (out []protoField) {
	t := reflect.TypeFor[wire.ZitadelProfile]()
	for i := range t.NumField() {
		f := t.Field(i)
		num, err := strconv.Atoi(f.Tag.Get("proto"))
		if err != nil {
			panic(err)
		}
		name := f.Tag.Get("wire")
		if name == "" {
			name = f.Name
		}
		var snake []rune
		for j, r := range name {
			if unicode.IsUpper(r) && j > 0 {
				snake = append(snake, '_')
			}
			snake = append(snake, unicode.ToLower(r))
		}
		out = append(out, protoField{string(snake), int32(num), i, f.Type.Kind() != reflect.String})
	}
	return out
}
