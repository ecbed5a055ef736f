package db

import (
	"slices"
	"strings"
)

// The imports of areas and values (BulkImporter's upserts) are audited as
// the API's writes are, in the same transaction as what they write, with
// two differences that the size of an import asks for. An area an import
// adds or changes gets an entry of its own with before and after, as
// UpdateArea leaves; an area it names unchanged gets none and keeps its
// version. Values, which come by the hundred thousand, get one entry per
// import, a ValueImport: the file, its SHA-256, the counts and the
// indicators and years the import added or changed.

// ImportCounts says what an import did with the records it was given.
type ImportCounts struct {
	Added     int // new records
	Changed   int // stored records it changed
	Unchanged int // stored records it named as they were, left alone
}

// Written is how many records the import added or changed.
func (c ImportCounts) Written() int { return c.Added + c.Changed }

// ImportFile names the file an import of values reads, for its audit
// entry.
type ImportFile struct {
	Name   string // as the operator gave it
	SHA256 string // of the whole file, in lower-case hex
}

// ValueImport is one import of indicator values as its audit entry keeps
// it. Indicators and Years are those of the values it added or changed,
// in ascending (byte) order.
type ValueImport struct {
	File       ImportFile
	Counts     ImportCounts
	Indicators []string
	Years      []int
}

// NewValueImport is the audit record of an import of file that did what
// counts says, touching the indicators and years given in any order and
// with repeats.
func NewValueImport(file ImportFile, counts ImportCounts, indicators []string, years []int) *ValueImport {
	indicators, years = slices.Clone(indicators), slices.Clone(years)
	slices.SortFunc(indicators, strings.Compare)
	slices.Sort(years)
	return &ValueImport{File: file, Counts: counts, Indicators: slices.Compact(indicators), Years: slices.Compact(years)}
}

// AuditRef names the import by the file's content, so the log answers
// which imports read the same file: "ValueImport:<sha256>".
func (v *ValueImport) AuditRef() (typ, id string) {
	return TypeValueImport, TypeValueImport + ":" + v.File.SHA256
}

func (v *ValueImport) auditView() any {
	return struct {
		File       string   `json:"file"`
		SHA256     string   `json:"sha256"`
		Added      int      `json:"added"`
		Changed    int      `json:"changed"`
		Unchanged  int      `json:"unchanged"`
		Indicators []string `json:"indicators"`
		Years      []int    `json:"years"`
	}{v.File.Name, v.File.SHA256, v.Counts.Added, v.Counts.Changed, v.Counts.Unchanged, orEmpty(v.Indicators),
		orEmpty(v.Years)}
}
