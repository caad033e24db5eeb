#!/usr/bin/env bash
# A private Postfix for mailroom's tests (and for developers): its own config, queue and maildirs under
# DIR, listening on 127.0.0.1 only. Needs root and Debian's postfix package (.ci/run installs it).
#
#   postfix.sh start DIR PORT     smtpd on PORT (PIPELINING, STARTTLS, SIZE 200000, recipient map below)
#                                 and on PORT+1 the same with smtpd_client_message_rate_limit=3 (loopback not exempt)
#   postfix.sh stop DIR
#
# Recipients (any domain in virtual_mailbox_domains):
#   reject-*@  → 550 5.1.1   busy-*@ → 450 4.2.0   later-*@ → 451 4.3.0
#   dsn-*@     → accepted, then bounced by Postfix itself (a pipe that exits EX_NOUSER: 5.1.1): its delivery
#                status notification goes to the envelope sender, delivered like any other mail
#   anything else → delivered to
#   the maildir DIR/mail/all/new, one file per recipient with a Delivered-To: header (virtual(8) refuses
#   regexp substitution, so there is one mailbox for all)
set -euo pipefail

cmd=${1:?usage: postfix.sh start DIR PORT | stop DIR}
dir=$(realpath -m "${2:?DIR}")
etc=$dir/etc

if [ "$cmd" = stop ]; then
  [ -f "$etc/main.cf" ] && postfix -c "$etc" stop >/dev/null 2>&1 || true
  exit 0
fi

port=${3:?PORT}
command -v postfix >/dev/null || { echo "postfix is not installed (apt-get install postfix)" >&2; exit 3; }
postfix -c "$etc" stop >/dev/null 2>&1 || true
rm -rf "$dir"
mkdir -p "$etc" "$dir/queue" "$dir/data" "$dir/mail"
chown postfix:postfix "$dir/data" "$dir/mail"

openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=localhost" \
  -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
  -keyout "$etc/key.pem" -out "$etc/cert.pem" >/dev/null 2>&1

cat > "$etc/recipient_access" <<'MAP'
/^reject-.*@/  550 5.1.1 User unknown
/^busy-.*@/    450 4.2.0 Mailbox busy
/^later-.*@/   451 4.3.0 Try again later
MAP

cat > "$etc/transport" <<'MAP'
/^dsn-.*@/     nouser:
MAP

uid=$(id -u postfix)
gid=$(id -g postfix)
cat > "$etc/main.cf" <<CF
compatibility_level = 3.6
queue_directory = $dir/queue
data_directory = $dir/data
meta_directory = $etc
command_directory = /usr/sbin
daemon_directory = /usr/lib/postfix/sbin
shlib_directory = /usr/lib/postfix
mail_owner = postfix
setgid_group = postdrop
maillog_file = $dir/postfix.log
maillog_file_prefixes = $dir
myhostname = postfix.mailroom.test
mydomain = mailroom.test
myorigin = \$myhostname
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
mydestination =
local_recipient_maps =
relay_domains =
relayhost =
alias_maps =
alias_database =
virtual_mailbox_domains = example.com example.org example.net
virtual_mailbox_base = $dir/mail
virtual_mailbox_maps = static:all/
virtual_uid_maps = static:$uid
virtual_gid_maps = static:$gid
smtpd_recipient_restrictions = check_recipient_access regexp:$etc/recipient_access, permit_mynetworks, reject_unauth_destination
transport_maps = regexp:$etc/transport
smtpd_tls_cert_file = $etc/cert.pem
smtpd_tls_key_file = $etc/key.pem
smtpd_tls_security_level = may
message_size_limit = 200000
smtpd_error_sleep_time = 0
smtpd_soft_error_limit = 1000
smtpd_hard_error_limit = 1000
smtpd_junk_command_limit = 100000
in_flow_delay = 0
anvil_rate_time_unit = 300s
smtputf8_enable = yes
CF

cp /etc/postfix/master.cf "$etc/master.cf"
cp /etc/postfix/postfix-files "$etc/" 2>/dev/null || true
cp -r /etc/postfix/postfix-files.d "$etc/" 2>/dev/null || true
postconf -c "$etc" -M# smtp/inet submission/inet smtps/inet
postconf -c "$etc" -Me "127.0.0.1:$port/inet = 127.0.0.1:$port inet n - n - - smtpd"
postconf -c "$etc" -Me "127.0.0.1:$((port + 1))/inet = 127.0.0.1:$((port + 1)) inet n - n - - smtpd -o smtpd_client_message_rate_limit=3 -o smtpd_client_event_limit_exceptions="
printf '#!/bin/sh\nexit 67\n' > "$etc/nouser.sh" && chmod 755 "$etc/nouser.sh"
postconf -c "$etc" -Me "nouser/unix = nouser unix - n n - - pipe flags= user=nobody argv=$etc/nouser.sh"
postconf -c "$etc" -F '*/*/chroot = n'

postfix -c "$etc" check
postfix -c "$etc" start
for _ in $(seq 1 100); do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then exit 0; fi
  sleep 0.1
done
echo "postfix did not start listening on 127.0.0.1:$port; see $dir/postfix.log" >&2
exit 1
