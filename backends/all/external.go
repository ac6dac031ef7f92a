package all

import (
	"github.com/nbench/nbench/backends/external"
	_ "github.com/nbench/nbench/backends/torch"
)

// External workers: exec:PATH names, torch (the embedded PyTorch worker)
// and the backends named in the user's backends file, registered last so
// they cannot shadow a built-in name.
func init() { external.RegisterConfig() }
