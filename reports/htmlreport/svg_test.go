package htmlreport

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// TestEllipsis: a long category keeps both ends within catChars; a short
// one is left alone.
func TestEllipsis(t *testing.T) {
	long := "N=500/method=gaussian/Nt=0.3/plus_one=true/fill=special"
	got := ellipsis(long, catChars)
	if utf8.RuneCountInString(got) != catChars || !strings.HasPrefix(got, "N=500/") || !strings.HasSuffix(got, "/fill=special") {
		t.Errorf("ellipsis(%q) = %q (%d characters, want %d, both ends kept)", long, got, utf8.RuneCountInString(got), catChars)
	}
	if got := ellipsis("N=1000/Nt=0.3", catChars); got != "N=1000/Nt=0.3" {
		t.Errorf("a short category changed: %q", got)
	}
}
