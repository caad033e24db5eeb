#!/usr/bin/env bash
# A private PostgreSQL cluster for mailroom's tests (and for developers): its own data folder under DIR,
# listening on 127.0.0.1:PORT only, run by a user that is not root (PostgreSQL refuses root: as root the
# cluster belongs to the "postgres" user Debian's package makes). Needs Debian's postgresql package
# (.ci/run installs it).
#
#   postgres.sh start DIR PORT PASSWORD   a cluster whose superuser "mailroom" has PASSWORD (scram-sha-256
#                                         over TCP, so clients must give it), with a database "mailroom"
#   postgres.sh stop DIR
set -euo pipefail

cmd=${1:?usage: postgres.sh start DIR PORT PASSWORD | stop DIR}
dir=$(realpath -m "${2:?DIR}")
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -x "$bin/pg_ctl" ] || { echo "PostgreSQL is not installed (apt-get install postgresql)" >&2; exit 3; }

as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

if [ "$cmd" = stop ]; then
  [ -f "$dir/data/PG_VERSION" ] && as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
  exit 0
fi

port=${3:?PORT}
password=${4:?PASSWORD}
[ -f "$dir/data/PG_VERSION" ] && as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
rm -rf "$dir"
mkdir -p "$dir"
[ "$(id -u)" = 0 ] && chown postgres: "$dir"
printf '%s\n' "$password" > "$dir/pwfile"
[ "$(id -u)" = 0 ] && chown postgres: "$dir/pwfile"
chmod 600 "$dir/pwfile"

as_owner "$bin/initdb" -D "$dir/data" -U mailroom --pwfile="$dir/pwfile" --auth-local=trust --auth-host=scram-sha-256 \
  -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
rm -f "$dir/pwfile"
# fsync stays on: the crash tests kill clients, not the server, but what they prove should hold as configured
as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -t 60 \
  -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c max_connections=200" start >/dev/null \
  || { cat "$dir/postgres.log" >&2; exit 1; }
as_owner "$bin/createdb" -h "$dir" -p "$port" -U mailroom mailroom
