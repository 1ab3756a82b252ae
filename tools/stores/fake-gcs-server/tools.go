//go:build tools

// Package tools pins the fake-gcs-server command built by ../build.sh.
package tools

import (
	_ "github.com/fsouza/fake-gcs-server"
)
