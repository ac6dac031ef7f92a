//go:build purego || !(amd64 || arm64)

package simd

var levelList = []*level{{name: Generic, ok: true, f: vecGeneric}}

// levels lists every level of this build: without assembly, generic only.
func levels() []*level { return levelList }
