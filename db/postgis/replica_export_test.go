package postgis

// ReplicaServed is the number of AreasAt calls s answered from memory, for
// the tests outside the package.
func ReplicaServed(s *Store) int64 {
	if s.replica == nil {
		return 0
	}
	return s.replica.Served()
}
