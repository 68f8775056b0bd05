package codec

import (
	"math"
	"testing"
)

func TestValueStr(t *testing.T) {
	cases := []struct {
		name string
		v    Value
		s    string
		null bool
		ok   bool
	}{
		{"JSON string", jstr("Ann"), "Ann", false, true},
		{"JSON empty string", jstr(""), "", false, true},
		{"JSON string untrimmed", jstr(" Ann "), " Ann ", false, true},
		{"JSON number is its text", jnum("12"), "12", false, true},
		{"JSON fraction is its text", jnum("1.50"), "1.50", false, true},
		{"JSON bool is its text", Value{Kind: KindBool, Text: "true", Format: FormatJSON}, "true", false, true},
		{"JSON null", jnull, "", true, true},
		{"JSON object", Value{Kind: KindObject, Format: FormatJSON}, "", false, false},
		{"JSON array", Value{Kind: KindArray, Format: FormatJSON}, "", false, false},
		{"XML text untrimmed", xstr(" Lee "), " Lee ", false, true},
		{"XML nil", xnull, "", true, true},
		{"XML children", xobj, "", false, false},
		{"form", fstr("Zed Q"), "Zed Q", false, true},
		{"form empty", fstr(""), "", false, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, null, ok := c.v.Str()
			if s != c.s || null != c.null || ok != c.ok {
				t.Errorf("Str() = %q, %v, %v; want %q, %v, %v", s, null, ok, c.s, c.null, c.ok)
			}
		})
	}
}

func TestValueInt(t *testing.T) {
	const u8, i32 = 255, math.MaxInt32
	jbool := Value{Kind: KindBool, Text: "true", Format: FormatJSON}
	cases := []struct {
		name     string
		v        Value
		min, max int64
		want     int64
		ok       bool
	}{
		{"JSON 12", jnum("12"), 0, i32, 12, true},
		{"JSON -3", jnum("-3"), math.MinInt64, math.MaxInt64, -3, true},
		{"JSON -3 below min", jnum("-3"), 0, i32, 0, false},
		{"JSON -0", jnum("-0"), 0, u8, 0, true},
		{"JSON 1.0", jnum("1.0"), 0, u8, 0, false},
		{"JSON 1e3", jnum("1e3"), 0, i32, 0, false},
		{"JSON 1E3", jnum("1E3"), 0, i32, 0, false},
		{"JSON true", jbool, 0, u8, 0, false},
		{"JSON null", jnull, 0, u8, 0, false},
		{"JSON object", Value{Kind: KindObject, Format: FormatJSON}, 0, u8, 0, false},
		{"JSON array", Value{Kind: KindArray, Format: FormatJSON}, 0, u8, 0, false},
		{"JSON string 12", jstr("12"), 0, u8, 12, true},
		{"JSON string 007", jstr("007"), 0, u8, 7, true},
		{"JSON string -3", jstr("-3"), -5, 5, -3, true},
		{"JSON string 1.0", jstr("1.0"), 0, u8, 0, false},
		{"JSON string 1e3", jstr("1e3"), 0, i32, 0, false},
		{"JSON string +5", jstr("+5"), 0, u8, 0, false},
		{"JSON string -", jstr("-"), 0, u8, 0, false},
		{"JSON string --1", jstr("--1"), -5, 5, 0, false},
		{"JSON string empty", jstr(""), 0, u8, 0, false},
		{"JSON string not trimmed", jstr(" 12 "), 0, u8, 0, false},
		{"JSON string x", jstr("x"), 0, u8, 0, false},
		{"JSON string 1_000", jstr("1_000"), 0, i32, 0, false},
		{"JSON string 0x10", jstr("0x10"), 0, i32, 0, false},
		{"JSON string Arabic-Indic digit", jstr("\u0661"), 0, u8, 0, false},
		{"min bound", jnum("0"), 0, u8, 0, true},
		{"max bound", jnum("255"), 0, u8, 255, true},
		{"above max", jnum("256"), 0, u8, 0, false},
		{"int32 max", jnum("2147483647"), 0, i32, i32, true},
		{"int32 max + 1", jnum("2147483648"), 0, i32, 0, false},
		{"int64 max", jnum("9223372036854775807"), 0, math.MaxInt64, math.MaxInt64, true},
		{"int64 min", jnum("-9223372036854775808"), math.MinInt64, 0, math.MinInt64, true},
		{"overflow beyond int64", jnum("9223372036854775808"), 0, math.MaxInt64, 0, false},
		{"underflow beyond int64", jstr("-9223372036854775809"), math.MinInt64, 0, 0, false},
		{"huge", jnum("123456789012345678901234567890"), 0, math.MaxInt64, 0, false},
		{"XML 12", xstr("12"), 0, u8, 12, true},
		{"XML trimmed", xstr(" 12 "), 0, u8, 12, true},
		{"XML trimmed newlines", xstr("\n\t22\r\n"), 0, i32, 22, true},
		{"XML empty", xstr(""), 0, u8, 0, false},
		{"XML blank", xstr("  "), 0, u8, 0, false},
		{"XML inner space", xstr("1 2"), 0, u8, 0, false},
		{"XML 007", xstr("007"), 0, u8, 7, true},
		{"XML nil", xnull, 0, u8, 0, false},
		{"XML children", xobj, 0, u8, 0, false},
		{"XML true", xstr("true"), 0, u8, 0, false},
		{"form 5", fstr("5"), 0, i32, 5, true},
		{"form not trimmed", fstr(" 12 "), 0, u8, 0, false},
		{"form empty", fstr(""), 0, i32, 0, false},
		{"form PHP bool", fstr("1"), 0, 1, 1, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			n, ok := c.v.Int(c.min, c.max)
			if n != c.want || ok != c.ok {
				t.Errorf("Int(%d, %d) = %d, %v; want %d, %v", c.min, c.max, n, ok, c.want, c.ok)
			}
		})
	}
}
