#!/usr/bin/env bash
# Simulate the pull-request run of .github/workflows/ci.yml on this machine.
#
# Runs the "check" job's steps in the same order, with the same commands, and
# like the workflow keeps going after a failed step so one run shows every
# problem.  Validation runs with GITHUB_ACTIONS=true, so it also prints the
# ::error annotations GitHub shows on the offending lines.
#
#   scripts/ci_local.sh              # every step
#   scripts/ci_local.sh validate lint  # only some: install validate lint test site linkcheck
#                                      #   pages-artifact pages-check preview changed summary
#
# The last two steps of main's run need GitHub (uploading the artifact, deploy-pages); the
# artifact they would deploy is made and checked here by the same commands (pages-*).
# (nektos/act would run the workflow itself, but it needs a Docker daemon and its npm wrapper
# @kie/act-js downloads the binary from GitHub at install; this script needs neither.)
#
# tests/test_workflows.py checks that the commands below match the workflow's.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1

export PIP_DISABLE_PIP_VERSION_CHECK=1 PYTHONUNBUFFERED=1
# What the runner provides: a temporary folder (the Pages artifact goes there) and the step's env.
RUNNER_TEMP="$(mktemp -d)"
INPUT_PATH=site
export RUNNER_TEMP INPUT_PATH
trap 'rm -rf "$RUNNER_TEMP"' EXIT

wanted=("$@")
failed=()
skipped=()

want() {
  [ ${#wanted[@]} -eq 0 ] && return 0
  local w
  for w in "${wanted[@]}"; do [ "$w" = "$1" ] && return 0; done
  return 1
}

# step NAME NEEDS COMMAND...: run COMMAND unless NAME was not asked for or a step it needs failed.
step() {
  local name=$1 needs=$2
  shift 2
  want "$name" || return 0
  local f
  for f in "${failed[@]}" "${skipped[@]}"; do
    if [ -n "$needs" ] && [ "$f" = "$needs" ]; then
      echo "== $name：跳过（$needs 未通过）"
      skipped+=("$name")
      return 0
    fi
  done
  echo "== $name: $*"
  if "$@"; then
    echo "== $name：通过"
  else
    echo "== $name：失败"
    failed+=("$name")
  fi
}

step install "" make install
step validate install env GITHUB_ACTIONS=true make validate
step lint install make lint
step test install make test
step site install make site
step linkcheck site .venv/bin/python -m site_builder.checks.linkcheck site
step pages-artifact site tar --dereference --hard-dereference --directory "$INPUT_PATH" -cvf "$RUNNER_TEMP/artifact.tar" --exclude=.git --exclude=.github .
step pages-check pages-artifact .venv/bin/python scripts/pages_artifact.py "$RUNNER_TEMP/artifact.tar"
step preview site .venv/bin/site-builder build --offline --site-dir site-preview
step changed preview .venv/bin/site-builder summary --preview-dir site-preview
step summary install .venv/bin/site-builder summary

if [ ${#failed[@]} -gt 0 ]; then
  echo "未通过的步骤：${failed[*]}${skipped:+（跳过：${skipped[*]}）}"
  exit 1
fi
echo "全部检查通过。"
