"""confluent-kafka (librdkafka) for the interop suite: admin, produce, consume, rebalance.

    /usr/bin/python3 confluent_client.py admin     '{"bootstrap": …, "topic": …, "extra": …}'
    /usr/bin/python3 confluent_client.py produce   '{"bootstrap": …, "topic": …, "prefix": "a", "start": 0, "count": 600, "idempotent": true}'
    /usr/bin/python3 confluent_client.py consume   '{"bootstrap": …, "topic": …, "group": …, "count": 600}'
    /usr/bin/python3 confluent_client.py rebalance '{"bootstrap": …, "topic": …, "group": …, "count": 600, "prefix": "r"}'
"""

import sys
import time

from confluent_kafka import Consumer, KafkaError, KafkaException, Producer, TopicPartition, libversion, version
from confluent_kafka.admin import AdminClient, NewPartitions, NewTopic

from common import PARTITIONS, Deadline, args, emit, log, records


def check(futures, what):
    """Waits for every future of an admin call; answers name -> error text (or None)."""
    out = {}
    for name, future in futures.items():
        try:
            future.result(timeout=15)
            out[name] = None
        except KafkaException as e:
            out[name] = "%s: %s" % (e.args[0].name(), e.args[0].str())
    log(what, out)
    return out


def describe(admin, topic):
    md = admin.list_topics(topic=topic, timeout=10)
    t = md.topics.get(topic)
    if t is None or t.error is not None:
        return {"error": str(t.error) if t is not None else "missing", "partitions": [], "leaders": []}
    parts = sorted(t.partitions.values(), key=lambda p: p.id)
    return {
        "error": None,
        "partitions": [p.id for p in parts],
        "leaders": [p.leader for p in parts],
        "brokers": sorted(md.brokers.keys()),
    }


def admin_cmd(o):
    admin = AdminClient({"bootstrap.servers": o["bootstrap"]})
    topic, extra = o["topic"], o["extra"]
    result = {}
    result["create"] = check(admin.create_topics([NewTopic(topic, PARTITIONS, 1)], operation_timeout=10), "create")
    result["recreate"] = check(admin.create_topics([NewTopic(topic, PARTITIONS, 1)], operation_timeout=10), "recreate")
    result["listed"] = topic in admin.list_topics(timeout=10).topics
    result["describe"] = describe(admin, topic)
    result["create_extra"] = check(admin.create_topics([NewTopic(extra, 2, 1)], operation_timeout=10), "create extra")
    result["create_partitions"] = check(admin.create_partitions([NewPartitions(extra, 4)], operation_timeout=10), "create partitions")
    result["extra_after_create_partitions"] = describe(admin, extra)["partitions"]
    result["delete"] = check(admin.delete_topics([extra], operation_timeout=10), "delete")
    result["extra_listed_after_delete"] = extra in admin.list_topics(timeout=10).topics
    emit(result)


def produce(bootstrap, topic, batch, idempotent):
    deliveries = []
    errors = []

    def report(err, msg):
        if err is not None:
            errors.append("%s: %s" % (msg.value().decode(), err))
        else:
            deliveries.append(
                {"key": msg.key().decode(), "value": msg.value().decode(), "partition": msg.partition(), "offset": msg.offset()}
            )

    producer = Producer(
        {"bootstrap.servers": bootstrap, "acks": "all", "enable.idempotence": idempotent, "linger.ms": 5, "client.id": "confluent-interop"}
    )
    for key, value in batch:
        while True:
            try:
                producer.produce(topic, key=key, value=value, on_delivery=report)
                break
            except BufferError:
                producer.poll(0.05)
        producer.poll(0)
    left = producer.flush(30)
    if left or errors:
        log("undelivered:", left, "errors:", errors[:20])
    return deliveries, errors


def produce_cmd(o):
    batch = records(o["prefix"], o["count"], o["start"])
    deliveries, errors = produce(o["bootstrap"], o["topic"], batch, o["idempotent"])
    emit({"deliveries": deliveries, "errors": errors})


def consumer(o, client_id):
    return Consumer(
        {
            "bootstrap.servers": o["bootstrap"],
            "group.id": o["group"],
            "client.id": client_id,
            "auto.offset.reset": "earliest",
            "enable.auto.commit": False,
            "session.timeout.ms": 10000,
            "heartbeat.interval.ms": 300,
            "fetch.wait.max.ms": 200,
        }
    )


def take(c, into, errors, timeout):
    """Takes what the consumer has (up to 500 records, waiting at most `timeout` for the first)."""
    for msg in c.consume(num_messages=500, timeout=timeout):
        if msg.error():
            if msg.error().code() != KafkaError._PARTITION_EOF:
                errors.append(str(msg.error()))
            continue
        into.append({"key": msg.key().decode(), "value": msg.value().decode(), "partition": msg.partition(), "offset": msg.offset()})


def committed(c, topic):
    out = {}
    for tp in c.committed([TopicPartition(topic, p) for p in range(PARTITIONS)], timeout=10):
        if tp.error is None and tp.offset >= 0:
            out[str(tp.partition)] = tp.offset
    return out


def consume_cmd(o):
    c = consumer(o, "confluent-interop")
    c.subscribe([o["topic"]])
    got, errors = [], []
    deadline = Deadline(30)
    while len(got) < o["count"] and not deadline.passed():
        take(c, got, errors, 0.2)
    # Anything beyond the expected count would arrive now.
    linger = Deadline(1.0)
    while not linger.passed():
        take(c, got, errors, 0.1)
    assignment = sorted(tp.partition for tp in c.assignment())
    if got:
        c.commit(asynchronous=False)
    result = {"records": got, "errors": errors, "assignment": assignment, "committed": committed(c, o["topic"])}
    c.close()
    emit(result)


def rebalance_cmd(o):
    """Two consumers of one group in this process: wait until they split all partitions, then
    produce, and consume until together they have every record."""
    topic = o["topic"]
    members = [consumer(o, "confluent-interop-1"), consumer(o, "confluent-interop-2")]
    for c in members:
        c.subscribe([topic])
    got = [[], []]
    errors = []
    deadline = Deadline(30)
    assignments = [[], []]
    while not deadline.passed():
        for i, c in enumerate(members):
            take(c, got[i], errors, 0.02)
            assignments[i] = sorted(tp.partition for tp in c.assignment())
        if assignments[0] and assignments[1] and sorted(assignments[0] + assignments[1]) == list(range(PARTITIONS)):
            break
    log("assignments", assignments)
    deliveries, produce_errors = produce(o["bootstrap"], topic, records(o["prefix"], o["count"]), True)
    while len(got[0]) + len(got[1]) < o["count"] and not deadline.passed():
        for i, c in enumerate(members):
            take(c, got[i], errors, 0.02)
    linger = Deadline(1.0)
    while not linger.passed():
        for i, c in enumerate(members):
            take(c, got[i], errors, 0.02)
    final = [sorted(tp.partition for tp in c.assignment()) for c in members]
    for i, c in enumerate(members):
        if got[i]:
            c.commit(asynchronous=False)

    result = {
        "assignments": assignments,
        "final_assignments": final,
        "deliveries": deliveries,
        "errors": errors + produce_errors,
        "records": got,
        "committed": committed(members[0], topic),
    }
    for c in members:
        c.close()
    emit(result)


def main():
    command, options = args()
    log("confluent-kafka", version(), "librdkafka", libversion())
    {"admin": admin_cmd, "produce": produce_cmd, "consume": consume_cmd, "rebalance": rebalance_cmd}[command](options)


if __name__ == "__main__":
    main()
