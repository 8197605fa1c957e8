#!/usr/bin/env bash
# Starts Hawtio, the web console for JMX and Camel, for a bus's Jolokia, and prints what to open.
#
#   ops/hawtio.sh [JOLOKIA_URL]        default: http://127.0.0.1:7878/observe/jolokia
#
# Hawtio (the hawtio-default war, hawtio.version in pom.xml) runs in a Jetty distribution
# (jetty-home.version); Maven fetches both from Maven Central into target/hawtio. Hawtio's login
# is off and it listens on 127.0.0.1 only: it is a console for the operator on this machine. Its
# proxy reaches the bus's host and no other (besides this machine). What Hawtio may do on the bus is
# what the bus's Jolokia access policy allows (src/main/resources/jolokia-access.xml).
#
# Environment:
#   HAWTIO_PORT        Hawtio's port (default 8090)
#   HAWTIO_HOST        address Hawtio listens on (default 127.0.0.1)
#   HAWTIO_SKIP_FETCH  true: target/hawtio is already laid out (as after mvn verify); no Maven run
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

JOLOKIA_URL=${1:-http://127.0.0.1:7878/observe/jolokia}
HAWTIO_PORT=${HAWTIO_PORT:-8090}
HAWTIO_HOST=${HAWTIO_HOST:-127.0.0.1}
HAWTIO_DIR=target/hawtio

if [[ ! $JOLOKIA_URL =~ ^(https?)://([^/:]+)(:([0-9]+))?(/.*)$ ]]; then
  echo "hawtio: not a Jolokia URL: $JOLOKIA_URL (e.g. http://bus-host:7878/observe/jolokia)" >&2
  exit 2
fi
scheme=${BASH_REMATCH[1]}
bus_host=${BASH_REMATCH[2]}
bus_path=${BASH_REMATCH[5]}
if [[ -n ${BASH_REMATCH[4]} ]]; then
  bus_port=${BASH_REMATCH[4]}
elif [[ $scheme == https ]]; then
  bus_port=443
else
  bus_port=80
fi

if [[ ${HAWTIO_SKIP_FETCH:-false} != true ]]; then
  echo "hawtio: fetching Hawtio and Jetty with Maven into $HAWTIO_DIR"
  mvn -B -q dependency:copy@hawtio-war dependency:unpack@hawtio-jetty
fi
if [[ ! -f $HAWTIO_DIR/jetty-home/start.jar || ! -f $HAWTIO_DIR/base/webapps/hawtio.war ]]; then
  echo "hawtio: $HAWTIO_DIR has no Jetty or no Hawtio war; run without HAWTIO_SKIP_FETCH" >&2
  exit 1
fi
# Jetty unpacks the war here (kept between runs) instead of under /tmp
mkdir -p "$HAWTIO_DIR/base/work"

https=off
[[ $scheme == https ]] && https=on
cat <<TEXT
hawtio: starting on http://$HAWTIO_HOST:$HAWTIO_PORT/hawtio/ (Ctrl-C stops it). To reach the bus:
  1. open http://$HAWTIO_HOST:$HAWTIO_PORT/hawtio/connect
  2. Add connection: Name event-bus, HTTPS $https, Host $bus_host, Port $bus_port, Path $bus_path; Add
  3. Connect (the bus opens in a new tab), then Camel: the routes by id, with start, stop,
     suspend and resume
TEXT

# Jetty's properties go before --module: after it they would belong to the ee10 environment
exec java \
  -Dhawtio.authenticationEnabled=false \
  -Dhawtio.proxyAllowlist="localhost,127.0.0.1,$bus_host" \
  -jar "$HAWTIO_DIR/jetty-home/start.jar" \
  jetty.home="$HAWTIO_DIR/jetty-home" \
  jetty.base="$HAWTIO_DIR/base" \
  jetty.http.host="$HAWTIO_HOST" \
  jetty.http.port="$HAWTIO_PORT" \
  --module=http,ee10-deploy
