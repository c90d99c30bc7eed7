#!/usr/bin/env bash
# supervise.sh NAME COMMAND...: run COMMAND; whenever it exits on its own, log it and start it
# again after a backoff (1 s, doubling to 30 s; back to 1 s once a run lasted 60 s). Each
# Procfile line runs under it, so one crashed process is restarted instead of honcho stopping
# the whole `make run` (decision 0049).
#
# Stopping: SIGTERM/SIGINT stop the supervisor for good. honcho signals the whole process group,
# so the command gets the same signal and stops gracefully; if only the supervisor was signalled,
# the command still runs after a 2 s grace and is sent SIGTERM then.
set -u
name=$1
shift
child=0
stopping=0
delay=1

stop() {
  stopping=1
  [ "$child" -ne 0 ] || exit 0
  for _ in $(seq 20); do
    kill -0 "$child" 2>/dev/null || return
    sleep 0.1
  done
  kill -TERM "$child" 2>/dev/null
}
trap stop TERM INT

while :; do
  started=$SECONDS
  "$@" &
  child=$!
  # `wait` returns early when a trapped signal arrives: wait until the command is really gone
  while :; do
    wait "$child"
    rc=$?
    kill -0 "$child" 2>/dev/null || break
  done
  [ "$stopping" -eq 1 ] && exit "$rc"
  [ $((SECONDS - started)) -ge 60 ] && delay=1
  echo "supervise: $name exited with status $rc; restarting in ${delay} s" >&2
  sleep "$delay" &
  wait $!
  [ "$stopping" -eq 1 ] && exit "$rc"
  delay=$((delay * 2 > 30 ? 30 : delay * 2))
done
