package memory_test

import (
	"testing"

	"github.com/areagraph/areagraph/db"
	"github.com/areagraph/areagraph/db/dbtest"
	"github.com/areagraph/areagraph/db/memory"
)

func TestConformance(t *testing.T) {
	dbtest.Run(t, func(t *testing.T) db.Store { return memory.New() })
}
