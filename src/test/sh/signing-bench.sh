#!/usr/bin/env bash
# What DKIM signing costs a whole run, the way users run it: target/mailroom run JOB, a new process and a fresh
# H2 file each time, N messages to Postfix's smtp-sink on loopback, unsigned, Ed25519 and RSA-2048 interleaved.
#   src/test/sh/signing-bench.sh [ROWS] [ROUNDS]     (after mvn -B -q package -DskipTests; needs postfix, openssl)
set -euo pipefail
rows=${1:-20000}
rounds=${2:-2}
here=$(cd "$(dirname "$0")/../../.." && pwd)
work=$(mktemp -d)
port=$((20000 + RANDOM % 20000))
trap 'kill "$sink" 2>/dev/null || true; rm -rf "$work"' EXIT
cd "$work"
openssl genpkey -algorithm rsa -pkeyopt rsa_keygen_bits:2048 -out rsa.pem 2>/dev/null
openssl genpkey -algorithm ed25519 -out ed25519.pem
{ echo "email,name"; for i in $(seq 1 "$rows"); do echo "u$i@example.com,User $i"; done; } > r.csv
printf 'From: Team <team@example.com>\nTo: ${name} <${email}>\nSubject: Hello ${name}\n\nHello ${name}, this is a test message.\n' > m.ftl
for k in unsigned rsa ed25519; do
  { echo "name=sign-$k"; echo "recipients=r.csv"; echo "template=m.ftl"; echo "smtp.host=127.0.0.1"; echo "smtp.port=$port"
    echo "smtp.security=none"
    if [ $k != unsigned ]; then echo "dkim.domain=example.com"; echo "dkim.selector=s"; echo "dkim.key.file=$k.pem"; fi; } > $k.job
done
user=$([ "$(id -u)" = 0 ] && echo "-u postfix" || true)
smtp-sink $user 127.0.0.1:$port 1000 & sink=$!
sleep 1
echo "$rows messages, $(nproc) cores, $(java -version 2>&1 | head -1); MAILROOM_JAVA_OPTS=${MAILROOM_JAVA_OPTS:-launcher default}"
for round in $(seq 1 "$rounds"); do
  for k in unsigned rsa ed25519; do
    rm -rf db*
    start=$(date +%s.%N)
    "$here/target/mailroom" run $k.job --db "jdbc:h2:$work/db" > out.txt 2>&1 || { cat out.txt; exit 1; }
    end=$(date +%s.%N)
    echo "round $round $k: $(echo "$end - $start" | bc) s, $(echo "$rows / ($end - $start)" | bc)/s, load $(cut -d' ' -f1 /proc/loadavg)$(grep -o 'note: this JVM.*' out.txt | sed 's/^/; /' | cut -c1-60)"
  done
done
