#!/bin/sh
# check-asm.sh: the assembly of backends/simd is what its sources say.
#   1. The amd64 assembly and stubs are what the avo generator (a module of
#      its own in backends/simd/_asm) writes today, byte for byte.
#   2. The VEX-encoded VPDPBUSD bytes (AVX-VNNI, which the Go assembler
#      only knows in EVEX form) decode to the instructions their comments name.
#   3. Every WORD of the hand-written arm64 assembly decodes to the mnemonic
#      in its comment.
# Checks 2 and 3 need GNU objdump (binutils, binutils-aarch64-linux-gnu);
# a missing tool or an unreachable module proxy skips that check, loudly.
set -eu
cd "$(dirname "$0")/.."
pkg=backends/simd
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0

# 1. Regenerate into the package (the generated header records the command
# line, so the paths must be the committed ones), compare, restore.
cp "$pkg/simd_amd64.s" "$pkg/stub_amd64.go" "$tmp/"
if (cd "$pkg/_asm" && go mod download) >/dev/null 2>&1; then
	if go generate "./$pkg" >"$tmp/gen.log" 2>&1; then
		for f in simd_amd64.s stub_amd64.go; do
			if ! cmp -s "$tmp/$f" "$pkg/$f"; then
				echo "check-asm: $pkg/$f is not what the generator writes (run: go generate ./$pkg):"
				diff -u "$tmp/$f" "$pkg/$f" | head -40
				fail=1
			fi
		done
	else
		cat "$tmp/gen.log"
		echo "check-asm: the generator failed"
		fail=1
	fi
	cp "$tmp/simd_amd64.s" "$tmp/stub_amd64.go" "$pkg/"
	[ $fail -eq 0 ] && echo "check-asm: generated amd64 assembly is up to date"
else
	echo "check-asm: SKIP regeneration (cannot download the generator's modules: avo v0.6.0)"
fi

# 2. VEX VPDPBUSD bytes: comment "VPDPBUSD Ys8, Yu8, Yacc" (Go operand
# order) must match objdump's "vpdpbusd %ymm<s8>,%ymm<u8>,%ymm<acc>".
if command -v objdump >/dev/null; then
	GOARCH=amd64 go test -c -o "$tmp/simd.test" "./$pkg"
	grep -o 'VPDPBUSD Y[0-9]*, Y[0-9]*, Y[0-9]*' "$pkg/simd_amd64.s" |
		sed 's/VPDPBUSD //; s/Y/ymm/g; s/ //g' | sort -u >"$tmp/want"
	go tool nm "$tmp/simd.test" | awk '/ T .*(w8Tile[0-9]|dotPeak)VNNI256\.abi0$/ {print $1}' | while read -r a; do
		objdump -d --start-address=0x$a --stop-address=$(printf '0x%x' $((0x$a + 0x400))) "$tmp/simd.test"
	done | awk '/\{vex\} vpdpbusd/ {print $NF}' | sed 's/%//g' | sort -u >"$tmp/got"
	if [ -s "$tmp/want" ] && cmp -s "$tmp/want" "$tmp/got"; then
		echo "check-asm: $(wc -l <"$tmp/want") VEX VPDPBUSD encodings decode as commented"
	else
		echo "check-asm: VEX VPDPBUSD bytes do not decode as their comments say:"
		diff "$tmp/want" "$tmp/got" || true
		fail=1
	fi
else
	echo "check-asm: SKIP VEX byte check (no objdump: apt-get install binutils)"
fi

# 3. arm64 WORDs: assemble each word as a literal (.inst), disassemble,
# compare with its comment.
if command -v aarch64-linux-gnu-objdump >/dev/null && command -v aarch64-linux-gnu-as >/dev/null; then
	grep -ho 'WORD \$0x[0-9a-f]*; // .*' "$pkg"/*_arm64.s >"$tmp/words" || true
	sed 's/WORD \$\(0x[0-9a-f]*\);.*/.inst \1/' "$tmp/words" >"$tmp/words.s"
	aarch64-linux-gnu-as "$tmp/words.s" -o "$tmp/words.o"
	aarch64-linux-gnu-objdump -d "$tmp/words.o" |
		awk -F'\t' '/^ *[0-9a-f]+:/ {print $3 " " $4}' | sed 's/[[:space:]]*$//; s/  */ /g; s/, */,/g' >"$tmp/got"
	sed 's/.*; \/\/ //; s/[[:space:]]*$//; s/  */ /g; s/, */,/g' "$tmp/words" >"$tmp/want"
	if cmp -s "$tmp/want" "$tmp/got"; then
		echo "check-asm: $(wc -l <"$tmp/want") arm64 WORDs decode as commented"
	else
		echo "check-asm: arm64 WORDs that do not decode as commented (comment | objdump):"
		paste -d'|' "$tmp/want" "$tmp/got" | awk -F'|' '$1 != $2' | head -20
		fail=1
	fi
else
	echo "check-asm: SKIP arm64 WORD check (apt-get install binutils-aarch64-linux-gnu)"
fi
exit $fail
