//go:build tools

// Package tools pins the versitygw command built by ../build.sh.
package tools

import (
	_ "github.com/versity/versitygw/cmd/versitygw"
)
