#!/usr/bin/env bash
# Writes the broker's configuration from the environment, formats the log directory on the
# first start (a random cluster id, kept in the volume), then becomes the broker (exec: the
# JVM is PID 1 and receives SIGTERM for a controlled shutdown).
set -euo pipefail
data=/var/lib/kafka
cat >/tmp/server.properties <<CONF
process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers=127.0.0.1:9093
listeners=PLAINTEXT://0.0.0.0:9092,CONTROLLER://127.0.0.1:9093
advertised.listeners=PLAINTEXT://${KAFKA_ADVERTISED_HOST}:9092
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$data/log
num.partitions=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=true
CONF
cat >/tmp/log4j2.properties <<'CONF'
status = warn
appender.console.type = Console
appender.console.name = console
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = WARN
rootLogger.appenderRef.console.ref = console
CONF
jvm=(java "-Xmx$KAFKA_HEAP" -XX:+UseSerialGC -Dlog4j2.configurationFile=/tmp/log4j2.properties -cp '/opt/kafka/libs/*')
if [[ ! -f "$data/log/meta.properties" ]]; then
  "${jvm[@]}" kafka.tools.StorageTool format -t "$("${jvm[@]}" kafka.tools.StorageTool random-uuid | tail -1)" \
    -c /tmp/server.properties --standalone
fi
exec "${jvm[@]}" kafka.Kafka /tmp/server.properties
