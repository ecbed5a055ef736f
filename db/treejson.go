package db

import (
	"context"
	"io"
	"math"
	"strconv"
	"time"
)

// The JSON writers of tree answers that stores write in Go, spelled as
// the API writes each value, so that a tree's answer is the one the
// field-by-field path gives.

// AppendTreeKey writes an object member's name, after a comma but for the first.
func AppendTreeKey(b []byte, i int, key string) []byte {
	if i > 0 {
		b = append(b, ',')
	}
	b = AppendTreeString(b, key)
	return append(b, ':')
}

// AppendTreeGlobalID writes a global id (GlobalID) as a JSON string.
func AppendTreeGlobalID(b []byte, typ string, id int64) []byte {
	b = append(b, '"')
	b = append(b, typ...) // a type name: letters only, nothing to escape
	b = append(b, ':')
	b = strconv.AppendInt(b, id, 10)
	return append(b, '"')
}

// AppendTreeOptional writes a text that is null when empty, as the API gives
// optional text.
func AppendTreeOptional(b []byte, s string) []byte {
	if s == "" {
		return append(b, "null"...)
	}
	return AppendTreeString(b, s)
}

// AppendTreeDate writes a date as the Date scalar does (model.MarshalDate).
func AppendTreeDate(b []byte, t *time.Time) []byte {
	if t == nil {
		return append(b, "null"...)
	}
	b = append(b, '"')
	b = t.UTC().AppendFormat(b, time.DateOnly)
	return append(b, '"')
}

const hexDigits = "0123456789ABCDEF"

// AppendTreeString writes s as a JSON string with the escapes gqlgen's
// graphql.MarshalString writes, so that the embedded store's answer is the
// executor's byte for byte: control characters, quote and backslash
// escaped (\t, \r, \n by name, the rest as \u00XX in upper case), all else
// as it is.
func AppendTreeString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '\\' && c != '"' {
			continue
		}
		b = append(b, s[start:i]...)
		switch c {
		case '\t':
			b = append(b, `\t`...)
		case '\r':
			b = append(b, `\r`...)
		case '\n':
			b = append(b, `\n`...)
		case '\\':
			b = append(b, `\\`...)
		case '"':
			b = append(b, `\"`...)
		default:
			b = append(b, `\u00`...)
			b = append(b, hexDigits[c>>4], hexDigits[c&0xf])
		}
		start = i + 1
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// AppendTreeFloat writes f as the API writes a Float
// (graphql.MarshalFloatContext: fmt's %g, the shortest form that reads
// back as f); ok is false for an infinity or NaN, which the API refuses
// to write.
func AppendTreeFloat(b []byte, f float64) (_ []byte, ok bool) {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return b, false
	}
	return strconv.AppendFloat(b, f, 'g', -1, 64), true
}

// AppendTreeInitiative writes the fields and constants of n of in; a
// relation is the caller's, refused here.
func AppendTreeInitiative(b []byte, n *TreeNode, in *Initiative) ([]byte, error) {
	b = append(b, '{')
	for i := range n.Members {
		m := &n.Members[i]
		b = AppendTreeKey(b, i, m.Key)
		if m.Const != nil {
			b = AppendTreeString(b, *m.Const)
			continue
		}
		var ok bool
		if b, ok = AppendTreeInitiativeField(b, m.Field, in); !ok {
			return nil, ErrTreeUnsupported
		}
	}
	return append(b, '}'), nil
}

// AppendTreeInitiativeField writes field f of in; ok is false for a field
// an initiative does not have.
func AppendTreeInitiativeField(b []byte, f TreeField, in *Initiative) (_ []byte, ok bool) {
	switch f {
	case TreeFieldID:
		return AppendTreeGlobalID(b, TypeInitiative, in.ID), true
	case TreeFieldGlobalType:
		return AppendTreeString(b, TypeInitiative), true
	case TreeFieldVersion:
		return strconv.AppendInt(b, in.Version, 10), true
	case TreeFieldTitle:
		return AppendTreeString(b, in.Title), true
	case TreeFieldDescription:
		return AppendTreeOptional(b, in.Description), true
	case TreeFieldStatus:
		return AppendTreeString(b, string(in.Status)), true
	case TreeFieldStartDate:
		return AppendTreeDate(b, in.StartDate), true
	case TreeFieldEndDate:
		return AppendTreeDate(b, in.EndDate), true
	case TreeFieldGoalArea:
		return AppendTreeString(b, string(in.GoalArea)), true
	}
	return b, false
}

// NearestLister is what ReadNearTree needs of a store: its Initiatives.
type NearestLister interface {
	Initiatives(ctx context.Context, f InitiativeFilter, p Page) (List[*Initiative], error)
}

// ReadNearTree answers a tree whose root is Near (CheckTree passed) from
// the store's own nearest search, Initiatives with the Near filter alone,
// so that the page, its order and its distances are the ones the
// field-by-field path reads; the store reads only the parts of the
// records the node writes (Page.Omit), and what is written is JSON
// straight from them, with none of the executor's work per field.
func ReadNearTree(ctx context.Context, s NearestLister, t *Tree, w io.Writer) error {
	omit := AllParts
	for _, m := range t.Root.Members {
		switch m.Field {
		case TreeFieldDescription:
			omit &^= PartDescription
		case TreeFieldStartDate, TreeFieldEndDate:
			omit &^= PartDates
		}
	}
	l, err := s.Initiatives(ctx, InitiativeFilter{Spatial: Spatial{Near: &t.Near.Near}},
		Page{Limit: t.Near.Limit, NoTotal: true, Omit: omit})
	if err != nil {
		return err
	}
	if len(l.Distances) != len(l.Items) {
		return Errorf(EINTERNAL, "nearest initiatives came without their distances")
	}
	b := make([]byte, 0, 256*(1+len(l.Items)))
	b = append(b, '{')
	for i, c := range t.Near.Connection {
		b = AppendTreeKey(b, i, c.Key)
		b = append(b, '[')
		for j, in := range l.Items {
			if j > 0 {
				b = append(b, ',')
			}
			if c.Nodes {
				if b, err = AppendTreeInitiative(b, &t.Root, in); err != nil {
					return err
				}
				continue
			}
			b = append(b, '{')
			for k, e := range c.Edge {
				b = AppendTreeKey(b, k, e.Key)
				if e.Node {
					if b, err = AppendTreeInitiative(b, &t.Root, in); err != nil {
						return err
					}
					continue
				}
				var ok bool
				if b, ok = AppendTreeFloat(b, l.Distances[j]); !ok {
					return ErrTreeUnsupported
				}
			}
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	b = append(b, '}')
	_, err = w.Write(b)
	return err
}
