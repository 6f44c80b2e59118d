package slipstream.bench;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The benchmark's load generator, the same for Slipstream and Apache Kafka. Driven by bench/run.ts:
 * `java ... slipstream.bench.LoadClient BOOTSTRAP`, then one command per stdin line, one JSON line
 * per answer on stdout (the first line is `{"ready":true,...}` with the client settings):
 *
 * <pre>
 *   create-topic TOPIC PARTITIONS
 *   produce TOPIC WARMUP_S SECONDS     closed loop: as fast as acks come back; MiB/s after warm-up
 *   consume TOPIC RECORDS              reads RECORDS from the beginning of every partition; MiB/s
 *   open-loop TOPIC RATE WARMUP_S SECONDS
 *                                      RATE records/s on a fixed schedule; produce latency = ack time
 *                                      - intended send time, end-to-end = consumer receive time -
 *                                      intended send time (carried in the record), so a stalled
 *                                      send is charged to every record scheduled behind it
 *   exit
 * </pre>
 *
 * Records are RECORD_BYTES of incompressible bytes without key (the default partitioner spreads
 * them); the first 8 bytes carry the intended send time (System.nanoTime, one JVM, one clock).
 */
public final class LoadClient {
  static final int RECORD_BYTES = Integer.getInteger("bench.recordBytes", 1024);
  static final double[] PERCENTILES = {50, 75, 90, 95, 99, 99.5, 99.9, 99.99, 100};

  private final String bootstrap;
  private final PrintStream out;
  private final byte[] payload = new byte[RECORD_BYTES];

  LoadClient(String bootstrap, PrintStream out) {
    this.bootstrap = bootstrap;
    this.out = out;
    new Random(42).nextBytes(payload);
  }

  static Properties producerProps(String bootstrap) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "none");
    p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
    p.put(ProducerConfig.BATCH_SIZE_CONFIG, "65536");
    p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, String.valueOf(64L * 1024 * 1024));
    p.put("max.in.flight.requests.per.connection", "5");
    p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "120000");
    return p;
  }

  static Properties consumerProps(String bootstrap) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.FETCH_MIN_BYTES_CONFIG, "1");
    p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "500");
    p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, String.valueOf(1024 * 1024));
    p.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, String.valueOf(50 * 1024 * 1024));
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "2000");
    p.put(ConsumerConfig.CHECK_CRCS_CONFIG, "true");
    return p;
  }

  /** The settings both systems get, for the results file. */
  static Map<String, Object> settings() {
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("client", "Apache Kafka Java client " + org.apache.kafka.common.utils.internals.AppInfoParser.getVersion());
    s.put("record_bytes", RECORD_BYTES);
    Map<String, Object> producer = new LinkedHashMap<>();
    producerProps("").forEach((k, v) -> {
      if (!k.toString().contains("serializer") && !k.toString().startsWith("bootstrap")) producer.put(k.toString(), v);
    });
    s.put("producer", producer);
    Map<String, Object> consumer = new LinkedHashMap<>();
    consumerProps("").forEach((k, v) -> {
      if (!k.toString().contains("deserializer") && !k.toString().startsWith("bootstrap")) consumer.put(k.toString(), v);
    });
    s.put("consumer", consumer);
    return s;
  }

  // --- commands ---------------------------------------------------------------------------------

  Map<String, Object> createTopic(String topic, int partitions) throws Exception {
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    try (Admin admin = Admin.create(p)) {
      admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get(60, TimeUnit.SECONDS);
      // Wait until every partition has a leader that answers Metadata, as a producer would need.
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (true) {
        try {
          var description = admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic);
          if (description != null && description.partitions().size() == partitions
              && description.partitions().stream().allMatch(info -> info.leader() != null)) break;
        } catch (ExecutionException e) {
          // Right after CreateTopics the broker may not know the topic yet: ask again.
          if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) throw e;
        }
        if (System.nanoTime() > deadline) throw new IllegalStateException("topic " + topic + " has no leaders after 60 s");
        Thread.sleep(100);
      }
    }
    Map<String, Object> answer = new LinkedHashMap<>();
    answer.put("topic", topic);
    answer.put("partitions", partitions);
    return answer;
  }

  Map<String, Object> produce(String topic, double warmupSeconds, double seconds) throws Exception {
    AtomicLong acked = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    AtomicReference<String> firstError = new AtomicReference<>();
    long start = System.nanoTime();
    long measureFrom = start + (long) (warmupSeconds * 1e9);
    long end = measureFrom + (long) (seconds * 1e9);
    long ackedAtMeasureFrom = -1;
    long measureStartedAt = 0;
    long sent = 0;
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerProps(bootstrap))) {
      producer.partitionsFor(topic);
      while (true) {
        long now = System.nanoTime();
        if (ackedAtMeasureFrom < 0 && now >= measureFrom) {
          ackedAtMeasureFrom = acked.get();
          measureStartedAt = now;
        }
        if (now >= end) break;
        // send() blocks once buffer.memory is full: the loop is closed by the acks coming back.
        producer.send(new ProducerRecord<>(topic, payload), (metadata, error) -> {
          if (error == null) acked.incrementAndGet();
          else {
            failed.incrementAndGet();
            firstError.compareAndSet(null, error.toString());
          }
        });
        sent++;
      }
      long ackedAtEnd = acked.get();
      long measuredNs = System.nanoTime() - measureStartedAt;
      producer.flush();
      long records = ackedAtEnd - ackedAtMeasureFrom;
      Map<String, Object> answer = new LinkedHashMap<>();
      answer.put("records", records);
      answer.put("bytes", records * RECORD_BYTES);
      answer.put("seconds", measuredNs / 1e9);
      answer.put("records_s", records / (measuredNs / 1e9));
      answer.put("mib_s", records * (double) RECORD_BYTES / (1024 * 1024) / (measuredNs / 1e9));
      answer.put("sent", sent);
      answer.put("total_acked", acked.get());
      answer.put("failed", failed.get());
      if (firstError.get() != null) answer.put("first_error", firstError.get());
      return answer;
    }
  }

  private static List<TopicPartition> partitionsOf(KafkaConsumer<byte[], byte[]> consumer, String topic) {
    List<TopicPartition> list = new ArrayList<>();
    consumer.partitionsFor(topic, Duration.ofSeconds(30)).forEach(info -> list.add(new TopicPartition(topic, info.partition())));
    return list;
  }

  Map<String, Object> consume(String topic, long records, double timeoutSeconds) {
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerProps(bootstrap))) {
      List<TopicPartition> partitions = partitionsOf(consumer, topic);
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      long start = System.nanoTime();
      long deadline = start + (long) (timeoutSeconds * 1e9);
      long count = 0;
      long bytes = 0;
      while (count < records && System.nanoTime() < deadline) {
        ConsumerRecords<byte[], byte[]> batch = consumer.poll(Duration.ofMillis(200));
        for (ConsumerRecord<byte[], byte[]> r : batch) {
          count++;
          bytes += r.value().length;
        }
      }
      double secs = (System.nanoTime() - start) / 1e9;
      Map<String, Object> answer = new LinkedHashMap<>();
      answer.put("records", count);
      answer.put("bytes", bytes);
      answer.put("seconds", secs);
      answer.put("mib_s", bytes / (1024.0 * 1024) / secs);
      answer.put("complete", count >= records);
      return answer;
    }
  }

  Map<String, Object> openLoop(String topic, double rate, double warmupSeconds, double seconds) throws Exception {
    long total = (long) Math.ceil(rate * (warmupSeconds + seconds));
    long measured = (long) Math.ceil(rate * seconds) + 16;
    if (measured > Integer.MAX_VALUE - 16) throw new IllegalArgumentException("too many records for one run");
    long[] produceLatency = new long[(int) measured];
    long[] e2eLatency = new long[(int) measured];
    AtomicInteger produceCount = new AtomicInteger();
    AtomicInteger e2eCount = new AtomicInteger();
    AtomicLong acked = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    AtomicLong received = new AtomicLong();
    AtomicReference<String> firstError = new AtomicReference<>();
    AtomicBoolean stop = new AtomicBoolean();

    long intervalNs = (long) (1e9 / rate);
    // The consumer starts at the end of every partition before the first send is scheduled.
    KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerProps(bootstrap));
    List<TopicPartition> partitions = partitionsOf(consumer, topic);
    consumer.assign(partitions);
    consumer.seekToEnd(partitions);
    for (TopicPartition tp : partitions) consumer.position(tp, Duration.ofSeconds(30));

    KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerProps(bootstrap));
    producer.partitionsFor(topic);
    long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(100);
    long measureFrom = start + (long) (warmupSeconds * 1e9);

    Thread reader = new Thread(() -> {
      try {
        while (!stop.get()) {
          ConsumerRecords<byte[], byte[]> batch = consumer.poll(Duration.ofMillis(100));
          long now = System.nanoTime();
          for (ConsumerRecord<byte[], byte[]> r : batch) {
            received.incrementAndGet();
            long intended = ByteBuffer.wrap(r.value(), 0, 8).getLong();
            if (intended >= measureFrom) {
              int i = e2eCount.getAndIncrement();
              if (i < e2eLatency.length) e2eLatency[i] = now - intended;
            }
          }
        }
      } catch (Exception e) {
        firstError.compareAndSet(null, "consumer: " + e);
      } finally {
        consumer.close();
      }
    }, "e2e-consumer");
    reader.start();

    long lateSends = 0;
    long maxLagNs = 0;
    ByteBuffer header = ByteBuffer.wrap(payload);
    for (long i = 0; i < total; i++) {
      final long intended = start + i * intervalNs;
      long now;
      while ((now = System.nanoTime()) < intended) LockSupport.parkNanos(intended - now);
      long lag = now - intended;
      if (lag > 1_000_000) lateSends++;
      if (lag > maxLagNs) maxLagNs = lag;
      header.putLong(0, intended);
      // send() copies the value into its batch before returning, so one payload array serves all.
      producer.send(new ProducerRecord<>(topic, payload), (metadata, error) -> {
        if (error != null) {
          failed.incrementAndGet();
          firstError.compareAndSet(null, error.toString());
          return;
        }
        long ackAt = System.nanoTime();
        acked.incrementAndGet();
        if (intended >= measureFrom) {
          int k = produceCount.getAndIncrement();
          if (k < produceLatency.length) produceLatency[k] = ackAt - intended;
        }
      });
    }
    long sendingEnded = System.nanoTime();
    producer.flush();
    producer.close(Duration.ofSeconds(30));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (received.get() < acked.get() && System.nanoTime() < deadline) Thread.sleep(20);
    stop.set(true);
    reader.join(10_000);

    Map<String, Object> answer = new LinkedHashMap<>();
    answer.put("rate", rate);
    answer.put("achieved_rate", total / ((sendingEnded - start) / 1e9));
    answer.put("sent", total);
    answer.put("acked", acked.get());
    answer.put("failed", failed.get());
    answer.put("received", received.get());
    answer.put("late_sends", lateSends);
    answer.put("max_send_lag_ms", maxLagNs / 1e6);
    answer.put("produce", percentiles(produceLatency, Math.min(produceCount.get(), produceLatency.length)));
    answer.put("e2e", percentiles(e2eLatency, Math.min(e2eCount.get(), e2eLatency.length)));
    if (firstError.get() != null) answer.put("first_error", firstError.get());
    return answer;
  }

  /** Exact percentiles (milliseconds) of the first n nanosecond samples: nearest rank. */
  static Map<String, Object> percentiles(long[] samples, int n) {
    long[] sorted = Arrays.copyOf(samples, n);
    Arrays.sort(sorted);
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("count", n);
    Map<String, Object> ms = new LinkedHashMap<>();
    for (double p : PERCENTILES) {
      double value = Double.NaN;
      if (n > 0) {
        int rank = (int) Math.ceil(p / 100.0 * n);
        value = sorted[Math.max(0, Math.min(n - 1, rank - 1))] / 1e6;
      }
      ms.put(p == 100 ? "max" : "p" + stripZero(p), value);
    }
    out.put("ms", ms);
    return out;
  }

  private static String stripZero(double p) {
    return p == Math.rint(p) ? String.valueOf((long) p) : String.valueOf(p);
  }

  // --- plumbing -----------------------------------------------------------------------------------

  static String json(Object value) {
    if (value == null) return "null";
    if (value instanceof String s) {
      StringBuilder b = new StringBuilder("\"");
      for (char c : s.toCharArray()) {
        switch (c) {
          case '"' -> b.append("\\\"");
          case '\\' -> b.append("\\\\");
          case '\n' -> b.append("\\n");
          case '\r' -> b.append("\\r");
          case '\t' -> b.append("\\t");
          default -> {
            if (c < 0x20) b.append(String.format("\\u%04x", (int) c));
            else b.append(c);
          }
        }
      }
      return b.append('"').toString();
    }
    if (value instanceof Double d) return d.isNaN() || d.isInfinite() ? "null" : d.toString();
    if (value instanceof Number || value instanceof Boolean) return value.toString();
    if (value instanceof Map<?, ?> m) {
      StringBuilder b = new StringBuilder("{");
      boolean first = true;
      for (Map.Entry<?, ?> e : m.entrySet()) {
        if (!first) b.append(',');
        first = false;
        b.append(json(e.getKey().toString())).append(':').append(json(e.getValue()));
      }
      return b.append('}').toString();
    }
    return json(value.toString());
  }

  Map<String, Object> handle(String[] a) throws Exception {
    return switch (a[0]) {
      case "create-topic" -> createTopic(a[1], Integer.parseInt(a[2]));
      case "produce" -> produce(a[1], Double.parseDouble(a[2]), Double.parseDouble(a[3]));
      case "consume" -> consume(a[1], Long.parseLong(a[2]), a.length > 3 ? Double.parseDouble(a[3]) : 300);
      case "open-loop" -> openLoop(a[1], Double.parseDouble(a[2]), Double.parseDouble(a[3]), Double.parseDouble(a[4]));
      default -> throw new IllegalArgumentException("unknown command " + a[0]);
    };
  }

  public static void main(String[] args) throws Exception {
    if (args.length < 1) {
      System.err.println("usage: LoadClient BOOTSTRAP   (then commands on stdin; see the source)");
      System.exit(2);
    }
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    LoadClient client = new LoadClient(args[0], out);
    Map<String, Object> ready = new LinkedHashMap<>();
    ready.put("ready", true);
    ready.put("settings", settings());
    out.println(json(ready));
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    String line;
    while ((line = in.readLine()) != null) {
      line = line.trim();
      if (line.isEmpty()) continue;
      if (line.equals("exit")) break;
      Map<String, Object> answer;
      try {
        answer = client.handle(line.split("\\s+"));
      } catch (Exception e) {
        answer = new LinkedHashMap<>();
        answer.put("error", e.toString());
      }
      out.println(json(answer));
    }
    out.println("{\"exited\":true}");
    System.exit(0);
  }
}
