#!/usr/bin/env bash
# nbench-gate.sh: the nbench regression gate for any CI system.
#
#   ci/nbench-gate.sh [nbench run flags...]      (default flags: --quick)
#
# Runs `nbench ci` (run + compare with this machine's baseline + gate) and
# keeps everything in $NBENCH_OUT: results.txt (Go benchmark format, for
# `nbench compare` or benchstat), gate.md (markdown report), gate.log.
# The markdown report is appended to $GITHUB_STEP_SUMMARY when that is set.
#
# When this machine kind has no baseline yet, it records one instead, into
# $NBENCH_OUT/baselines/<machine-id>/ (with noise floors), and says which
# files to commit; it exits 0 then, or 1 with NBENCH_REQUIRE_BASELINE=1.
# NBENCH_MODE=baseline always records (use it to refresh a baseline).
#
# Environment:
#   NBENCH                   nbench command (default: go build ./cmd/nbench)
#   NBENCH_OUT               artifact folder (default: nbench-out)
#   NBENCH_BASELINES         baselines root (default: baselines)
#   NBENCH_MODE              gate (default) or baseline
#   NBENCH_REQUIRE_BASELINE  1: a missing baseline fails the job
#
# Exit status: 0 pass, 1 regression or correctness failure, 2 usage error.
set -uo pipefail

out=${NBENCH_OUT:-nbench-out}
baselines=${NBENCH_BASELINES:-baselines}
mode=${NBENCH_MODE:-gate}
mkdir -p "$out"
if [ $# -eq 0 ]; then
	set -- --quick
fi

nbench=${NBENCH:-}
if [ -z "$nbench" ]; then
	go build -o "$out/nbench" ./cmd/nbench || exit 2
	nbench=$out/nbench
fi

summary() { # append stdin to the CI summary page, when there is one
	if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
		cat >>"$GITHUB_STEP_SUMMARY"
	else
		cat >/dev/null
	fi
}

# The baseline this selection compares with: quick or full.
quick=
for a in "$@"; do
	case $a in --quick | --quick=true) quick=--quick ;; esac
done
baseline=$("$nbench" baseline path --dir="$baselines" $quick)
have=$?

if [ "$mode" = baseline ] || [ $have -ne 0 ]; then
	"$nbench" baseline save --calibrate=5 --dir="$out/baselines" --no-progress "$@" 2>&1 | tee "$out/baseline.log"
	rc=${PIPESTATUS[0]}
	id=$(basename "$(dirname "$baseline")")
	{
		echo "### nbench baseline for \`$id\`"
		echo
		if [ "$mode" != baseline ]; then
			echo "No baseline \`$baseline\` for this machine kind, so nothing was gated."
		fi
		if [ $rc -eq 0 ]; then
			echo "Recorded one in the artifacts: commit \`$out/baselines/$id/\` as \`$baselines/$id/\`."
		else
			echo "Recording a baseline failed (exit $rc); see baseline.log."
		fi
	} | tee "$out/gate.md" | summary
	if [ $rc -ne 0 ]; then
		exit "$rc"
	fi
	if [ "$mode" != baseline ] && [ "${NBENCH_REQUIRE_BASELINE:-0}" = 1 ]; then
		exit 1
	fi
	exit 0
fi

"$nbench" ci --baseline="$baselines" --no-progress -o "$out/results.txt" --report="$out/gate.md" "$@" 2>&1 | tee "$out/gate.log"
rc=${PIPESTATUS[0]}
if [ -f "$out/gate.md" ]; then
	summary <"$out/gate.md"
else
	printf '### nbench gate: error (exit %s)\n\nSee gate.log.\n' "$rc" | summary
fi
exit "$rc"
