package main

import (
	"os"
	"os/user"
	"strconv"

	"github.com/areagraph/areagraph/db"
)

// cliActor is who the audit log names for what the command line does:
// "cli:<user>", the operating system's user who ran it, so that two
// operators' imports and key changes can be told apart. The command line
// acts on the database directly, with the operator's own access, so it
// writes as an admin.
func cliActor() db.Actor { return cliActorOf(user.Current, os.Getuid) }

// cliActorOf is cliActor with the user looked up by current. A user the
// system has no name for (a container run with a bare uid, as some
// platforms do) is named by its uid, which user names cannot be; on a
// system without uids it is "cli:unknown" rather than a guess.
func cliActorOf(current func() (*user.User, error), getuid func() int) db.Actor {
	name := "unknown"
	if u, err := current(); err == nil && u.Username != "" {
		name = u.Username
	} else if uid := getuid(); uid >= 0 {
		name = strconv.Itoa(uid)
	}
	return db.Actor{ID: "cli:" + name, Role: db.RoleAdmin}
}
