#!/usr/bin/env bash
# Makes sure PostgreSQL and RabbitMQ answer on 127.0.0.1:5432 and :5672: starts the
# installed servers when nothing answers, installs them from the OS packages when they are
# missing, and says what it did. Idempotent: does nothing when both already answer.
set -euo pipefail

say() { echo "deps: $*"; }
answers() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
apt_updated=
apt_install() {
  if ! command -v apt-get >/dev/null; then
    say "cannot install $* here: no apt-get; install it yourself"; exit 1
  fi
  [ -n "$apt_updated" ] || { as_root apt-get update -qq; apt_updated=1; }
  say "installing $* from the OS packages"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}
wait_for() { # port name
  for _ in $(seq 1 60); do answers "$1" && return 0; sleep 1; done
  say "$2 still does not answer on port $1"; exit 1
}

# PostgreSQL
if answers 5432; then
  say "PostgreSQL answers on 5432"
else
  if ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
    apt_install postgresql postgresql-client
  fi
  version=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n1)
  if [ -z "$version" ]; then
    version=$(ls /usr/lib/postgresql | sort -V | tail -n1)
    as_root pg_createcluster "$version" main >/dev/null
  fi
  say "starting PostgreSQL $version"
  as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  wait_for 5432 PostgreSQL
fi
command -v pg_dump >/dev/null || apt_install postgresql-client
# Local development trusts loopback connections for user postgres, as CI does.
if ! psql -h 127.0.0.1 -U postgres -d postgres -Atc 'select 1' >/dev/null 2>&1; then
  say "user postgres cannot connect over loopback without a password; allowing trust auth for 127.0.0.1"
  hba=$(as_root su postgres -c "psql -Atc 'show hba_file'")
  as_root sed -i '1i host all postgres 127.0.0.1/32 trust' "$hba"
  as_root su postgres -c "psql -Atc 'select pg_reload_conf()'" >/dev/null
fi

# RabbitMQ
if answers 5672; then
  say "RabbitMQ answers on 5672"
else
  command -v rabbitmq-server >/dev/null || apt_install rabbitmq-server
  say "starting RabbitMQ"
  as_root rabbitmq-server -detached || true
  wait_for 5672 RabbitMQ
fi
