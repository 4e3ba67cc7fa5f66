package record

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"mqscope/capture"
)

// AMQP header tables hold more types than JSON has. The headers column is
// plain JSON so that sqlite3's json functions work on it, with a few tagged
// one-key objects for what JSON cannot say:
//
//	[]byte             {"$bytes": "<standard base64>"}
//	string, not UTF-8  {"$str": "<standard base64 of its bytes>"}
//	time.Time          {"$time": "<RFC 3339, nanoseconds>"}, or outside
//	                   years 0-9999 (a timestamp in milliseconds) its raw
//	                   seconds: {"$time": 1700000000000}
//	±Inf, NaN          {"$float": "+Inf" | "-Inf" | "NaN"}
//	a table that looks like one of these tags
//	                   {"$map": {...}}
//
// Floats are written with a fraction or exponent (3.0, not 3) so that they
// read back as floats, and integers read back as int64.
const (
	tagBytes = "$bytes"
	tagStr   = "$str"
	tagTime  = "$time"
	tagFloat = "$float"
	tagMap   = "$map"
)

// encodeHeaders returns the headers column: JSON text, or nil (NULL) for nil.
func encodeHeaders(h map[string]any) (any, error) {
	if h == nil {
		return nil, nil
	}
	b, err := json.Marshal(jsonable(h))
	if err != nil {
		return nil, err
	}
	return string(b), nil
}

// decodeHeaders is the inverse of encodeHeaders.
func decodeHeaders(text string) (map[string]any, error) {
	dec := json.NewDecoder(strings.NewReader(text))
	dec.UseNumber()
	var raw map[string]any
	if err := dec.Decode(&raw); err != nil {
		return nil, err
	}
	return restoreMap(raw), nil
}

// jsonFloat marshals a finite float so that it reads back as a float.
type jsonFloat struct {
	v    float64
	bits int
}

// MarshalJSON writes the shortest form that parses back to the same float,
// adding ".0" when that form looks like an integer.
func (f jsonFloat) MarshalJSON() ([]byte, error) {
	b := strconv.AppendFloat(nil, f.v, 'g', -1, f.bits)
	if !bytes.ContainsAny(b, ".e") {
		b = append(b, ".0"...)
	}
	return b, nil
}

// jsonable converts a header value into something encoding/json writes as
// described above. Types it does not know are marshalled as they are, or
// written as their fmt text if even that fails, so no header stops a message
// from being recorded.
func jsonable(v any) any {
	switch v := v.(type) {
	case string:
		if !utf8.ValidString(v) {
			// JSON would replace the bytes that are not UTF-8.
			return map[string]any{tagStr: base64.StdEncoding.EncodeToString([]byte(v))}
		}
		return v
	case nil, bool, int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64:
		return v
	case float32:
		return floatValue(float64(v), 32)
	case float64:
		return floatValue(v, 64)
	case []byte:
		return map[string]any{tagBytes: base64.StdEncoding.EncodeToString(v)}
	case time.Time:
		return map[string]any{tagTime: capture.TimeJSON(v)}
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Map:
		return jsonableMap(rv)
	case reflect.Slice, reflect.Array:
		out := make([]any, rv.Len())
		for i := range out {
			out[i] = jsonable(rv.Index(i).Interface())
		}
		return out
	}
	if b, err := json.Marshal(v); err == nil {
		return json.RawMessage(b)
	}
	return fmt.Sprint(v)
}

// jsonableMap converts any map (amqp091's Table is a named map type).
// Non-string keys, which AMQP does not produce, are written as their fmt text.
func jsonableMap(rv reflect.Value) any {
	out := make(map[string]any, rv.Len())
	iter := rv.MapRange()
	for iter.Next() {
		k := iter.Key()
		key := fmt.Sprint(k.Interface())
		if k.Kind() == reflect.String {
			key = k.String()
		}
		out[key] = jsonable(iter.Value().Interface())
	}
	if len(out) == 1 && isTag(out) {
		return map[string]any{tagMap: out}
	}
	return out
}

// floatValue keeps finite floats as numbers and tags the rest.
func floatValue(f float64, bits int) any {
	switch {
	case math.IsNaN(f):
		return map[string]any{tagFloat: "NaN"}
	case math.IsInf(f, 1):
		return map[string]any{tagFloat: "+Inf"}
	case math.IsInf(f, -1):
		return map[string]any{tagFloat: "-Inf"}
	}
	return jsonFloat{f, bits}
}

// isTag reports whether a one-key map has a tag as its key.
func isTag(m map[string]any) bool {
	for k := range m {
		switch k {
		case tagBytes, tagStr, tagTime, tagFloat, tagMap:
			return true
		}
	}
	return false
}

// restore turns a value read with json.Decoder.UseNumber back into header
// types: integers as int64 (uint64 above its range), other numbers as
// float64, tagged objects as what they tag.
func restore(v any) any {
	switch v := v.(type) {
	case json.Number:
		return restoreNumber(v)
	case []any:
		for i := range v {
			v[i] = restore(v[i])
		}
		return v
	case map[string]any:
		if len(v) == 1 {
			if t, ok := restoreTag(v); ok {
				return t
			}
		}
		return restoreMap(v)
	}
	return v
}

// restoreMap restores each value of m in place.
func restoreMap(m map[string]any) map[string]any {
	for k, x := range m {
		m[k] = restore(x)
	}
	return m
}

// restoreNumber reads a JSON number as the narrowest of int64, uint64 and
// float64 that holds it.
func restoreNumber(n json.Number) any {
	s := n.String()
	if !strings.ContainsAny(s, ".eE") {
		if i, err := strconv.ParseInt(s, 10, 64); err == nil {
			return i
		}
		if u, err := strconv.ParseUint(s, 10, 64); err == nil {
			return u
		}
	}
	f, _ := strconv.ParseFloat(s, 64) // out of range gives ±Inf, which is the nearest
	return f
}

// restoreTag decodes a one-key tagged object. ok is false when the object is
// not a well-formed tag; it is then kept as an ordinary map.
func restoreTag(m map[string]any) (v any, ok bool) {
	for k, x := range m {
		s, isString := x.(string)
		switch {
		case k == tagMap:
			inner, isMap := x.(map[string]any)
			if !isMap {
				return nil, false
			}
			return restoreMap(inner), true
		case k == tagTime && !isString:
			return restoreSeconds(x)
		case !isString:
			return nil, false
		case k == tagBytes:
			b, err := base64.StdEncoding.DecodeString(s)
			return b, err == nil
		case k == tagStr:
			b, err := base64.StdEncoding.DecodeString(s)
			return string(b), err == nil
		case k == tagTime:
			t, err := time.Parse(time.RFC3339Nano, s)
			return t, err == nil
		case k == tagFloat:
			f, err := strconv.ParseFloat(s, 64)
			return f, err == nil && (math.IsNaN(f) || math.IsInf(f, 0))
		}
	}
	return nil, false
}

// restoreSeconds reads the raw seconds of a {"$time": N} tag: a time that
// RFC 3339 cannot write.
func restoreSeconds(x any) (any, bool) {
	n, isNumber := x.(json.Number)
	if !isNumber {
		return nil, false
	}
	sec, err := n.Int64()
	return time.Unix(sec, 0).UTC(), err == nil
}
