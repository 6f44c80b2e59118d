"""confluent-kafka (librdkafka) driven line by line, for test/interop/python-security.test.ts.

    /usr/bin/python3 confluent_interactive.py BOOTSTRAP [CLIENT_ID]

The same protocol as the Java and Go programs (test/interop/java, test/interop/go), for the
commands the security scenario uses: each line on stdin is one command, answered by exactly one
JSON line on stdout; the first line says {"ready": true, "version": ...}.

    produce TOPIC COUNT KEYS PREFIX [START]   -> {"acks": [[partition, offset], ...]}
    subscribe TOPIC GROUP                     -> {"subscribed": TOPIC, "group": GROUP}
    poll MILLIS                               -> {"records": [[partition, offset, key, value], ...], "assignment": [...], "rebalances": n}
    close-consumer                            -> {"closed": true}
    list-topics                               -> {"topics": [...]}
    exit

A failure answers {"error": text, "errorCode": librdkafka's error name, "clientErrors": [...]}:
the error itself, or for a call that only timed out, the first error librdkafka reported to
error_cb (an authentication or TLS failure is reported there). INTEROP_CLIENT_CONFIG (JSON)
holds librdkafka properties (security.protocol, sasl.*, ssl.*) added to every client's.
"""

import json
import os
import sys

from confluent_kafka import Consumer, KafkaError, KafkaException, Producer, libversion, version

from common import Deadline, log


class Failure(Exception):
    def __init__(self, error):
        super().__init__(error.str())
        self.error = error


class Client:
    def __init__(self, bootstrap, client_id):
        self.base = {"bootstrap.servers": bootstrap, "client.id": client_id, "error_cb": self.on_error}
        self.base.update(json.loads(os.environ.get("INTEROP_CLIENT_CONFIG") or "{}"))
        self.client_errors = []
        self.producer = None
        self.consumer = None
        self.assigned = set()
        self.rebalances = 0

    def on_error(self, error):
        log("error_cb", error.name(), error.str())
        self.client_errors.append(error)

    def cause(self, fallback):
        """The error that explains a failure: a real one reported to error_cb, else `fallback`."""
        for error in self.client_errors:
            if error.code() not in (KafkaError._ALL_BROKERS_DOWN, KafkaError._TIMED_OUT):
                return error
        return fallback

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
        left = self.producer.flush(20)
        if left:
            raise Failure(self.cause(KafkaError(KafkaError._TIMED_OUT, "%d records not delivered" % left)))
        for r in reports:
            if isinstance(r, KafkaError):
                raise Failure(r)
        return {"acks": reports}

    def subscribe(self, topic, group):
        if self.consumer is not None:
            raise ValueError("already subscribed")
        conf = dict(
            self.base,
            **{
                "group.id": group,
                "auto.offset.reset": "earliest",
                "enable.auto.commit": False,
                "session.timeout.ms": 10000,
                "heartbeat.interval.ms": 500,
                "fetch.wait.max.ms": 200,
            }
        )
        self.consumer = Consumer(conf)

        def on_assign(consumer, partitions):
            self.assigned.update((p.topic, p.partition) for p in partitions)
            self.rebalances += 1

        def on_revoke(consumer, partitions):
            self.assigned.difference_update((p.topic, p.partition) for p in partitions)

        self.consumer.subscribe([topic], on_assign=on_assign, on_revoke=on_revoke)
        return {"subscribed": topic, "group": group}

    def poll(self, millis):
        if self.consumer is None:
            raise ValueError("not subscribed")
        records = []
        for msg in self.consumer.consume(num_messages=10000, timeout=millis / 1000):
            if msg.error():
                if msg.error().code() != KafkaError._PARTITION_EOF:
                    raise Failure(msg.error())
                continue
            records.append([msg.partition(), msg.offset(), msg.key().decode(), msg.value().decode()])
        assignment = ["%s/%d" % tp for tp in sorted(self.assigned)]
        return {"records": records, "assignment": assignment, "rebalances": self.rebalances}

    def close_consumer(self):
        if self.consumer is None:
            raise ValueError("not subscribed")
        self.consumer.close()
        self.consumer = None
        self.assigned.clear()
        return {"closed": True}

    def list_topics(self):
        # A producer instance is librdkafka's cheapest client for a metadata request.
        probe = Producer(dict(self.base))
        deadline = Deadline(8)
        while True:
            try:
                return {"topics": sorted(probe.list_topics(timeout=0.5).topics.keys())}
            except KafkaException as e:
                # librdkafka retries a refused login until the timeout; the refusal itself reaches
                # error_cb (served from poll) at once, so stop as soon as one is there.
                probe.poll(0.1)
                cause = self.cause(None)
                if cause is not None or deadline.passed():
                    raise Failure(cause or e.args[0])

    def handle(self, w):
        if w[0] == "produce":
            return self.produce(w[1], int(w[2]), int(w[3]), w[4], int(w[5]) if len(w) > 5 else 0)
        if w[0] == "subscribe":
            return self.subscribe(w[1], w[2])
        if w[0] == "poll":
            return self.poll(int(w[1]))
        if w[0] == "close-consumer":
            return self.close_consumer()
        if w[0] == "list-topics":
            return self.list_topics()
        raise ValueError("unknown command " + w[0])

    def close(self):
        if self.consumer is not None:
            self.consumer.close()
        if self.producer is not None:
            self.producer.flush(5)


def main():
    if len(sys.argv) < 2:
        sys.exit("usage: confluent_interactive.py BOOTSTRAP [CLIENT_ID]")
    client = Client(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else "confluent-interop")

    def emit(answer):
        sys.stdout.write(json.dumps(answer) + "\n")
        sys.stdout.flush()

    # version() is a (str, int) tuple in confluent-kafka 1.x, a str in 2.x.
    v = version()
    emit({"ready": True, "client": "confluent-kafka", "version": "%s (librdkafka %s)" % (v[0] if isinstance(v, tuple) else v, libversion()[0])})
    for line in sys.stdin:
        words = line.split()
        if not words:
            continue
        if words[0] == "exit":
            break
        client.client_errors = []
        try:
            answer = client.handle(words)
        except Failure as f:
            answer = {"error": f.error.str(), "errorCode": f.error.name(), "clientErrors": [[e.name(), e.str()] for e in client.client_errors]}
        except Exception as e:  # noqa: BLE001 - every failure is an answer
            answer = {"error": "%s: %s" % (type(e).__name__, e)}
        emit(answer)
    client.close()
    emit({"exited": True})


if __name__ == "__main__":
    main()
