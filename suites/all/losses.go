package all

import _ "github.com/nbench/nbench/suites/losses"
