package all

import _ "github.com/nbench/nbench/backends/simd"
