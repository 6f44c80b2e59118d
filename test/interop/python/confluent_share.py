"""librdkafka's share consumer (KIP-932, confluent_kafka.ShareConsumer, confluent-kafka 2.16+ from
PyPI) driven line by line, for test/interop/python-share-groups.test.ts.

    <PyPI python> confluent_share.py BOOTSTRAP [CLIENT_ID]

The same protocol as confluent_interactive.py: each line on stdin is one command, answered by
exactly one JSON line on stdout; the first line says {"ready": true, "version": ...}.

    create-topic TOPIC PARTITIONS             -> {"created": TOPIC}
    produce TOPIC COUNT KEYS PREFIX [START]   -> {"acks": [[partition, offset], ...]} (acks=all, idempotent)
    alter-group-config GROUP NAME VALUE       -> {"altered": GROUP} (IncrementalAlterConfigs SET on ConfigResource GROUP)
    describe-group-configs GROUP              -> {"configs": {name: value}, "sources": {name: ConfigSource name}}
    share-subscribe TOPIC GROUP implicit|explicit [MAX_POLL_RECORDS]
                                              -> {"subscribed": TOPIC, "group": GROUP, "mode": MODE}
    share-poll MILLIS [accept|release|reject|none]
                                              -> {"records": [[partition, offset, key, value, topic, deliveryCount], ...],
                                                  "commitErrors": [...], "ackErrors": [...], "messageErrors": [...]}
    share-ack accept|release|reject PARTITION@OFFSET...
                                              -> {"acknowledged": n} (explicit mode: records of the last poll)
    share-commit                              -> {"committed": [[topic, partition], ...], "commitErrors": [...], "ackErrors": [...]}
    share-close                               -> {"closed": true, "ackErrors": [...]}
    pid                                       -> {"pid": n} (for the test to kill this process)
    exit

share-subscribe makes the process's ShareConsumer with that share.acknowledgement.mode (and
max.poll.records when given) and subscribes; librdkafka joins the share group inside poll.
share-poll is one ShareConsumer.poll: every record it returned, with Message.delivery_count().
With a type (explicit mode only) each record is then acknowledged with that type and
commit_sync sends them; "commitErrors" lists what the broker refused there, per partition, as
[topic, partition, error name, text]. In implicit mode the next poll, share-commit or
share-close accepts the records of the last poll. share-ack acknowledges records of the last
poll (explicit mode) by partition and offset; share-commit is commit_sync. "ackErrors" lists
what the acknowledgement commit callback was told failed since the previous command, as
[topic, partition, [offsets], error name, text]; "messageErrors" the error events poll
returned, as [error name, text].

A failure answers {"error": text, "errorCode": librdkafka's error name, "clientErrors": [...]}.
INTEROP_CLIENT_CONFIG (JSON) holds librdkafka properties added to every client's;
INTEROP_LIBRDKAFKA_DEBUG, when set, is the share consumer's `debug` (e.g. protocol,cgrp,fetch),
logged to stderr.
"""

import json
import os
import sys

from confluent_kafka import AcknowledgeType, KafkaError, KafkaException, Producer, ShareConsumer, libversion, version
from confluent_kafka.admin import AdminClient, AlterConfigOpType, ConfigEntry, ConfigResource, ConfigSource, NewTopic, ResourceType

from common import log, serve

TIMEOUT = 20  # seconds, for every blocking librdkafka call

ACK_TYPES = {"accept": AcknowledgeType.ACCEPT, "release": AcknowledgeType.RELEASE, "reject": AcknowledgeType.REJECT}


class Failure(Exception):
    def __init__(self, error):
        super().__init__(error.str())
        self.error = error


def error_of(e):
    """The KafkaError inside a KafkaException (or the error itself)."""
    if isinstance(e, KafkaException) and e.args and isinstance(e.args[0], KafkaError):
        return e.args[0]
    return e


def describe_error(e):
    e = error_of(e)
    if isinstance(e, KafkaError):
        return [e.name(), e.str()]
    return [type(e).__name__, str(e)]


class Client:
    def __init__(self, bootstrap, client_id):
        self.base = {"bootstrap.servers": bootstrap, "client.id": client_id, "error_cb": self.on_error}
        self.base.update(json.loads(os.environ.get("INTEROP_CLIENT_CONFIG") or "{}"))
        self.client_errors = []
        self.producer = None
        self.admin_client = None
        self.consumer = None
        self.mode = None
        self.topic = None
        self.last_poll = {}  # (partition, offset) -> Message, the records of the last poll
        self.ack_errors = []

    def on_error(self, error):
        log("error_cb", error.name(), error.str())
        self.client_errors.append(error)

    def admin(self):
        if self.admin_client is None:
            self.admin_client = AdminClient(dict(self.base))
        return self.admin_client

    @staticmethod
    def wait(futures):
        for future in futures.values():
            try:
                future.result(timeout=TIMEOUT)
            except KafkaException as e:
                raise Failure(error_of(e))

    def create_topic(self, topic, partitions):
        self.wait(self.admin().create_topics([NewTopic(topic, partitions, 1)], request_timeout=TIMEOUT))
        return {"created": topic}

    def alter_group_config(self, group, name, value):
        entry = ConfigEntry(name, value, incremental_operation=AlterConfigOpType.SET)
        # librdkafka sends ResourceType.GROUP as the config resource type GROUP (32).
        self.wait(self.admin().incremental_alter_configs([ConfigResource(ResourceType.GROUP, group, incremental_configs=[entry])], request_timeout=TIMEOUT))
        return {"altered": group}

    def describe_group_configs(self, group):
        futures = self.admin().describe_configs([ConfigResource(ResourceType.GROUP, group)], request_timeout=TIMEOUT)
        configs, sources = {}, {}
        for future in futures.values():
            try:
                entries = future.result(timeout=TIMEOUT)
            except KafkaException as e:
                raise Failure(error_of(e))
            for name, entry in entries.items():
                configs[name] = entry.value
                sources[name] = ConfigSource(entry.source).name
        return {"configs": configs, "sources": sources}

    def produce(self, topic, count, keys, prefix, start=0):
        if self.producer is None:
            self.producer = Producer(dict(self.base, **{"acks": "all", "enable.idempotence": True, "linger.ms": 5, "message.timeout.ms": 15000}))
        reports = [None] * count

        def report(i):
            def on_delivery(err, msg):
                reports[i] = err if err is not None else [msg.partition(), msg.offset()]

            return on_delivery

        for i in range(count):
            n = start + i
            self.producer.produce(topic, key="k%d" % (n % keys), value="%s-%d" % (prefix, n), on_delivery=report(i))
        left = self.producer.flush(TIMEOUT)
        if left:
            raise Failure(KafkaError(KafkaError._TIMED_OUT, "%d records not delivered" % left))
        for r in reports:
            if isinstance(r, KafkaError):
                raise Failure(r)
        return {"acks": reports}

    # --- the share consumer ---------------------------------------------------------------------

    def on_ack_commit(self, offsets, exception):
        if exception is None:
            return
        err = describe_error(exception)
        for tp, acked in (offsets or {}).items():
            self.ack_errors.append([tp.topic, tp.partition, sorted(acked)] + err)
        if not offsets:
            self.ack_errors.append([None, None, []] + err)
        log("acknowledgement commit failed", offsets, exception)

    def take_ack_errors(self):
        errors, self.ack_errors = self.ack_errors, []
        return errors

    def need_consumer(self):
        if self.consumer is None:
            raise ValueError("no share consumer (share-subscribe first)")
        return self.consumer

    def share_subscribe(self, topic, group, mode, max_poll_records=None):
        if self.consumer is not None:
            raise ValueError("already a share consumer (share-close first)")
        if mode not in ("implicit", "explicit"):
            raise ValueError("mode is implicit or explicit")
        conf = dict(self.base, **{"group.id": group, "share.acknowledgement.mode": mode})
        if max_poll_records is not None:
            conf["max.poll.records"] = max_poll_records
        debug = os.environ.get("INTEROP_LIBRDKAFKA_DEBUG")
        if debug:
            conf["debug"] = debug
        consumer = ShareConsumer(conf)
        consumer.set_acknowledgement_commit_callback(self.on_ack_commit)
        consumer.subscribe([topic])
        self.consumer, self.mode, self.topic = consumer, mode, topic
        return {"subscribed": topic, "group": group, "mode": mode}

    def commit(self):
        try:
            results = self.need_consumer().commit_sync(TIMEOUT)
        except KafkaException as e:
            raise Failure(error_of(e))
        committed, errors = [], []
        for tp, result in (results or {}).items():
            committed.append([tp.topic, tp.partition])
            if result is not None:
                errors.append([tp.topic, tp.partition] + describe_error(result))
        return sorted(committed), errors

    def share_poll(self, millis, ack="none"):
        consumer = self.need_consumer()
        if ack != "none" and ack not in ACK_TYPES:
            raise ValueError("accept, release, reject or none")
        if ack != "none" and self.mode != "explicit":
            raise ValueError("implicit mode acknowledges by itself: share-poll MILLIS")
        try:
            messages = consumer.poll(millis / 1000)
        except KafkaException as e:
            raise Failure(error_of(e))
        records, message_errors = [], []
        self.last_poll = {}
        for msg in messages:
            if msg.error():
                message_errors.append(describe_error(msg.error()))
                continue
            key = msg.key().decode() if msg.key() is not None else None
            value = msg.value().decode() if msg.value() is not None else None
            records.append([msg.partition(), msg.offset(), key, value, msg.topic(), msg.delivery_count()])
            self.last_poll[(msg.partition(), msg.offset())] = msg
        commit_errors = []
        if ack != "none":
            for msg in self.last_poll.values():
                consumer.acknowledge(msg, ACK_TYPES[ack])
            self.last_poll = {}
            _, commit_errors = self.commit()
        return {"records": records, "commitErrors": commit_errors, "ackErrors": self.take_ack_errors(), "messageErrors": message_errors}

    def share_ack(self, ack, places):
        consumer = self.need_consumer()
        if ack not in ACK_TYPES:
            raise ValueError("accept, release or reject")
        for place in places:
            p, o = place.split("@")
            msg = self.last_poll.pop((int(p), int(o)), None)
            if msg is None:
                raise ValueError("%s is not a record of the last poll (or is acknowledged already)" % place)
            consumer.acknowledge(msg, ACK_TYPES[ack])
        return {"acknowledged": len(places)}

    def share_commit(self):
        committed, errors = self.commit()
        return {"committed": committed, "commitErrors": errors, "ackErrors": self.take_ack_errors()}

    def share_close(self):
        consumer = self.need_consumer()
        self.consumer = self.mode = self.topic = None
        self.last_poll = {}
        try:
            consumer.close()
        except KafkaException as e:
            raise Failure(error_of(e))
        return {"closed": True, "ackErrors": self.take_ack_errors()}

    def handle(self, w):
        if w[0] == "create-topic":
            return self.create_topic(w[1], int(w[2]))
        if w[0] == "produce":
            return self.produce(w[1], int(w[2]), int(w[3]), w[4], int(w[5]) if len(w) > 5 else 0)
        if w[0] == "alter-group-config":
            return self.alter_group_config(w[1], w[2], w[3])
        if w[0] == "describe-group-configs":
            return self.describe_group_configs(w[1])
        if w[0] == "share-subscribe":
            return self.share_subscribe(w[1], w[2], w[3], int(w[4]) if len(w) > 4 else None)
        if w[0] == "share-poll":
            return self.share_poll(int(w[1]), w[2] if len(w) > 2 else "none")
        if w[0] == "share-ack":
            return self.share_ack(w[1], w[2:])
        if w[0] == "share-commit":
            return self.share_commit()
        if w[0] == "share-close":
            return self.share_close()
        if w[0] == "pid":
            return {"pid": os.getpid()}
        raise ValueError("unknown command " + w[0])

    def close(self):
        if self.consumer is not None:
            self.consumer.close()
        if self.producer is not None:
            self.producer.flush(5)


def main():
    if len(sys.argv) < 2:
        sys.exit("usage: confluent_share.py BOOTSTRAP [CLIENT_ID]")
    client = Client(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else "confluent-share")

    def failure_answer(e):
        if not isinstance(e, Failure):
            return {"error": "%s: %s" % (type(e).__name__, e), "errorClass": type(e).__name__}
        error = e.error
        answer = {"error": error.str(), "errorCode": error.name(), "clientErrors": [[c.name(), c.str()] for c in client.client_errors]}
        return answer

    # version() is a str in confluent-kafka 2.x (a (str, int) tuple in 1.x).
    v = version()
    serve(client, {"ready": True, "client": "confluent-kafka", "version": "%s (librdkafka %s)" % (v[0] if isinstance(v, tuple) else v, libversion()[0])}, failure_answer)


if __name__ == "__main__":
    main()
