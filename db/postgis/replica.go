package postgis

import "context"

// areasChanged is called after every committed transaction that wrote
// areas (Load, UpsertAreas, CreateArea, UpdateArea, DeleteArea), before
// the write returns to its caller.
func (s *Store) areasChanged(ctx context.Context) {}
