package slipstream.streams;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.LongDeserializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Produced;

/**
 * A Kafka Streams word count with {@code processing.guarantee=exactly_once_v2}, and the plain
 * clients around it, for test/interop/kafka-streams.test.ts. Every mode writes JSON lines on
 * stdout; client logs go to stderr (slf4j-simple).
 *
 * <ul>
 *   <li>{@code run BOOTSTRAP APP_ID INPUT OUTPUT STATE_DIR THREADS}: the Streams application.
 *       Input values are lines of words separated by spaces; the output topic gets, per word, its
 *       new count (String key, Long value) after each occurrence (record caches are off, so every
 *       input word yields exactly one output record). Prints {@code {"event":"state","from",
 *       "to"}} on every state change, {@code {"event":"progress","lines","counted"}} (records
 *       processed so far, committed or not) every 250 ms when it moved, and {@code
 *       {"event":"error",...}} for an uncaught exception (the thread is replaced). A line
 *       {@code exit} on stdin (or its end) closes the application cleanly: {@code
 *       {"event":"closed"}}.
 *   <li>{@code produce BOOTSTRAP TOPIC}: an idempotent {@code acks=all} producer; each stdin line
 *       {@code > KEY VALUE...} is one record, {@code flush} waits for every record's
 *       acknowledgement and answers {@code {"acked":N,"failed":N,"error":...}}.
 *   <li>{@code tail BOOTSTRAP TOPIC}: a {@code read_committed} consumer of every partition from
 *       the beginning, printing each record as {@code {"p","o","k","v"}} (v a Long) until stdin
 *       ends.
 *   <li>{@code dump BOOTSTRAP TOPIC}: the same consumer, once: every record up to the partitions'
 *       last stable offsets, then {@code {"end":{PARTITION:OFFSET}}}.
 *   <li>{@code lag BOOTSTRAP GROUP TOPIC}: {@code {"committed":{P:OFFSET},"end":{P:OFFSET}}} of
 *       the group's committed offsets and the topic's latest offsets.
 * </ul>
 */
public final class WordCount {
  private static final PrintStream OUT = new PrintStream(System.out, true, StandardCharsets.UTF_8);

  public static void main(String[] args) throws Exception {
    if (args.length < 3) usage();
    switch (args[0]) {
      case "run" -> {
        if (args.length != 7) usage();
        run(args[1], args[2], args[3], args[4], args[5], Integer.parseInt(args[6]));
      }
      case "produce" -> produce(args[1], args[2]);
      case "tail" -> consume(args[1], args[2], true);
      case "dump" -> consume(args[1], args[2], false);
      case "lag" -> {
        if (args.length != 4) usage();
        lag(args[1], args[2], args[3]);
      }
      default -> usage();
    }
    System.exit(0);
  }

  private static void usage() {
    System.err.println("usage: WordCount run BOOTSTRAP APP_ID INPUT OUTPUT STATE_DIR THREADS | produce BOOTSTRAP TOPIC | tail BOOTSTRAP TOPIC | dump BOOTSTRAP TOPIC | lag BOOTSTRAP GROUP TOPIC");
    System.exit(2);
  }

  private static synchronized void emit(String json) {
    OUT.println(json);
  }

  // --- the Streams application -----------------------------------------------------------------

  private static void run(String bootstrap, String appId, String input, String output, String stateDir, int threads) throws Exception {
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, appId);
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);
    // No record cache: every input word is one update of the store and one output record.
    props.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 0);
    props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir);
    props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, threads);
    // The classic consumer group protocol (the KIP-848/KIP-1071 ones are not served).
    props.put(StreamsConfig.GROUP_PROTOCOL_CONFIG, "classic");
    props.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, 1);
    props.put(StreamsConfig.DEFAULT_KEY_SERDE_CLASS_CONFIG, Serdes.StringSerde.class);
    props.put(StreamsConfig.DEFAULT_VALUE_SERDE_CLASS_CONFIG, Serdes.StringSerde.class);
    // A killed instance's members leave the group after 6 s (the broker's minimum), not 45.
    props.put(StreamsConfig.consumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG), 6000);
    props.put(StreamsConfig.consumerPrefix(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG), 1000);
    // A transaction left open by a killed instance is aborted by the coordinator after 10 s.
    props.put(StreamsConfig.producerPrefix(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG), 10000);
    // Find a restarted or replaced agent quickly.
    props.put(StreamsConfig.METADATA_MAX_AGE_CONFIG, 5000);
    props.put(StreamsConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 1000);

    AtomicLong lines = new AtomicLong();
    AtomicLong counted = new AtomicLong();
    StreamsBuilder builder = new StreamsBuilder();
    builder.stream(input, Consumed.with(Serdes.String(), Serdes.String()))
        .peek((k, v) -> lines.incrementAndGet())
        .flatMapValues(line -> Arrays.stream(line.trim().split("\\s+")).filter(w -> !w.isEmpty()).collect(Collectors.toList()))
        .groupBy((k, word) -> word, Grouped.with("words", Serdes.String(), Serdes.String()))
        .count(Materialized.as("counts"))
        .toStream()
        .peek((w, c) -> counted.incrementAndGet())
        .to(output, Produced.with(Serdes.String(), Serdes.Long()));

    KafkaStreams streams = new KafkaStreams(builder.build(), props);
    streams.setStateListener((to, from) -> emit("{\"event\":\"state\",\"from\":\"" + from + "\",\"to\":\"" + to + "\"}"));
    streams.setUncaughtExceptionHandler(error -> {
      emit("{\"event\":\"error\",\"thread\":" + json(Thread.currentThread().getName()) + ",\"class\":" + json(error.getClass().getName()) + ",\"error\":" + json(String.valueOf(error.getMessage())) + ",\"cause\":" + json(String.valueOf(error.getCause())) + "}");
      return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
    });
    streams.start();

    Thread progress = new Thread(() -> {
      long lastLines = -1, lastCounted = -1;
      while (!Thread.currentThread().isInterrupted()) {
        long l = lines.get(), c = counted.get();
        if (l != lastLines || c != lastCounted) {
          emit("{\"event\":\"progress\",\"lines\":" + l + ",\"counted\":" + c + "}");
          lastLines = l;
          lastCounted = c;
        }
        try {
          Thread.sleep(250);
        } catch (InterruptedException e) {
          return;
        }
      }
    }, "progress");
    progress.setDaemon(true);
    progress.start();

    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    String line;
    while ((line = in.readLine()) != null && !line.trim().equals("exit")) {
      // only "exit" is a command
    }
    boolean closed = streams.close(Duration.ofSeconds(30));
    progress.interrupt();
    emit("{\"event\":\"closed\",\"clean\":" + closed + ",\"lines\":" + lines.get() + ",\"counted\":" + counted.get() + "}");
  }

  // --- the input's producer --------------------------------------------------------------------

  private static void produce(String bootstrap, String topic) throws Exception {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 120000);
    props.put(ProducerConfig.METADATA_MAX_AGE_CONFIG, 5000);
    props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    AtomicLong acked = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    String[] firstError = new String[1];
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(props)) {
      emit("{\"ready\":true}");
      BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
      String line;
      while ((line = in.readLine()) != null) {
        if (line.startsWith("> ")) {
          String rest = line.substring(2);
          int space = rest.indexOf(' ');
          String key = space < 0 ? rest : rest.substring(0, space);
          String value = space < 0 ? "" : rest.substring(space + 1);
          producer.send(new ProducerRecord<>(topic, key, value), (metadata, error) -> {
            if (error == null) {
              acked.incrementAndGet();
            } else {
              failed.incrementAndGet();
              synchronized (firstError) {
                if (firstError[0] == null) firstError[0] = error.toString();
              }
            }
          });
        } else if (line.trim().equals("flush")) {
          producer.flush();
          String error;
          synchronized (firstError) {
            error = firstError[0];
          }
          emit("{\"acked\":" + acked.get() + ",\"failed\":" + failed.get() + ",\"error\":" + (error == null ? "null" : json(error)) + "}");
        } else if (line.trim().equals("exit")) {
          break;
        }
      }
    }
  }

  // --- reading the output ----------------------------------------------------------------------

  private static void consume(String bootstrap, String topic, boolean forever) throws Exception {
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, IsolationLevel.READ_COMMITTED.toString());
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.METADATA_MAX_AGE_CONFIG, 5000);
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, LongDeserializer.class);
    try (KafkaConsumer<String, Long> consumer = new KafkaConsumer<>(props)) {
      List<TopicPartition> partitions = new ArrayList<>();
      for (PartitionInfo info : consumer.partitionsFor(topic, Duration.ofSeconds(30))) partitions.add(new TopicPartition(topic, info.partition()));
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = forever ? Map.of() : consumer.endOffsets(partitions, Duration.ofSeconds(30));
      if (forever) {
        emit("{\"ready\":true,\"partitions\":" + partitions.size() + "}");
        Thread stdin = new Thread(() -> {
          try {
            while (System.in.read() >= 0) {
              // until stdin ends
            }
          } catch (java.io.IOException e) {
            // ends too
          }
          System.exit(0);
        }, "stdin");
        stdin.setDaemon(true);
        stdin.start();
      }
      StringBuilder batch = new StringBuilder();
      for (;;) {
        if (!forever) {
          boolean done = true;
          for (TopicPartition tp : partitions) if (consumer.position(tp, Duration.ofSeconds(30)) < end.get(tp)) done = false;
          if (done) break;
        }
        batch.setLength(0);
        for (ConsumerRecord<String, Long> r : consumer.poll(Duration.ofMillis(200))) {
          batch.append("{\"p\":").append(r.partition()).append(",\"o\":").append(r.offset()).append(",\"k\":").append(json(r.key())).append(",\"v\":").append(r.value()).append("}\n");
        }
        if (batch.length() > 0) {
          synchronized (WordCount.class) {
            OUT.print(batch);
            OUT.flush();
          }
        }
      }
      emit("{\"end\":" + offsets(end) + "}");
    }
  }

  private static void lag(String bootstrap, String group, String topic) throws Exception {
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    try (Admin admin = Admin.create(props)) {
      Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
      int count = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().size();
      Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
      for (int p = 0; p < count; p++) latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
      Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends = admin.listOffsets(latest).all().get();
      Map<TopicPartition, Long> mine = new HashMap<>();
      committed.forEach((tp, offset) -> {
        if (tp.topic().equals(topic) && offset != null) mine.put(tp, offset.offset());
      });
      Map<TopicPartition, Long> end = new HashMap<>();
      ends.forEach((tp, info) -> end.put(tp, info.offset()));
      emit("{\"committed\":" + offsets(mine) + ",\"end\":" + offsets(end) + "}");
    }
  }

  private static String offsets(Map<TopicPartition, Long> offsets) {
    Map<Integer, Long> sorted = new TreeMap<>();
    offsets.forEach((tp, offset) -> sorted.put(tp.partition(), offset));
    return sorted.entrySet().stream().map(e -> "\"" + e.getKey() + "\":" + e.getValue()).collect(Collectors.joining(",", "{", "}"));
  }

  private static String json(String s) {
    if (s == null) return "null";
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
}
