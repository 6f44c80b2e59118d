"""Shared by the interop client scripts: argument parsing, the records they send, JSON output.

Each script is run as `/usr/bin/python3 <script> <command> '<json options>'` by
test/interop/python.test.ts and prints exactly one JSON document on stdout; diagnostics go to
stderr (which the test puts into its assertion messages).
"""

import json
import sys
import time

KEYS = 20
PARTITIONS = 6


def args():
    if len(sys.argv) != 3:
        sys.exit("usage: %s <command> '<json options>'" % sys.argv[0])
    return sys.argv[1], json.loads(sys.argv[2])


def records(prefix, count, start=0):
    """count records keyed k0..k19 in turn, values <prefix>-<start+i> (as helpers.ts records())."""
    return [("k%d" % ((start + i) % KEYS), "%s-%d" % (prefix, start + i)) for i in range(count)]


def emit(result):
    json.dump(result, sys.stdout)
    sys.stdout.write("\n")
    sys.stdout.flush()


def serve(client, ready, failure_answer):
    """The line-command loop of the interactive drivers (confluent_interactive.py, confluent_share.py):
    `ready` first, then one JSON answer per command line (`client.handle(words)`, or
    `failure_answer(exception)` when it raises) until `exit` or the end of stdin, then `{"exited": true}`."""
    def out(answer):
        sys.stdout.write(json.dumps(answer) + "\n")
        sys.stdout.flush()

    out(ready)
    for line in sys.stdin:
        words = line.split()
        if not words:
            continue
        if words[0] == "exit":
            break
        client.client_errors = []
        try:
            answer = client.handle(words)
        except Exception as e:  # noqa: BLE001 - every failure is an answer
            answer = failure_answer(e)
        out(answer)
    client.close()
    out({"exited": True})


def log(*parts):
    print("[%s.%03d]" % (time.strftime("%H:%M:%S"), int(time.time() * 1000) % 1000), *parts, file=sys.stderr, flush=True)


class Deadline:
    def __init__(self, seconds):
        self.end = time.monotonic() + seconds

    def left(self):
        return self.end - time.monotonic()

    def passed(self):
        return self.left() <= 0
