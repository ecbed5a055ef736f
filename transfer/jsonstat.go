package transfer

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/areagraph/areagraph/db"
)

// JSON-stat 2.0 (https://json-stat.org/format/) is what SCB's PxWeb API
// answers with format json-stat2: one dataset object with the dimensions'
// ids in order (id), their sizes (size), their categories
// (dimension.{id}.category.index and .label) and the cells in row-major
// order (value: an array, or an object from index to value for a sparse
// dataset), with optional markers per cell (status: an array, an object
// from index to marker, or one string for all).
//
// A dataset is one JSON object whose members may come in any order (the
// cells before the dimensions that say what they are), so it is read
// whole, up to maxJSONStatFile. Only the small members are decoded; the
// cells, which are nearly all of the file, are scanned where they lie,
// one at a time.

// maxJSONStatFile bounds the bytes of a JSON-stat file read into memory.
// PxWeb answers at most some hundred thousand cells a query (a few MB);
// this is room for a table of every DeSO over many years.
const maxJSONStatFile = 256 << 20

// maxJSONStatCells bounds the cells a dataset's sizes may multiply to, so
// that a sparse dataset of a few bytes cannot make the reader count to
// the sky.
const maxJSONStatCells = 1 << 32

// DefaultJSONStatMapping holds SCB's dimension ids.
var DefaultJSONStatMapping = StatMapping{AreaDim: "Region", YearDim: "Tid", SexDim: "Kon", IndicatorDim: "ContentsCode"}

// ImportValuesJSONStat imports the values of the JSON-stat 2.0 dataset
// src, mapped by m, in two passes.
func ImportValuesJSONStat(ctx context.Context, store IndicatorImporter, by db.Actor, src Source, m StatMapping,
	prog io.Writer) (StatImport, error) {
	return importStat(ctx, store, by, src, &m, jsonStatReader(&m), prog)
}

// ReadValuesJSONStat reads the JSON-stat 2.0 dataset in r, named name in
// errors, one value at a time, mapped by m; cells without a value are
// counted into skipped (which may be nil).
func ReadValuesJSONStat(r io.Reader, name string, m StatMapping, skipped Skipped) iter.Seq2[*db.ValueInput, error] {
	return seqOf(jsonStatReader(&m), r, name, skipped)
}

func jsonStatReader(m *StatMapping) statReader { return named(eachJSONStat, m, ": ") }

// jsonStatHeader is the dataset without its cells, which are found by
// jsonStatCells and never copied.
type jsonStatHeader struct {
	Version   string                 `json:"version"`
	Class     string                 `json:"class"`
	ID        []string               `json:"id"`
	Size      []int                  `json:"size"`
	Dimension map[string]jsonStatDim `json:"dimension"`
	Role      map[string][]string    `json:"role"`
	Value     ignoredJSON            `json:"value"`
	Status    ignoredJSON            `json:"status"`
	Dataset   ignoredJSON            `json:"dataset"` // JSON-stat 1.x
}

type jsonStatDim struct {
	Label    string `json:"label"`
	Category struct {
		Index json.RawMessage   `json:"index"`
		Label map[string]string `json:"label"`
	} `json:"category"`
}

// ignoredJSON is a member the header notes without copying it.
type ignoredJSON struct{ present bool }

func (j *ignoredJSON) UnmarshalJSON([]byte) error {
	j.present = true
	return nil
}

// dimRole is what a dimension's categories become.
type dimRole int

const (
	roleFixed dimRole = iota
	roleArea
	roleYear
	roleSex
	roleIndicator
	roleCount // a column of SCB's CSV that counts the persons of others
)

// statDim is one dimension as the reader uses it: its role, the value of
// each category in that role, and the one category kept, or -1 for all.
type statDim struct {
	id     string
	role   dimRole
	size   int
	keep   int
	stride int      // cells from one category to the next
	count  int      // of the measure dimension: the category of counts, or -1
	codes  []string // area or indicator code per category
	years  []int
	sexes  []db.Sex
}

func eachJSONStat(r io.Reader, m *StatMapping, skipped Skipped, fn func(string, *db.ValueInput) bool) error {
	data, err := io.ReadAll(io.LimitReader(r, maxJSONStatFile+1))
	if err != nil {
		return err
	}
	if len(data) > maxJSONStatFile {
		return fmt.Errorf("larger than %d MiB, the most of a JSON-stat dataset read into memory at once; "+
			"ask PxWeb for fewer cells a file (fewer regions or years a query)", maxJSONStatFile>>20)
	}
	if !utf8.Valid(data) {
		return fmt.Errorf("line %d: is not valid UTF-8; save the file as UTF-8", lineAt(data, firstInvalidUTF8(data)))
	}
	var h jsonStatHeader
	if err := json.Unmarshal(data, &h); err != nil {
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &se):
			return fmt.Errorf("line %d: not JSON: %s", lineAt(data, int(se.Offset)), se.Error())
		case errors.As(err, &te) && te.Field == "":
			return errors.New("not a JSON-stat dataset: the file is not a JSON object")
		case errors.As(err, &te):
			return fmt.Errorf("member %q: want %s, got JSON %s", te.Field, te.Type, te.Value)
		}
		return err
	}
	dims, total, err := h.dims(m)
	if err != nil {
		return err
	}
	value, status, err := jsonStatCells(data)
	if err != nil {
		return err
	}
	st, err := newStatusOf(status, value, total)
	if err != nil {
		return err
	}
	var ind *statDim // the measures, when one of them counts
	for d := range dims {
		if dims[d].count >= 0 {
			ind = &dims[d]
		}
	}
	var counts map[int]int32
	if ind != nil {
		if counts, err = jsonStatCounts(value, status, total, dims, ind, m.CountMeasure); err != nil {
			return err
		}
	}
	n := 0
	emit := func(i int, cell []byte) (bool, error) {
		for d := range dims {
			if k := dims[d].keep; k >= 0 && dims[d].coord(i) != k {
				return true, nil
			}
		}
		if ind != nil && ind.coord(i) == ind.count {
			return true, nil // a count, read with the values it counts
		}
		v, marker, err := jsonStatValue(cell)
		if err != nil {
			return false, fmt.Errorf("value index %d: %w", i, err)
		}
		if s := st.at(i); isDots(s) {
			marker, v = s, nil
		}
		if v == nil {
			skipped.add(marker)
			return true, nil
		}
		in := &db.ValueInput{Sex: db.SexTotal, Value: *v}
		for d := range dims {
			dim := &dims[d]
			c := dim.coord(i)
			switch dim.role {
			case roleArea:
				in.AreaCode = dim.codes[c]
			case roleIndicator:
				in.IndicatorCode = dim.codes[c]
			case roleYear:
				in.Year = dim.years[c]
			case roleSex:
				in.Sex = dim.sexes[c]
			}
		}
		if in.IndicatorCode == "" {
			in.IndicatorCode = m.Indicator
		}
		if ind != nil {
			if c, ok := counts[ind.without(i)]; ok {
				in.Count = new(int(c))
			}
		}
		n++
		if err := in.Check(n); err != nil {
			return false, fmt.Errorf("value index %d: %s", i, messageOf(err))
		}
		return fn("value index "+strconv.Itoa(i), in), nil
	}
	return eachCell(value, total, dims, emit)
}

// without is the place of cell i among the cells of one category of the
// dimension: its index with the dimension taken out.
func (d *statDim) without(i int) int { return i/(d.stride*d.size)*d.stride + i%d.stride }

// jsonStatCounts reads the cells of ind's count category, the measure
// named name, by their place without ind; a count that is null or marked
// is left out. They are a share of the cells (one measure of several), and
// a map holds a sparse dataset's as well as a dense one's.
func jsonStatCounts(value, status []byte, total int, dims []statDim, ind *statDim, name string) (map[int]int32, error) {
	st, err := newStatusOf(status, value, total)
	if err != nil {
		return nil, err
	}
	counts := map[int]int32{}
	err = eachCell(value, total, dims, func(i int, cell []byte) (bool, error) {
		if ind.coord(i) != ind.count {
			return true, nil
		}
		v, _, err := jsonStatValue(cell)
		if err != nil {
			return false, fmt.Errorf("value index %d: %w", i, err)
		}
		if s := st.at(i); v == nil || isDots(s) {
			return true, nil
		}
		if *v < 0 || *v > math.MaxInt32 || *v != math.Trunc(*v) {
			return false, fmt.Errorf("value index %d: %v is no count of persons (measure %q); a count is a whole number from 0",
				i, *v, name)
		}
		counts[ind.without(i)] = int32(*v)
		return true, nil
	})
	return counts, err
}

// coord is the category of cell i in the dimension.
func (d *statDim) coord(i int) int { return i / d.stride % d.size }

// dims checks the header of the dataset and maps its dimensions by m. It
// returns them in the order of id, and the number of cells.
func (h *jsonStatHeader) dims(m *StatMapping) ([]statDim, int, error) {
	if h.ID == nil && h.Dataset.present || h.Class == "bundle" {
		return nil, 0, errors.New("a JSON-stat 1.x bundle, not a 2.0 dataset; ask PxWeb for format json-stat2")
	}
	if h.Class != "dataset" {
		return nil, 0, fmt.Errorf("class is %q, not \"dataset\": not a JSON-stat 2.0 dataset (PxWeb's format json-stat2)", h.Class)
	}
	if h.Version != "" && !strings.HasPrefix(h.Version, "2.") {
		return nil, 0, fmt.Errorf("JSON-stat version %q; this reads 2.0", h.Version)
	}
	if len(h.ID) == 0 || len(h.ID) != len(h.Size) {
		return nil, 0, fmt.Errorf("id names %d dimensions and size gives %d; they must match, one or more", len(h.ID), len(h.Size))
	}
	role := func(flag, def, jsonRole string) (string, bool) {
		if flag != "" {
			return flag, true
		}
		if _, ok := h.Dimension[def]; ok {
			return def, false
		}
		if r := h.Role[jsonRole]; len(r) == 1 {
			return r[0], false
		}
		return def, false
	}
	areaDim, areaSet := role(m.AreaDim, DefaultJSONStatMapping.AreaDim, "geo")
	yearDim, yearSet := role(m.YearDim, DefaultJSONStatMapping.YearDim, "time")
	sexDim, sexSet := role(m.SexDim, DefaultJSONStatMapping.SexDim, "")
	indDim, indSet := role(m.IndicatorDim, DefaultJSONStatMapping.IndicatorDim, "metric")
	for _, c := range []struct {
		id, what, flag string
		set, needed    bool
	}{
		{areaDim, "area code", "--area-dim", areaSet, true},
		{yearDim, "year", "--year-dim", yearSet, true},
		{sexDim, "sex", "--sex-dim", sexSet, false},
		{indDim, "measure", "--indicator-dim", indSet, m.Indicator == ""},
	} {
		if !slices.Contains(h.ID, c.id) && (c.set || c.needed) {
			return nil, 0, fmt.Errorf("no dimension %q for the %s; the dimensions are %s; name one with %s",
				c.id, c.what, strings.Join(h.ID, ", "), c.flag)
		}
	}
	if m.CountMeasure != "" && !slices.Contains(h.ID, indDim) {
		return nil, 0, fmt.Errorf("--count-measure %s: no dimension %q of measures; name it with --indicator-dim", m.CountMeasure, indDim)
	}
	named := map[string]string{}
	for _, c := range []struct{ id, what string }{{areaDim, "the area code"}, {yearDim, "the year"}, {sexDim, "the sex"},
		{indDim, "the measure"}} {
		if w, ok := named[c.id]; ok && slices.Contains(h.ID, c.id) {
			return nil, 0, fmt.Errorf("dimension %q is named for both %s and %s", c.id, w, c.what)
		}
		named[c.id] = c.what
	}
	for id := range m.Fixed {
		if !slices.Contains(h.ID, id) {
			return nil, 0, fmt.Errorf("--fix %s: no such dimension; the dimensions are %s", id, strings.Join(h.ID, ", "))
		}
	}
	dims := make([]statDim, len(h.ID))
	total := 1
	for i := len(h.ID) - 1; i >= 0; i-- {
		id, size := h.ID[i], h.Size[i]
		if slices.Contains(h.ID[:i], id) {
			return nil, 0, fmt.Errorf("dimension %q appears twice in id", id)
		}
		if size < 1 {
			return nil, 0, fmt.Errorf("dimension %q has size %d; each must have one category or more", id, size)
		}
		cats, err := h.categories(id, size)
		if err != nil {
			return nil, 0, err
		}
		d := statDim{id: id, size: size, keep: -1, stride: total, count: -1}
		if total > maxJSONStatCells/size {
			return nil, 0, fmt.Errorf("the sizes multiply to more than %d cells", maxJSONStatCells)
		}
		total *= size
		if want, ok := m.Fixed[id]; ok {
			if d.keep = slices.Index(cats, want); d.keep < 0 {
				return nil, 0, fmt.Errorf("--fix %s=%s: dimension %q has no category %q; it has %s", id, want, id, want, listSome(cats))
			}
		}
		switch id {
		case areaDim:
			d.role, d.codes = roleArea, make([]string, size)
			for c, s := range cats {
				d.codes[c] = scbAreaCode(s)
			}
		case yearDim:
			d.role, d.years = roleYear, make([]int, size)
			for c, s := range cats {
				if d.years[c], err = parseStatYear(s); err != nil && (d.keep < 0 || d.keep == c) {
					return nil, 0, fmt.Errorf("dimension %q category %s", id, err)
				}
			}
		case sexDim:
			d.role, d.sexes = roleSex, make([]db.Sex, size)
			for c, s := range cats {
				var ok bool
				if d.sexes[c], ok = scbSex(s); !ok && (d.keep < 0 || d.keep == c) {
					return nil, 0, fmt.Errorf("dimension %q category %q is no sex SCB codes (1 men, 2 women, 1+2 both); "+
						"fix the dimension to one category with --fix %s=CATEGORY", id, s, id)
				}
			}
		case indDim:
			d.role, d.codes = roleIndicator, make([]string, size)
			if m.CountMeasure != "" {
				if d.count = slices.Index(cats, m.CountMeasure); d.count < 0 {
					return nil, 0, fmt.Errorf("--count-measure %s: dimension %q has no category %q; it has %s",
						m.CountMeasure, id, m.CountMeasure, listSome(cats))
				}
			}
			for c, s := range cats {
				if d.keep >= 0 && d.keep != c || c == d.count {
					continue
				}
				if d.codes[c], err = m.indicatorFor(s, fmt.Sprintf("dimension %q category %q", id, s)); err != nil {
					return nil, 0, err
				}
			}
			if measures := size - min(d.count+1, 1); m.Indicator != "" && len(m.Indicators) == 0 && measures > 1 && d.keep < 0 {
				return nil, 0, fmt.Errorf("dimension %q holds %d measures (%s) and --indicator gives one code for all; "+
					"map each with --map-indicator SOURCE=CODE or keep one with --fix %s=CATEGORY", id, measures, listSome(cats), id)
			}
		default:
			if d.keep < 0 {
				return nil, 0, fmt.Errorf("dimension %q is neither area, year, sex nor measure; keep one of its categories "+
					"(%s) with --fix %s=CATEGORY", id, listSome(cats), id)
			}
		}
		dims[i] = d
	}
	return dims, total, nil
}

// categories are the codes of dimension id's categories in index order,
// each checked as text.
func (h *jsonStatHeader) categories(id string, size int) ([]string, error) {
	dim, ok := h.Dimension[id]
	if !ok {
		return nil, fmt.Errorf("dimension %q is in id but not in dimension", id)
	}
	cats := make([]string, 0, size)
	idx := bytes.TrimSpace(dim.Category.Index)
	switch {
	case len(idx) > 0 && idx[0] == '[':
		if err := json.Unmarshal(idx, &cats); err != nil {
			return nil, fmt.Errorf("dimension %q: category.index must be an array of strings or an object", id)
		}
	case len(idx) > 0 && idx[0] == '{':
		var pos map[string]int
		if err := json.Unmarshal(idx, &pos); err != nil {
			return nil, fmt.Errorf("dimension %q: category.index must map each category to its place", id)
		}
		cats = cats[:min(len(pos), size)]
		seen := make([]bool, len(cats))
		for c, p := range pos {
			if p < 0 || p >= len(cats) || seen[p] {
				return nil, fmt.Errorf("dimension %q: category.index must number its %d categories 0 to %d once each", id, size, size-1)
			}
			cats[p], seen[p] = c, true
		}
	case len(idx) == 0 || string(idx) == "null":
		// The specification lets a dimension of one category leave its
		// index out.
		for c := range dim.Category.Label {
			cats = append(cats, c)
		}
		if len(cats) > 1 {
			return nil, fmt.Errorf("dimension %q: category.index is required with more than one category", id)
		}
	default:
		return nil, fmt.Errorf("dimension %q: category.index must be an array of strings or an object", id)
	}
	if len(cats) != size {
		return nil, fmt.Errorf("dimension %q has %d categories and size %d; they must match", id, len(cats), size)
	}
	for _, c := range cats {
		if err := checkText(c); err != nil {
			return nil, fmt.Errorf("dimension %q: a category %s", id, err)
		}
		if c == "" {
			return nil, fmt.Errorf("dimension %q: a category is empty", id)
		}
	}
	return cats, nil
}

// listSome lists up to five categories, quoted, and how many more.
func listSome(cats []string) string {
	var q []string
	for _, c := range cats[:min(5, len(cats))] {
		q = append(q, strconv.Quote(c))
	}
	if len(cats) > 5 {
		q = append(q, fmt.Sprintf("and %d more", len(cats)-5))
	}
	return strings.Join(q, ", ")
}

// jsonStatCells finds the value and status members of the dataset in
// data, valid JSON whose top level is an object, and returns them as they
// lie there (nil when absent). A member given twice counts by its last
// occurrence, as the header decoder counts it.
func jsonStatCells(data []byte) (value, status []byte, err error) {
	i := skipSpace(data, 0)
	if i >= len(data) || data[i] != '{' {
		return nil, nil, errors.New("not a JSON-stat dataset: the file is not a JSON object")
	}
	i++
	for {
		i = skipSpace(data, i)
		if data[i] == '}' {
			break
		}
		end := skipValue(data, i)
		var key string
		if err := json.Unmarshal(data[i:end], &key); err != nil {
			return nil, nil, err
		}
		i = skipSpace(data, end) + 1 // past ':'
		i = skipSpace(data, i)
		end = skipValue(data, i)
		switch key {
		case "value":
			value = data[i:end]
		case "status":
			status = data[i:end]
		}
		i = skipSpace(data, end)
		if data[i] == ',' {
			i++
		}
	}
	if len(value) == 0 || value[0] != '[' && value[0] != '{' {
		return nil, nil, errors.New("value must be an array of the cells, or an object from index to cell")
	}
	return value, status, nil
}

func skipSpace(data []byte, i int) int {
	for i < len(data) && (data[i] == ' ' || data[i] == '\t' || data[i] == '\n' || data[i] == '\r') {
		i++
	}
	return i
}

// skipValue returns the end of the JSON value starting at data[i], which
// is known to be valid.
func skipValue(data []byte, i int) int {
	switch data[i] {
	case '"':
		for i++; data[i] != '"'; i++ {
			if data[i] == '\\' {
				i++
			}
		}
		return i + 1
	case '{', '[':
		depth := 0
		for ; ; i++ {
			switch data[i] {
			case '"':
				i = skipValue(data, i) - 1
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					return i + 1
				}
			}
		}
	}
	for ; i < len(data); i++ {
		switch data[i] {
		case ',', '}', ']', ' ', '\t', '\r', '\n':
			return i
		}
	}
	return i
}

// eachCell hands each cell of value (dense array or sparse object) to
// emit with its index, in the order of the file, until emit says stop or
// fails.
func eachCell(value []byte, total int, dims []statDim, emit func(int, []byte) (bool, error)) error {
	sparse := value[0] == '{'
	i, n := 1, 0
	for {
		i = skipSpace(value, i)
		if value[i] == ']' || value[i] == '}' {
			break
		}
		idx := n
		if sparse {
			end := skipValue(value, i)
			var key string
			if err := json.Unmarshal(value[i:end], &key); err != nil {
				return err
			}
			k, err := strconv.Atoi(key)
			if err != nil || k < 0 || k >= total {
				return fmt.Errorf("value: key %q is not a cell index from 0 to %d", key, total-1)
			}
			idx = k
			i = skipSpace(value, skipSpace(value, end)+1)
		} else if n >= total {
			return fmt.Errorf("value holds more than the %d cells the sizes multiply to", total)
		}
		end := skipValue(value, i)
		more, err := emit(idx, value[i:end])
		if err != nil || !more {
			return err
		}
		n++
		i = skipSpace(value, end)
		if value[i] == ',' {
			i++
		}
	}
	if !sparse && n != total {
		return fmt.Errorf("value holds %d cells and the sizes multiply to %d; a dense value must hold every cell", n, total)
	}
	return nil
}

// jsonStatValue reads one cell: a number, or null, or a string marker
// such as ".." for a cell without value.
func jsonStatValue(cell []byte) (*float64, string, error) {
	switch cell[0] {
	case 'n':
		return nil, "", nil
	case '"':
		var s string
		if err := json.Unmarshal(cell, &s); err != nil {
			return nil, "", err
		}
		if isDots(s) {
			return nil, s, nil
		}
		return nil, "", fmt.Errorf("%q is not a number", s)
	case '{', '[', 't', 'f':
		return nil, "", fmt.Errorf("%s is not a number", cell[:min(len(cell), 20)])
	}
	f, err := strconv.ParseFloat(string(cell), 64)
	if err != nil || math.IsInf(f, 0) {
		return nil, "", fmt.Errorf("%s is out of range", cell)
	}
	return &f, "", nil
}

// statusOf gives the marker of each cell from the dataset's status: none,
// one for all, an array read alongside a dense value, or an index.
type statusOf struct {
	all    string
	array  []byte // the rest of a status array
	next   int    // the index of the array's next entry
	byCell map[int]string
}

func newStatusOf(status, value []byte, total int) (*statusOf, error) {
	st := &statusOf{}
	if len(status) == 0 || string(status) == "null" {
		return st, nil
	}
	bad := errors.New("status must be a string, an array of strings or null, or an object from index to string")
	switch status[0] {
	case '"':
		if err := json.Unmarshal(status, &st.all); err != nil {
			return nil, bad
		}
	case '[':
		if value[0] == '[' {
			st.array = status[1:]
			return st, nil
		}
		// A sparse value names cells in any order: index the markers.
		var all []*string
		if err := json.Unmarshal(status, &all); err != nil {
			return nil, bad
		}
		st.byCell = map[int]string{}
		for i, s := range all {
			if s != nil {
				st.byCell[i] = *s
			}
		}
	case '{':
		var m map[string]string
		if err := json.Unmarshal(status, &m); err != nil {
			return nil, bad
		}
		st.byCell = make(map[int]string, len(m))
		for k, s := range m {
			i, err := strconv.Atoi(k)
			if err != nil || i < 0 || i >= total {
				return nil, fmt.Errorf("status: key %q is not a cell index from 0 to %d", k, total-1)
			}
			st.byCell[i] = s
		}
	default:
		return nil, bad
	}
	return st, nil
}

// at is the marker of cell i; an array is read in order, so i never goes
// back.
func (st *statusOf) at(i int) string {
	switch {
	case st.byCell != nil:
		return st.byCell[i]
	case st.array != nil:
		s := ""
		for ; st.next <= i; st.next++ {
			j := skipSpace(st.array, 0)
			if j >= len(st.array) || st.array[j] == ']' {
				st.array = st.array[j:]
				return ""
			}
			end := skipValue(st.array, j)
			if st.next == i && st.array[j] == '"' {
				_ = json.Unmarshal(st.array[j:end], &s)
			}
			st.array = st.array[skipSpace(st.array, end):]
			if len(st.array) > 0 && st.array[0] == ',' {
				st.array = st.array[1:]
			}
		}
		return s
	}
	return st.all
}

// lineAt is the line of data that offset falls on, from 1.
func lineAt(data []byte, offset int) int {
	return bytes.Count(data[:min(max(offset, 0), len(data))], []byte("\n")) + 1
}

// firstInvalidUTF8 is the offset of the first byte of data that is not
// UTF-8.
func firstInvalidUTF8(data []byte) int {
	for i := 0; i < len(data); {
		r, n := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && n == 1 {
			return i
		}
		i += n
	}
	return len(data)
}
