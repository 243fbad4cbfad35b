#!/bin/sh
# A fake container builder (docker, podman or buildah, by the name it is called as): it records
# each invocation's argv (one JSON-ish line: name and arguments, tab-separated) and its stdin in
# $FAKE_BUILDER_LOG, writes the digest $FAKE_BUILDER_DIGEST where the real one would (docker:
# --metadata-file JSON, podman/buildah: --digestfile), prints a few log lines, and fails the
# step named in $FAKE_BUILDER_FAIL (login, build or push) with exit 7.
name=$(basename "$0")
log=${FAKE_BUILDER_LOG:?FAKE_BUILDER_LOG is not set}
stdin=$(cat)
{
  printf 'ARGV %s' "$name"
  for a in "$@"; do printf '\t%s' "$a"; done
  printf '\n'
  printf 'STDIN %s\n' "$stdin"
} >>"$log"
step=$1
[ "$name" = docker ] && [ "$1" = buildx ] && step=$2
[ "$name" = docker ] && [ "$1" = buildx ] && [ "$2" = version ] && { echo "github.com/docker/buildx v0.12.1"; exit 0; }
[ "$step" = build ] && [ "$name" = docker ] && step=build
echo "STEP 1/2 : fake $name $step"
echo "some progress on stderr" >&2
if [ "${FAKE_BUILDER_FAIL:-}" = "$step" ]; then echo "error: fake $step failed" >&2; exit 7; fi
if [ -n "${FAKE_BUILDER_SLEEP:-}" ] && [ "$step" = build ]; then sleep "$FAKE_BUILDER_SLEEP"; fi
prev=
for a in "$@"; do
  case "$prev" in
    --metadata-file) printf '{"containerimage.digest":"%s"}' "$FAKE_BUILDER_DIGEST" >"$a" ;;
    --digestfile) printf '%s' "$FAKE_BUILDER_DIGEST" >"$a" ;;
  esac
  prev=$a
done
exit 0
