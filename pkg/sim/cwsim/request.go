package cwsim

import (
	"fmt"
	"reflect"
	"time"
)

// decodeInput fills the request struct dst points to from the request
// tree, whichever of the three protocols it came in: each exported field
// reads the member of its name. Field types: string (absent reads ""),
// *string, *int64, *float64, *bool, *time.Time (absent reads nil), []string,
// []float64 and slices of structs (absent reads nil, present but empty a
// non-nil empty slice), *struct (absent reads nil) and struct (absent reads
// its zero members). A string field tagged
// `cw:",path"` receives the member's parameter path, for error messages.
// A value of the wrong type is an InvalidParameterValue naming its path.
func decodeInput(in val, dst any) error {
	return decodeStruct(in, reflect.ValueOf(dst).Elem())
}

var (
	timeType = reflect.TypeFor[time.Time]()
)

func decodeStruct(in val, v reflect.Value) error {
	t := v.Type()
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		if f.Tag.Get("cw") == ",path" {
			v.Field(i).SetString(in.path)
			continue
		}
		if err := decodeField(in.get(f.Name), v.Field(i)); err != nil {
			return err
		}
	}
	return nil
}

func decodeField(x val, fv reflect.Value) error {
	switch fv.Kind() {
	case reflect.String:
		s, err := x.str()
		fv.SetString(s)
		return err
	case reflect.Pointer:
		return decodePointer(x, fv)
	case reflect.Slice:
		return decodeSlice(x, fv)
	case reflect.Struct:
		return decodeStruct(x, fv)
	}
	panic(fmt.Sprintf("cwsim: no request decoding for %s", fv.Type()))
}

func decodePointer(x val, fv reflect.Value) error {
	var (
		p   any
		err error
	)
	switch et := fv.Type().Elem(); {
	case et == timeType:
		p, err = x.time()
	case et.Kind() == reflect.String:
		p, err = x.strp()
	case et.Kind() == reflect.Int64:
		p, err = x.int()
	case et.Kind() == reflect.Float64:
		p, err = x.float()
	case et.Kind() == reflect.Bool:
		p, err = x.bool()
	case et.Kind() == reflect.Struct:
		if x.missing() {
			return nil
		}
		sv := reflect.New(et)
		if err := decodeStruct(x, sv.Elem()); err != nil {
			return err
		}
		fv.Set(sv)
		return nil
	default:
		panic(fmt.Sprintf("cwsim: no request decoding for %s", fv.Type()))
	}
	if err != nil {
		return err
	}
	if pv := reflect.ValueOf(p); !pv.IsNil() {
		fv.Set(pv)
	}
	return nil
}

func decodeSlice(x val, fv reflect.Value) error {
	if x.missing() {
		return nil
	}
	switch et := fv.Type().Elem(); et.Kind() {
	case reflect.String:
		l, err := x.strs()
		if err == nil {
			fv.Set(reflect.ValueOf(l))
		}
		return err
	case reflect.Float64:
		l, err := x.floats()
		if err == nil {
			fv.Set(reflect.ValueOf(append([]float64{}, l...)))
		}
		return err
	case reflect.Struct:
		l, err := x.list()
		if err != nil {
			return err
		}
		out := reflect.MakeSlice(fv.Type(), len(l), len(l))
		for i, e := range l {
			if err := decodeStruct(e, out.Index(i)); err != nil {
				return err
			}
		}
		fv.Set(out)
		return nil
	}
	panic(fmt.Sprintf("cwsim: no request decoding for %s", fv.Type()))
}
