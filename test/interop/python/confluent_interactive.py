"""confluent-kafka (librdkafka) driven line by line, for test/interop/python-security.test.ts and
python-transactions.test.ts.

    /usr/bin/python3 confluent_interactive.py BOOTSTRAP [CLIENT_ID]

The same protocol as the Java and Go programs (test/interop/java, test/interop/go), for the
commands the security and transaction scenarios use: each line on stdin is one command, answered
by exactly one JSON line on stdout; the first line says {"ready": true, "version": ...}.

    produce TOPIC COUNT KEYS PREFIX [START]   -> {"acks": [[partition, offset], ...]}
    subscribe TOPIC GROUP [ISOLATION]         -> {"subscribed": TOPIC, "group": GROUP, "isolation": ISOLATION|null}
    assign TOPIC[,TOPIC...] PARTITIONS ISOLATION
                                              -> {"assigned": ["topic/p", ...], "isolation": ISOLATION}
    poll MILLIS                               -> {"records": [[partition, offset, key, value, topic], ...], "assignment": [...], "rebalances": n}
    end-offsets TOPIC PARTITIONS              -> {"offsets": [...]} (the consumer's isolation level)
    committed TOPIC PARTITIONS                -> {"offsets": [...]} (the consumer's group; -1 = none)
    group-offsets GROUP TOPIC PARTITIONS      -> {"offsets": [...]} (through a consumer of GROUP that does not join it; -1 = none)
    close-consumer                            -> {"closed": true}
    list-topics                               -> {"topics": [...]}
    txn-producer TXN_ID TIMEOUT_MS            -> {"transactionalId": TXN_ID, "timeoutMs": TIMEOUT_MS} (init_transactions done)
    txn-begin                                 -> {"begun": true}
    txn-produce TOPIC COUNT KEYS PREFIX [START]
                                              -> {"acks": [[partition, offset], ...]} (in the transaction)
    txn-send-offsets GROUP TOPIC PARTITION=OFFSET...
                                              -> {"sent": true, "generation": null, "memberId": id|null}
    txn-commit                                -> {"committed": true}
    txn-abort                                 -> {"aborted": true}
    txn-close                                 -> {"closed": true}
    exit

ISOLATION is read_committed or read_uncommitted (librdkafka's default is read_committed).
txn-send-offsets passes this process's consumer's consumer_group_metadata() when it is a member of
GROUP, else that of a consumer of GROUP that never joins (generation -1, no member id);
librdkafka's metadata object hides the generation (null), and the member id is known only where
Consumer.memberid() exists (confluent-kafka 2.x). Every librdkafka call is given a timeout.

A failure answers {"error": text, "errorCode": librdkafka's error name, "clientErrors": [...]}:
the error itself, or for a call that only timed out, the first error librdkafka reported to
error_cb (an authentication or TLS failure is reported there); for transactional calls also
"fatal", "abortable" (txn_requires_abort) and "retriable". INTEROP_CLIENT_CONFIG (JSON)
holds librdkafka properties (security.protocol, sasl.*, ssl.*) added to every client's.
"""

import json
import os
import sys

from confluent_kafka import OFFSET_BEGINNING, Consumer, KafkaError, KafkaException, Producer, TopicPartition, libversion, version

from common import Deadline, log, serve

TIMEOUT = 20  # seconds, for every blocking librdkafka call


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
        self.group = None
        self.isolation = None
        self.txn = None
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
        return self.produce_all(self.producer, topic, count, keys, prefix, start)

    def produce_all(self, producer, topic, count, keys, prefix, start):
        reports = [None] * count

        def report(i):
            def on_delivery(err, msg):
                reports[i] = err if err is not None else [msg.partition(), msg.offset()]

            return on_delivery

        try:
            for i in range(count):
                n = start + i
                producer.produce(topic, key="k%d" % (n % keys), value="%s-%d" % (prefix, n), on_delivery=report(i))
            left = producer.flush(TIMEOUT)
        except KafkaException as e:
            # A transactional producer in a fatal state (fenced) raises it from produce() or flush().
            raise Failure(self.cause(e.args[0]))
        if left:
            raise Failure(self.cause(KafkaError(KafkaError._TIMED_OUT, "%d records not delivered" % left)))
        for r in reports:
            if isinstance(r, KafkaError):
                # A fenced transactional producer reports the fatal error to error_cb and may fail
                # the records with a consequence of it (purged): name the cause.
                raise Failure(self.cause(r) if producer is self.txn else r)
        return {"acks": reports}

    def consumer_conf(self, group, isolation):
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
        if isolation is not None:
            conf["isolation.level"] = isolation
        return conf

    def subscribe(self, topic, group, isolation=None):
        if self.consumer is not None:
            raise ValueError("already subscribed")
        self.consumer = Consumer(self.consumer_conf(group, isolation))
        self.group, self.isolation = group, isolation

        def on_assign(consumer, partitions):
            self.assigned.update((p.topic, p.partition) for p in partitions)
            self.rebalances += 1

        def on_revoke(consumer, partitions):
            self.assigned.difference_update((p.topic, p.partition) for p in partitions)

        self.consumer.subscribe([topic], on_assign=on_assign, on_revoke=on_revoke)
        return {"subscribed": topic, "group": group, "isolation": isolation}

    def assign(self, topics, count, isolation):
        if self.consumer is not None:
            raise ValueError("already subscribed")
        # confluent-kafka wants a group.id; an assigned consumer never joins or commits to it.
        self.consumer = Consumer(self.consumer_conf(self.base["client.id"] + "-assigned", isolation))
        self.group, self.isolation = None, isolation
        partitions = [TopicPartition(t, p, OFFSET_BEGINNING) for t in topics.split(",") for p in range(count)]
        self.consumer.assign(partitions)
        self.assigned.update((tp.topic, tp.partition) for tp in partitions)
        return {"assigned": ["%s/%d" % tp for tp in sorted(self.assigned)], "isolation": isolation}

    def end_offsets(self, topic, count):
        if self.consumer is None:
            raise ValueError("not subscribed")
        # One ListOffsets request at the consumer's isolation.level for every partition: timestamp
        # -1 asks for the latest offset (get_watermark_offsets asks one partition at a time).
        listed = self.consumer.offsets_for_times([TopicPartition(topic, p, -1) for p in range(count)], timeout=TIMEOUT)
        for tp in listed:
            if tp.error is not None:
                raise Failure(tp.error)
        return {"offsets": [tp.offset for tp in sorted(listed, key=lambda tp: tp.partition)]}

    @staticmethod
    def offsets_of(consumer, topic, count):
        try:
            committed = consumer.committed([TopicPartition(topic, p) for p in range(count)], timeout=TIMEOUT)
        except KafkaException as e:
            raise Failure(e.args[0])
        for tp in committed:
            if tp.error is not None:
                raise Failure(tp.error)
        # librdkafka's "no offset" is OFFSET_INVALID (-1001); the other programs answer -1.
        return {"offsets": [tp.offset if tp.offset >= 0 else -1 for tp in sorted(committed, key=lambda tp: tp.partition)]}

    def committed(self, topic, count):
        if self.consumer is None or self.group is None:
            raise ValueError("not subscribed")
        return self.offsets_of(self.consumer, topic, count)

    def group_offsets(self, group, topic, count):
        # read_uncommitted: an OffsetFetch without require_stable, as the Java client's and kadm's
        # admin calls send, answers the committed offsets at once, offsets of an open transaction
        # left out (read_committed would wait for that transaction to end, KIP-447).
        probe = Consumer(self.consumer_conf(group, "read_uncommitted"))
        try:
            return self.offsets_of(probe, topic, count)
        finally:
            probe.close()

    # --- transactions -------------------------------------------------------------------------

    def txn_producer(self, txn_id, timeout_ms):
        if self.txn is not None:
            raise ValueError("a transactional producer exists (txn-close first)")
        # message.timeout.ms is left to librdkafka: it lowers it to transaction.timeout.ms itself,
        # and refuses a larger one set explicitly.
        producer = Producer(dict(self.base, **{"transactional.id": txn_id, "transaction.timeout.ms": timeout_ms, "acks": "all", "linger.ms": 5}))
        self.txn_call(producer.init_transactions, TIMEOUT)
        self.txn = producer
        return {"transactionalId": txn_id, "timeoutMs": timeout_ms}

    def txn_call(self, fn, *args):
        try:
            return fn(*args)
        except KafkaException as e:
            raise Failure(e.args[0])

    def need_txn(self):
        if self.txn is None:
            raise ValueError("no transactional producer (txn-producer first)")
        return self.txn

    def txn_send_offsets(self, group, topic, pairs):
        producer = self.need_txn()
        positions = []
        for pair in pairs:
            p, o = pair.split("=")
            positions.append(TopicPartition(topic, int(p), int(o)))
        member = None
        if self.consumer is not None and self.group == group:
            metadata = self.consumer.consumer_group_metadata()
            member = self.consumer.memberid() if hasattr(self.consumer, "memberid") else None
            self.txn_call(producer.send_offsets_to_transaction, positions, metadata, TIMEOUT)
        else:
            probe = Consumer(self.consumer_conf(group, None))
            try:
                self.txn_call(producer.send_offsets_to_transaction, positions, probe.consumer_group_metadata(), TIMEOUT)
            finally:
                probe.close()
        return {"sent": True, "generation": None, "memberId": member}

    def txn_close(self):
        producer = self.need_txn()
        producer.flush(5)
        self.txn = None
        return {"closed": True}

    def poll(self, millis):
        if self.consumer is None:
            raise ValueError("not subscribed")
        records = []
        for msg in self.consumer.consume(num_messages=10000, timeout=millis / 1000):
            if msg.error():
                if msg.error().code() != KafkaError._PARTITION_EOF:
                    raise Failure(msg.error())
                continue
            records.append([msg.partition(), msg.offset(), msg.key().decode(), msg.value().decode(), msg.topic()])
        assignment = ["%s/%d" % tp for tp in sorted(self.assigned)]
        return {"records": records, "assignment": assignment, "rebalances": self.rebalances}

    def close_consumer(self):
        if self.consumer is None:
            raise ValueError("not subscribed")
        self.consumer.close()
        self.consumer = None
        self.group = self.isolation = None
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
            return self.subscribe(w[1], w[2], w[3] if len(w) > 3 else None)
        if w[0] == "assign":
            return self.assign(w[1], int(w[2]), w[3])
        if w[0] == "poll":
            return self.poll(int(w[1]))
        if w[0] == "end-offsets":
            return self.end_offsets(w[1], int(w[2]))
        if w[0] == "committed":
            return self.committed(w[1], int(w[2]))
        if w[0] == "group-offsets":
            return self.group_offsets(w[1], w[2], int(w[3]))
        if w[0] == "close-consumer":
            return self.close_consumer()
        if w[0] == "list-topics":
            return self.list_topics()
        if w[0] == "txn-producer":
            return self.txn_producer(w[1], int(w[2]))
        if w[0] == "txn-begin":
            self.txn_call(self.need_txn().begin_transaction)
            return {"begun": True}
        if w[0] == "txn-produce":
            return self.produce_all(self.need_txn(), w[1], int(w[2]), int(w[3]), w[4], int(w[5]) if len(w) > 5 else 0)
        if w[0] == "txn-send-offsets":
            return self.txn_send_offsets(w[1], w[2], w[3:])
        if w[0] == "txn-commit":
            self.txn_call(self.need_txn().commit_transaction, TIMEOUT)
            return {"committed": True}
        if w[0] == "txn-abort":
            self.txn_call(self.need_txn().abort_transaction, TIMEOUT)
            return {"aborted": True}
        if w[0] == "txn-close":
            return self.txn_close()
        raise ValueError("unknown command " + w[0])

    def close(self):
        if self.consumer is not None:
            self.consumer.close()
        if self.producer is not None:
            self.producer.flush(5)
        if self.txn is not None:
            self.txn.flush(5)


def main():
    if len(sys.argv) < 2:
        sys.exit("usage: confluent_interactive.py BOOTSTRAP [CLIENT_ID]")
    client = Client(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else "confluent-interop")

    def failure_answer(e):
        if not isinstance(e, Failure):
            return {"error": "%s: %s" % (type(e).__name__, e)}
        error = e.error
        answer = {"error": error.str(), "errorCode": error.name(), "clientErrors": [[c.name(), c.str()] for c in client.client_errors]}
        answer.update({"fatal": error.fatal(), "abortable": error.txn_requires_abort(), "retriable": error.retriable()})
        return answer

    # version() is a (str, int) tuple in confluent-kafka 1.x, a str in 2.x.
    v = version()
    serve(client, {"ready": True, "client": "confluent-kafka", "version": "%s (librdkafka %s)" % (v[0] if isinstance(v, tuple) else v, libversion()[0])}, failure_answer)


if __name__ == "__main__":
    main()
