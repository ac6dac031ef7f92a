//go:build cuda

package all

import _ "github.com/nbench/nbench/backends/cuda"
