#!/usr/bin/env bash
# A private Postfix for mailroom's tests (and for developers): its own config, queue and maildirs under
# DIR, listening on 127.0.0.1 only. Needs root and Debian's postfix package (.ci/run installs it).
#
#   postfix.sh start DIR PORT     smtpd on PORT (PIPELINING, STARTTLS, SIZE 200000, recipient map below)
#                                 and on PORT+1 the same with smtpd_client_message_rate_limit=3 (loopback not exempt)
#   postfix.sh start DIR PORT URL the same, and on PORT+2 smtpd with SASL AUTH by a private Dovecot (Debian's
#                                 dovecot-core): mechanisms OAUTHBEARER and XOAUTH2, each token checked by POSTing
#                                 it to the OAuth 2 introspection endpoint URL (RFC 7662), which must answer
#                                 {"active":true,"username":"<the AUTH user>"} for a good one
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

stop_dovecot() {
  [ -f "$dir/dovecot/run/master.pid" ] && kill "$(cat "$dir/dovecot/run/master.pid")" 2>/dev/null || true
}

if [ "$cmd" = stop ]; then
  [ -f "$etc/main.cf" ] && postfix -c "$etc" stop >/dev/null 2>&1 || true
  stop_dovecot
  exit 0
fi

port=${3:?PORT}
introspection=${4:-}
command -v postfix >/dev/null || { echo "postfix is not installed (apt-get install postfix)" >&2; exit 3; }
if [ -n "$introspection" ] && ! command -v dovecot >/dev/null; then
  echo "dovecot is not installed (apt-get install dovecot-core)" >&2; exit 3
fi
postfix -c "$etc" stop >/dev/null 2>&1 || true
stop_dovecot
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

if [ -n "$introspection" ]; then
  dv=$dir/dovecot
  mkdir -p "$dv"
  cat > "$dv/dovecot.conf" <<CF
base_dir = $dv/run
state_dir = $dv/state
log_path = $dv/dovecot.log
protocols =
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = oauthbearer xoauth2
auth_verbose = yes
default_internal_user = dovecot
default_login_user = dovenull
passdb {
  driver = oauth2
  mechanisms = oauthbearer xoauth2
  args = $dv/oauth2.conf.ext
}
userdb {
  driver = static
  args = uid=dovecot gid=dovecot home=$dv
}
service auth {
  unix_listener $dir/queue/private/auth {
    mode = 0660
    user = postfix
    group = postfix
  }
}
CF
  cat > "$dv/oauth2.conf.ext" <<CF
introspection_mode = post
introspection_url = $introspection
username_attribute = username
active_attribute = active
active_value = true
CF
  postconf -c "$etc" -Me "127.0.0.1:$((port + 2))/inet = 127.0.0.1:$((port + 2)) inet n - n - - smtpd -o smtpd_sasl_auth_enable=yes -o smtpd_sasl_type=dovecot -o smtpd_sasl_path=private/auth -o smtpd_tls_auth_only=yes"
fi

postfix -c "$etc" check
postfix -c "$etc" start
# after Postfix made its queue, where Dovecot's socket goes; the daemon must not keep this script's output open
if [ -n "$introspection" ] && ! dovecot -c "$dir/dovecot/dovecot.conf" </dev/null >"$dir/dovecot/start.log" 2>&1; then
  cat "$dir/dovecot/start.log" >&2; exit 1
fi
last=$port
[ -n "$introspection" ] && last=$((port + 2))
for _ in $(seq 1 100); do
  if (exec 3<>"/dev/tcp/127.0.0.1/$last") 2>/dev/null && { [ -z "$introspection" ] || [ -S "$dir/queue/private/auth" ]; }; then exit 0; fi
  sleep 0.1
done
echo "postfix did not start listening on 127.0.0.1:$port; see $dir/postfix.log" >&2
exit 1
