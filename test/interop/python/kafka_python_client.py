"""kafka-python for the interop suite: admin, produce, consume, rebalance (same commands and
output as confluent_client.py). kafka-python 2.0 has no idempotent producer: acks=all only.
"""

import logging
import sys
import threading
import time

import kafka
from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import KafkaAdminClient, NewPartitions, NewTopic
from kafka.errors import KafkaError

from common import PARTITIONS, Deadline, args, emit, log, records

logging.basicConfig(stream=sys.stderr, level=logging.WARNING, format="%(asctime)s %(name)s %(levelname)s %(message)s")


def attempt(what, fn):
    """Runs an admin call; answers None or the error's class name and message."""
    try:
        answer = fn()
        log(what, "ok", answer)
        return None
    except KafkaError as e:
        log(what, "failed", repr(e))
        return "%s: %s" % (type(e).__name__, e)


def describe(admin, topic):
    [t] = admin.describe_topics([topic])
    parts = sorted(t["partitions"], key=lambda p: p["partition"])
    return {
        "error": None if t["error_code"] == 0 else "error_code %d" % t["error_code"],
        "partitions": [p["partition"] for p in parts],
        "leaders": [p["leader"] for p in parts],
        "brokers": sorted(b["node_id"] for b in admin.describe_cluster()["brokers"]),
    }


def admin_cmd(o):
    admin = KafkaAdminClient(bootstrap_servers=o["bootstrap"], client_id="kafka-python-interop", request_timeout_ms=15000)
    topic, extra = o["topic"], o["extra"]
    result = {}
    result["create"] = {topic: attempt("create", lambda: admin.create_topics([NewTopic(topic, PARTITIONS, 1)]))}
    result["recreate"] = {topic: attempt("recreate", lambda: admin.create_topics([NewTopic(topic, PARTITIONS, 1)]))}
    result["listed"] = topic in admin.list_topics()
    result["describe"] = describe(admin, topic)
    result["create_extra"] = {extra: attempt("create extra", lambda: admin.create_topics([NewTopic(extra, 2, 1)]))}
    result["create_partitions"] = {extra: attempt("create partitions", lambda: admin.create_partitions({extra: NewPartitions(4)}))}
    result["extra_after_create_partitions"] = describe(admin, extra)["partitions"]
    result["delete"] = {extra: attempt("delete", lambda: admin.delete_topics([extra]))}
    result["extra_listed_after_delete"] = extra in admin.list_topics()
    admin.close()
    emit(result)


def produce(bootstrap, topic, batch):
    producer = KafkaProducer(
        bootstrap_servers=bootstrap,
        client_id="kafka-python-interop",
        acks="all",
        linger_ms=5,
        key_serializer=str.encode,
        value_serializer=str.encode,
    )
    futures = [(key, value, producer.send(topic, key=key, value=value)) for key, value in batch]
    producer.flush(30)
    deliveries, errors = [], []
    for key, value, future in futures:
        try:
            md = future.get(timeout=30)
            deliveries.append({"key": key, "value": value, "partition": md.partition, "offset": md.offset})
        except KafkaError as e:
            errors.append("%s: %r" % (value, e))
    if errors:
        log("errors:", errors[:20])
    producer.close()
    return deliveries, errors


def produce_cmd(o):
    deliveries, errors = produce(o["bootstrap"], o["topic"], records(o["prefix"], o["count"], o["start"]))
    emit({"deliveries": deliveries, "errors": errors})


def consumer(o, client_id):
    c = KafkaConsumer(
        bootstrap_servers=o["bootstrap"],
        group_id=o["group"],
        client_id=client_id,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        session_timeout_ms=10000,
        heartbeat_interval_ms=300,
        fetch_max_wait_ms=200,
        key_deserializer=bytes.decode,
        value_deserializer=bytes.decode,
    )
    c.subscribe([o["topic"]])
    return c


def take(c, into, timeout_ms):
    for tp, msgs in c.poll(timeout_ms=timeout_ms).items():
        for m in msgs:
            into.append({"key": m.key, "value": m.value, "partition": tp.partition, "offset": m.offset})


def committed(c, topic):
    out = {}
    for p in range(PARTITIONS):
        offset = c.committed(TopicPartition(topic, p))
        if offset is not None and offset >= 0:
            out[str(p)] = offset
    return out


def consume_cmd(o):
    c = consumer(o, "kafka-python-interop")
    got = []
    deadline = Deadline(30)
    while len(got) < o["count"] and not deadline.passed():
        take(c, got, 200)
    linger = Deadline(1.0)
    while not linger.passed():
        take(c, got, 100)
    assignment = sorted(tp.partition for tp in c.assignment())
    if got:
        c.commit()
    result = {"records": got, "errors": [], "assignment": assignment, "committed": committed(c, o["topic"])}
    c.close(autocommit=False)
    emit(result)


def rebalance_cmd(o):
    """Two consumers of one group, each polled by its own thread (kafka-python's poll blocks in
    a rebalance until the group has re-formed, so one thread cannot drive both): wait until they
    split all partitions, then produce, and consume until together they have every record."""
    topic = o["topic"]
    stop = threading.Event()
    got = [[], []]
    assignments = [[], []]
    final = [[], []]
    committed_offsets = [{}]
    errors = []
    committed_all = threading.Barrier(2, timeout=15)

    def member(i):
        try:
            c = consumer(o, "kafka-python-interop-%d" % (i + 1))
            while not stop.is_set():
                take(c, got[i], 50)
                assignments[i] = sorted(tp.partition for tp in c.assignment())
            final[i] = sorted(tp.partition for tp in c.assignment())
            if got[i]:
                c.commit()
            committed_all.wait()  # both members' commits are in before reading them back
            if i == 0:
                committed_offsets[0] = committed(c, topic)
            c.close(autocommit=False)
        except Exception as e:  # reported in the JSON and on stderr
            log("member", i, "failed:", repr(e))
            errors.append("member %d: %r" % (i, e))

    threads = [threading.Thread(target=member, args=(i,), daemon=True) for i in range(2)]
    for t in threads:
        t.start()
    deadline = Deadline(30)
    while not deadline.passed():
        a, b = assignments
        if a and b and sorted(a + b) == list(range(PARTITIONS)):
            break
        time.sleep(0.05)
    split = [list(x) for x in assignments]
    log("assignments", split)
    deliveries, produce_errors = produce(o["bootstrap"], topic, records(o["prefix"], o["count"]))
    while len(got[0]) + len(got[1]) < o["count"] and not deadline.passed():
        time.sleep(0.05)
    time.sleep(1.0)  # anything beyond the expected count would arrive now
    stop.set()
    for t in threads:
        t.join(15)
    emit(
        {
            "assignments": split,
            "final_assignments": final,
            "deliveries": deliveries,
            "errors": errors + produce_errors,
            "records": got,
            "committed": committed_offsets[0],
        }
    )


def main():
    command, options = args()
    log("kafka-python", kafka.__version__)
    {"admin": admin_cmd, "produce": produce_cmd, "consume": consume_cmd, "rebalance": rebalance_cmd}[command](options)


if __name__ == "__main__":
    main()
