package db

// Updates are patches. An update names its target (an id, or an
// indicator's code), the version the caller read and a patch: the fields to
// set, every other one kept as stored. The store applies the patch inside
// its write, to the record as it holds it then, so a caller never reads the
// record first, and no write can slip between a read and the write.
//
// A patch is checked twice, both times by the same rules as a whole record
// (CheckArea, …). Its Check looks at it on its own, as if the fields it
// leaves out were valid: that is step 1 of the order above Writer in
// store.go, so a patch that can never be right is refused before the store
// looks for its target. Its Apply, after the target and its version (steps
// 2 and 3), sets the fields and checks them together with those it keeps,
// for the rules that span fields (a valid-to date before the stored
// valid-from date).

// Field is one field of a patch. A field not Given keeps the stored value.
// Given its zero value, it clears a field the record can be without: an
// area's parent or description, an open validity date.
type Field[T any] struct {
	Value T
	Given bool
}

// Set is the patch field that sets v.
func Set[T any](v T) Field[T] { return Field[T]{Value: v, Given: true} }

// apply sets *dst when the field is given.
func (f Field[T]) apply(dst *T) {
	if f.Given {
		*dst = f.Value
	}
}
