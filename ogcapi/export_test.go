package ogcapi

// SetMaxScan lowers the bound of a scan for a test and returns what puts
// it back.
func SetMaxScan(n int) (restore func()) {
	old := maxScan
	maxScan = n
	return func() { maxScan = old }
}
