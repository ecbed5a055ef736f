package transfer

import (
	"bytes"
	"fmt"
	"path/filepath"
	"strings"
)

// The formats an import of indicator values reads.
const (
	FormatValuesCSV = "csv"       // the long format, one value a line
	FormatJSONStat  = "json-stat" // JSON-stat 2.0, as SCB's PxWeb API answers
	FormatKolada    = "kolada"    // Kolada's answer to a data query
	FormatSCBCSV    = "scb-csv"   // SCB's CSV export, a column a year
)

// ValueFormats lists the formats of values, for help and errors.
var ValueFormats = []string{FormatValuesCSV, FormatJSONStat, FormatKolada, FormatSCBCSV}

// DetectValuesFormat tells the format of a values file from its name and
// its first bytes (head): a .json file is Kolada's when its head names a
// "kpi" and no "dimension" (Kolada's records come first, a dataset's
// dimensions before its cells), else JSON-stat; a CSV is the long format
// when its head names area_code or indicator_code (so that a long file
// with a column misspelt is still told what is wrong with it), else
// SCB's export. It returns an error when the file is clearly neither, so that
// a mistaken file is named before it is read.
func DetectValuesFormat(name string, head []byte) (string, error) {
	head = bytes.TrimPrefix(head, utf8BOM)
	json := len(bytes.TrimSpace(head)) > 0 && bytes.TrimSpace(head)[0] == '{'
	switch ext := strings.ToLower(filepath.Ext(name)); {
	case (ext == ".json" || json) && bytes.Contains(head, []byte(`"kpi"`)) && !bytes.Contains(head, []byte(`"dimension"`)):
		return FormatKolada, nil
	case ext == ".json" || json:
		return FormatJSONStat, nil
	case (ext == ".csv" || ext == ".txt" || ext == "") && (bytes.Contains(bytes.ToLower(head), []byte("area_code")) ||
		bytes.Contains(bytes.ToLower(head), []byte("indicator_code"))):
		return FormatValuesCSV, nil
	case ext == ".csv" || ext == ".txt" || ext == "":
		return FormatSCBCSV, nil
	default:
		return "", fmt.Errorf("%s: cannot tell the format from the name; give --format, one of %s", name,
			strings.Join(ValueFormats, ", "))
	}
}
