package db

import (
	"fmt"
	"math"
)

// Upserts (Store.UpsertAreas, Store.UpsertIndicatorValues) take their
// records from files, so their errors name the record the way the file
// does: by its place in the sequence, counted from 1, and its key. Both
// backends build every such error here, so they reject the same input with
// the same words.
//
// They also find problems in the same order. Every item is first checked
// on its own as it is read (the first bad item wins); then, once the whole
// sequence is in, keys that appear twice (the first repeat wins); then
// references to areas, parents and indicators that exist neither in the
// import nor in the store (the first such item wins).
//
// A key that appears twice in one import is an error, not "last wins": a
// file that says two things about one area or one value is wrong, and
// silently keeping one of them would hide it.

// ItemError is an upsert's error about one item of its sequence. It wraps
// the *Error that carries the code and message, so ErrorCode, ErrorMessage
// and errors.Is work as for any other; Item lets a caller point at the
// record in its own terms, such as a line of a file.
type ItemError struct {
	Item int // the item's place in the sequence, from 1
	Err  *Error
}

// Error is the wrapped error's text.
func (e *ItemError) Error() string { return e.Err.Error() }

// Unwrap returns the *Error.
func (e *ItemError) Unwrap() error { return e.Err }

// AreaItemError is the EINVALID error about the item-th area of an upsert,
// named by its code, with a reason.
func AreaItemError(item int, code string, format string, args ...any) error {
	return &ItemError{Item: item, Err: Errorf(EINVALID, "area %d (code %q): %s", item, code, fmt.Sprintf(format, args...))}
}

// ValueItemError is the EINVALID error about the item-th value of an
// upsert, named by its key, with a reason.
func ValueItemError(item int, v *ValueInput, format string, args ...any) error {
	return &ItemError{Item: item, Err: Errorf(EINVALID, "value %d (area %q, indicator %q, %d, %s): %s",
		item, v.AreaCode, v.IndicatorCode, v.Year, v.Sex, fmt.Sprintf(format, args...))}
}

// Check checks the item-th area of an upsert on its own, as
// Dataset.Validate checks a stored one: code and name, kind, area type,
// geometry, validity period, and that it is not its own parent.
func (a *AreaInput) Check(item int) error {
	if a == nil {
		return AreaItemError(item, "", "the area is missing")
	}
	if a.ParentCode != "" && a.ParentCode == a.Code {
		return AreaItemError(item, a.Code, "an area cannot be its own parent")
	}
	area := Area{Code: a.Code, Name: a.Name, Kind: a.Kind, AreaType: a.AreaType, Geometry: a.Geometry,
		ValidFrom: a.ValidFrom, ValidTo: a.ValidTo}
	if err := area.check(); err != nil {
		return AreaItemError(item, a.Code, "%s", err.Error())
	}
	return nil
}

// Check checks the item-th value of an upsert on its own, as
// Dataset.Validate checks a stored one: sex, a finite value, the year and
// the count.
func (v *ValueInput) Check(item int) error {
	if v == nil {
		return ValueItemError(item, &ValueInput{}, "the value is missing")
	}
	if err := checkValue(v.Sex, v.Value, v.Year, v.Count); err != nil {
		return ValueItemError(item, v, "%s", err.Error())
	}
	return nil
}

// DuplicateAreaError is the error about an area whose code an earlier item
// of the same upsert already has.
func DuplicateAreaError(item, first int, code string) error {
	return AreaItemError(item, code, "the code appears twice in the import (first as area %d)", first)
}

// UnknownParentError is the error about an area whose parent code names no
// area, neither in the import nor in the store.
func UnknownParentError(item int, code, parent string) error {
	return AreaItemError(item, code, "parent %q does not exist", parent)
}

// DuplicateValueError is the error about a value whose key an earlier item
// of the same upsert already has.
func DuplicateValueError(item, first int, v *ValueInput) error {
	return ValueItemError(item, v, "the same area, indicator, year and sex appear twice in the import (first as value %d)", first)
}

// UnknownValueAreaError is the error about a value whose area code names no
// stored area.
func UnknownValueAreaError(item int, v *ValueInput) error {
	return ValueItemError(item, v, "area code %q does not exist", v.AreaCode)
}

// UnknownIndicatorError is the error about a value whose indicator is not
// defined.
func UnknownIndicatorError(item int, v *ValueInput) error {
	return ValueItemError(item, v, "indicator %q does not exist", v.IndicatorCode)
}

// check is what an area must be on its own, however it arrives: the rules
// Dataset.Validate and AreaInput.Check share.
func (a *Area) check() error {
	if a.Code == "" || a.Name == "" {
		return fmt.Errorf("code and name are required")
	}
	if a.Kind.Depth() < 0 {
		return fmt.Errorf("unknown kind %q", a.Kind)
	}
	if a.AreaType < 0 || a.AreaType > 5 {
		return fmt.Errorf("area type %d is not in 1–5", a.AreaType)
	}
	if err := ValidateAreaGeometry(a.Geometry); err != nil {
		return err
	}
	if a.ValidFrom != nil && a.ValidTo != nil && a.ValidTo.Before(*a.ValidFrom) {
		return fmt.Errorf("valid to is before valid from")
	}
	return nil
}

// checkValue is what an indicator value must be on its own: the rules
// Dataset.Validate and ValueInput.Check share.
func checkValue(sex Sex, value float64, year int, count *int) error {
	if sex != SexTotal && sex != SexFemale && sex != SexMale {
		return fmt.Errorf("unknown sex %q", sex)
	}
	if math.IsNaN(value) || math.IsInf(value, 0) {
		return fmt.Errorf("value must be a finite number")
	}
	if year < 1800 || year > 2200 {
		return fmt.Errorf("year out of range")
	}
	if count != nil && !fitsInt32(*count) {
		return fmt.Errorf("count must be between 0 and %d", math.MaxInt32)
	}
	return nil
}
