/**
 * The agent's own measurements: byte counters and latency histograms for produce and fetch,
 * rendered in Prometheus text format. Small on purpose: a counter is a number, a histogram is a
 * fixed set of buckets.
 */
const LATENCY_BUCKETS_MS = [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000];

export class Histogram {
  readonly counts = new Array<number>(LATENCY_BUCKETS_MS.length + 1).fill(0);
  sum = 0;
  count = 0;

  observe(ms: number): void {
    const i = LATENCY_BUCKETS_MS.findIndex((bound) => ms <= bound);
    this.counts[i === -1 ? LATENCY_BUCKETS_MS.length : i]!++;
    this.sum += ms;
    this.count++;
  }
}

export class AgentMetrics {
  produceBytes = 0;
  produceRecords = 0;
  fetchBytes = 0;
  objectsWritten = 0;
  /** Requests served although bytes followed their body, and how many such bytes were ignored. */
  requestsWithTrailingBytes = 0;
  trailingBytesIgnored = 0;
  readonly produceLatencyMs = new Histogram();
  readonly fetchLatencyMs = new Histogram();
  readonly flushLatencyMs = new Histogram();

  render(labels: Record<string, string>): string {
    const l = Object.entries(labels)
      .map(([k, v]) => `${k}="${v.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`)
      .join(',');
    const lines: string[] = [];
    const counter = (name: string, help: string, value: number) => {
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} counter`, `${name}{${l}} ${value}`);
    };
    const histogram = (name: string, help: string, h: Histogram) => {
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} histogram`);
      let cumulative = 0;
      LATENCY_BUCKETS_MS.forEach((bound, i) => {
        cumulative += h.counts[i]!;
        lines.push(`${name}_bucket{${l},le="${bound / 1000}"} ${cumulative}`);
      });
      lines.push(`${name}_bucket{${l},le="+Inf"} ${h.count}`, `${name}_sum{${l}} ${h.sum / 1000}`, `${name}_count{${l}} ${h.count}`);
    };
    counter('slipstream_produce_bytes_total', 'Record-batch bytes acknowledged to producers', this.produceBytes);
    counter('slipstream_produce_records_total', 'Records acknowledged to producers', this.produceRecords);
    counter('slipstream_fetch_bytes_total', 'Record-batch bytes returned to consumers', this.fetchBytes);
    counter('slipstream_objects_written_total', 'Objects written to object storage', this.objectsWritten);
    counter('slipstream_requests_with_trailing_bytes_total', 'Requests served although bytes followed their body (ignored, as Kafka does)', this.requestsWithTrailingBytes);
    counter('slipstream_request_trailing_bytes_total', 'Bytes ignored after request bodies', this.trailingBytesIgnored);
    histogram('slipstream_produce_latency_seconds', 'Produce request latency, receipt to acknowledgement', this.produceLatencyMs);
    histogram('slipstream_fetch_latency_seconds', 'Fetch request latency, including long-poll waits', this.fetchLatencyMs);
    histogram('slipstream_flush_latency_seconds', 'Object write plus commit, per flush', this.flushLatencyMs);
    return lines.join('\n') + '\n';
  }
}
