package transfer

import (
	"errors"
	"strings"
	"unicode/utf8"
)

// checkText refuses text no store can keep as it was written: bytes that
// are not UTF-8 (a file in Latin-1 or UTF-16) and NUL characters, which
// PostgreSQL refuses in text and which mean a binary or mis-decoded file.
// Readers check every field they take, so the error names the file and the
// line or feature instead of failing later at the store without them.
func checkText(s string) error {
	switch {
	case !utf8.ValidString(s):
		return errors.New("is not valid UTF-8; save the file as UTF-8")
	case strings.IndexByte(s, 0) >= 0:
		return errors.New("holds a NUL character")
	}
	return nil
}
