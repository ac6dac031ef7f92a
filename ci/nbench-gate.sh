#!/usr/bin/env bash
# nbench-gate.sh: the nbench regression gate for any CI system.
#
#   ci/nbench-gate.sh [nbench flags...]      (default: the gate shape set, --backend=all)
#
# Two ways to gate, chosen by NBENCH_MODE (default: ab in a pull request or
# when NBENCH_AGAINST is set, else gate):
#
#   ab        `nbench ci --against=REV`: interleaved A/B rounds of REV (default:
#             the merge base with the pull request's target branch) and the
#             working tree, both built here. No stored baseline is needed, and
#             both sides share this runner, its neighbours and its drift.
#   gate      `nbench ci`: rounds against this machine kind's stored baseline
#             (baselines/<machine-id>/gate.txt). When there is none yet, one is
#             recorded into $NBENCH_OUT/baselines/<machine-id>/ instead, and the
#             job says which files to commit (exit 0, or 1 with
#             NBENCH_REQUIRE_BASELINE=1).
#   baseline  always record a baseline (to refresh one).
#
# Everything is kept in $NBENCH_OUT: gate.md (the markdown report, also
# appended to $GITHUB_STEP_SUMMARY when set) and gate.log (progress, with how
# long the gate took and how many rounds each side got).
#
# Environment:
#   NBENCH                   nbench command (default: go build ./cmd/nbench)
#   NBENCH_OUT               artifact folder (default: nbench-out)
#   NBENCH_BASELINES         baselines root (default: baselines)
#   NBENCH_MODE              ab, gate or baseline (see above)
#   NBENCH_AGAINST           the revision ab compares with
#   NBENCH_REQUIRE_BASELINE  1: a missing baseline fails the job
#
# Exit status: 0 pass, 1 regression or correctness failure, 2 usage error.
set -uo pipefail

out=${NBENCH_OUT:-nbench-out}
baselines=${NBENCH_BASELINES:-baselines}
against=${NBENCH_AGAINST:-}
if [ -z "$against" ] && [ -n "${GITHUB_BASE_REF:-}" ]; then
	git fetch --quiet origin "$GITHUB_BASE_REF" 2>/dev/null
	against=$(git merge-base "origin/$GITHUB_BASE_REF" HEAD 2>/dev/null)
fi
mode=${NBENCH_MODE:-}
if [ -z "$mode" ]; then
	mode=gate
	if [ -n "$against" ]; then
		mode=ab
	fi
fi
mkdir -p "$out"

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

# report RC: the markdown report to the summary page, or a pointer to the log.
report() {
	if [ -f "$out/gate.md" ]; then
		summary <"$out/gate.md"
	else
		printf '### nbench gate: error (exit %s)\n\nSee gate.log.\n' "$1" | summary
	fi
}

case $mode in
ab)
	if [ -z "$against" ]; then
		echo "nbench-gate.sh: NBENCH_MODE=ab needs NBENCH_AGAINST (or a pull request's GITHUB_BASE_REF)" >&2
		exit 2
	fi
	"$nbench" ci --against="$against" --no-progress --report="$out/gate.md" "$@" 2>&1 | tee "$out/gate.log"
	rc=${PIPESTATUS[0]}
	report "$rc"
	exit "$rc"
	;;
gate | baseline) ;;
*)
	echo "nbench-gate.sh: NBENCH_MODE=$mode: want ab, gate or baseline" >&2
	exit 2
	;;
esac

# The stored baseline this selection compares with.
sel=
for a in "$@"; do
	case $a in --quick | --quick=true) sel=--quick ;; esac
done
baseline=$("$nbench" baseline path --dir="$baselines" $sel)
have=$?

if [ "$mode" = baseline ] || [ $have -ne 0 ]; then
	"$nbench" baseline save --dir="$out/baselines" --no-progress "$@" 2>&1 | tee "$out/baseline.log"
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

"$nbench" ci --baseline="$baselines" --no-progress --report="$out/gate.md" "$@" 2>&1 | tee "$out/gate.log"
rc=${PIPESTATUS[0]}
report "$rc"
exit "$rc"
