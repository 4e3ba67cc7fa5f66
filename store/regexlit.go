package store

import (
	"regexp/syntax"
	"unicode"
)

// requiredLiteral returns lowercase text that the body text must contain
// for the case-insensitive regex src to match, or "" when no such text is
// evident. A body filter checks it with bytes.Contains before running the
// regex: Go's regexp takes microseconds per body, a substring search a
// fraction of that, and most bodies fail the substring.
func requiredLiteral(src string) string {
	re, err := syntax.Parse(src, syntax.Perl|syntax.FoldCase)
	if err != nil {
		return ""
	}
	return longestLiteral(re.Simplify())
}

// longestLiteral walks the parts of re that every match must go through.
func longestLiteral(re *syntax.Regexp) string {
	switch re.Op {
	case syntax.OpLiteral:
		return foldSafeRun(re.Rune)
	case syntax.OpCapture, syntax.OpPlus:
		return longestLiteral(re.Sub[0])
	case syntax.OpRepeat:
		if re.Min >= 1 {
			return longestLiteral(re.Sub[0])
		}
	case syntax.OpConcat:
		best := ""
		for _, sub := range re.Sub {
			if l := longestLiteral(sub); len(l) > len(best) {
				best = l
			}
		}
		return best
	}
	return ""
}

// foldSafeRun returns the longest run of runes in lit whose lowercase
// form is all a lowercased text can hold for them. That excludes non-ASCII
// and 's', which (?i) also matches as 'ſ' (U+017F), a rune lowercasing
// leaves alone.
func foldSafeRun(lit []rune) string {
	best, run := "", []byte(nil)
	for i := 0; i <= len(lit); i++ {
		if i < len(lit) && lit[i] < 0x80 && lit[i] != 's' && lit[i] != 'S' {
			run = append(run, byte(unicode.ToLower(lit[i])))
			continue
		}
		if len(run) > len(best) {
			best = string(run)
		}
		run = run[:0]
	}
	return best
}
