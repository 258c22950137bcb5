#!/usr/bin/env bash
# What the test suite needs besides node_modules, installed or started when
# missing (run by `npm test` before vitest, and by .ci/run):
#   - Redis answering at $REDIS_URL (default redis://127.0.0.1:6379): started
#     with redis-server, installed with apt-get when absent;
#   - Chromium at /usr/bin/chromium for the dashboard's browser tests;
#   - a CJK font (fonts-noto-cjk) so Chinese pages render in screenshots.
# apt-get runs as root, or through `sudo -n` when that needs no password;
# otherwise the script prints the command to run. It never fails the test run
# itself: a test whose dependency is still missing says so.
# MUSTER_TEST_DEPS=skip turns it off (e.g. on a machine without apt-get).
set -uo pipefail

[ "${MUSTER_TEST_DEPS:-}" = "skip" ] && { echo "test-deps: skipped (MUSTER_TEST_DEPS=skip)"; exit 0; }

REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379}"
APT_UPDATED=0

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo -n "$@"
  else return 126
  fi
}

apt_install() {
  # apt_install WHAT PACKAGE...: installs the Debian packages, or says how to.
  local what="$1"; shift
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "$what: missing and there is no apt-get here; install $* yourself"; return 1
  fi
  if [ "$APT_UPDATED" -eq 0 ]; then
    as_root apt-get update -qq >/dev/null 2>&1; local status=$?
    if [ "$status" -eq 126 ]; then echo "$what: missing; run: sudo apt-get install -y $*"; return 1; fi
    APT_UPDATED=1
  fi
  echo "$what: installing $* with apt-get"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null 2>&1 \
    || { echo "$what: apt-get install $* failed"; return 1; }
}

redis_host_port() {
  local rest="${REDIS_URL#*://}"
  rest="${rest##*@}"
  rest="${rest%%/*}"
  REDIS_HOST="${rest%%:*}"
  REDIS_PORT="${rest##*:}"
  [ "$REDIS_PORT" = "$rest" ] && REDIS_PORT=6379
  return 0
}

redis_answers() {
  # A raw RESP PING over bash's /dev/tcp: needs no client installed.
  local reply
  { exec 3<>"/dev/tcp/$REDIS_HOST/$REDIS_PORT"; } 2>/dev/null || return 1
  printf 'PING\r\n' >&3
  read -r -t 3 reply <&3 || reply=""
  exec 3>&- 3<&-
  [[ "$reply" == +PONG* || "$reply" == -NOAUTH* ]]
}

ensure_redis() {
  redis_host_port
  redis_answers && { echo "redis: answering at $REDIS_HOST:$REDIS_PORT"; return 0; }
  command -v redis-server >/dev/null 2>&1 || apt_install redis redis-server
  if command -v redis-server >/dev/null 2>&1; then
    echo "redis: starting redis-server on $REDIS_HOST:$REDIS_PORT"
    mkdir -p /tmp/muster-test-redis
    redis-server --daemonize yes --bind "$REDIS_HOST" --port "$REDIS_PORT" --save "" --appendonly no \
      --dir /tmp/muster-test-redis --logfile /tmp/muster-test-redis/redis.log >/dev/null 2>&1 || true
  fi
  # redis-server --daemonize returns before the port is bound: wait for its PONG (bounded).
  for _ in $(seq 1 100); do redis_answers && { echo "redis: answering"; return 0; }; sleep 0.1; done
  echo "redis: NOT answering at $REDIS_HOST:$REDIS_PORT; the integration tests will fail"
  return 1
}

ensure_chromium() {
  # The dashboard's browser tests drive Debian's chromium (playwright-core, no bundled browser).
  [ -x /usr/bin/chromium ] && { echo "chromium: present"; return 0; }
  apt_install chromium chromium
}

ensure_cjk_font() {
  dpkg -s fonts-noto-cjk >/dev/null 2>&1 && { echo "cjk font: fonts-noto-cjk present"; return 0; }
  if command -v fc-list >/dev/null 2>&1 && fc-list :lang=zh family 2>/dev/null | grep -q .; then echo "cjk font: present"; return 0; fi
  [ -d /usr/share/fonts/opentype/noto ] && ls /usr/share/fonts/opentype/noto/NotoSansCJK* >/dev/null 2>&1 && { echo "cjk font: present"; return 0; }
  apt_install "cjk font" fonts-noto-cjk
}

ensure_redis
ensure_chromium
ensure_cjk_font
exit 0
