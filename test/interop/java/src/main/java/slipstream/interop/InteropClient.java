package slipstream.interop;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Future;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.CreateTopicsResult;
import org.apache.kafka.clients.admin.DescribeClusterResult;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.ListShareGroupOffsetsSpec;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.ShareGroupDescription;
import org.apache.kafka.clients.admin.ShareMemberDescription;
import org.apache.kafka.clients.admin.SharePartitionOffsetInfo;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.AcknowledgeType;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.KafkaShareConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicIdPartition;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The Apache Kafka Java client, driven line by line for test/interop/java.test.ts and
 * java-security.test.ts.
 *
 * <p>Usage: {@code InteropClient BOOTSTRAP}. Each line on stdin is one command, words separated by
 * spaces; each command is answered with exactly one JSON line on stdout: the command's result, or
 * {@code {"error": "...", "errorClass": "..."}} (errorClass: the exception under the
 * ExecutionException wrappers). Client logs go to stderr (slf4j-simple). The commands mirror the
 * Go program in test/interop/go so that one scenario drives both.
 *
 * <p>Transactions (test/interop/transactions-suite.ts): {@code txn-producer TXN_ID TIMEOUT_MS}
 * makes the process's transactional producer and calls initTransactions; {@code txn-begin},
 * {@code txn-produce} (the records of {@code produce}), {@code txn-send-offsets GROUP TOPIC
 * PARTITION=OFFSET...} (with this process's consumer's groupMetadata() when it is a member of
 * GROUP, so the generation and member id are sent), {@code txn-commit}, {@code txn-abort},
 * {@code txn-close}. Consumers take an isolation level: {@code subscribe TOPIC GROUP [ISOLATION]}
 * and {@code assign TOPIC[,TOPIC...] PARTITIONS ISOLATION} (no group, from the beginning).
 * Every blocking call is bounded (max.block.ms, delivery.timeout.ms, explicit timeouts), so a
 * command answers an error rather than hanging; an error answer also lists the exception classes
 * of the whole cause chain ({@code errorChain}): the Java client wraps a transactional failure in
 * a KafkaException whose cause says what happened (ProducerFencedException, …).
 *
 * <p>Share groups (KIP-932, test/interop/java-share-groups.test.ts): {@code share-subscribe TOPIC
 * GROUP implicit|explicit [MAX_POLL_RECORDS]} makes the process's KafkaShareConsumer with that
 * share.acknowledgement.mode and subscribes; {@code share-poll MILLIS [accept|release|reject|none]}
 * polls once and answers the records with their delivery counts (in explicit mode it then
 * acknowledges each with that type and calls commitSync, unless none); {@code share-close}. The
 * Admin side: {@code alter-group-config GROUP NAME VALUE} and {@code describe-group-configs GROUP}
 * (ConfigResource type GROUP), {@code describe-share-group GROUP}, {@code share-group-offsets
 * GROUP TOPIC PARTITIONS} (listShareGroupOffsets), {@code alter-share-group-offsets GROUP TOPIC
 * PARTITION=OFFSET...} and {@code delete-share-group-offsets GROUP TOPIC}.
 *
 * <p>The environment variable {@code INTEROP_CLIENT_PROPERTIES}, when set, holds Java properties
 * (security.protocol, sasl.mechanism, sasl.jaas.config, ssl.truststore.*, ssl.keystore.*, …)
 * applied to every client the program makes, after its own defaults.
 */
public final class InteropClient {
  private final String bootstrap;
  private final String clientId;
  private Admin admin;
  private KafkaProducer<String, String> producer;
  private KafkaConsumer<String, String> consumer;
  /** The group of {@link #consumer} (null for an assigned consumer). */
  private String consumerGroup;
  private KafkaProducer<String, String> txnProducer;
  private KafkaShareConsumer<String, String> shareConsumer;
  /** {@link #shareConsumer}'s share.acknowledgement.mode: implicit or explicit. */
  private String shareMode;
  private final Properties extra = new Properties();
  private final Set<TopicPartition> assigned = new TreeSet<>(InteropClient::compare);
  private int rebalances = 0;

  private InteropClient(String bootstrap, String clientId) {
    this.bootstrap = bootstrap;
    this.clientId = clientId;
    String text = System.getenv("INTEROP_CLIENT_PROPERTIES");
    if (text != null) {
      try {
        extra.load(new java.io.StringReader(text));
      } catch (java.io.IOException e) {
        throw new IllegalArgumentException("INTEROP_CLIENT_PROPERTIES: " + e.getMessage(), e);
      }
    }
  }

  public static void main(String[] args) throws Exception {
    if (args.length < 1) {
      System.err.println("usage: InteropClient BOOTSTRAP [CLIENT_ID]");
      System.exit(2);
    }
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    InteropClient client = new InteropClient(args[0], args.length > 1 ? args[1] : "interop-java");
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    out.println("{\"ready\":true,\"client\":\"java\",\"version\":" + Json.str(org.apache.kafka.common.utils.internals.AppInfoParser.getVersion()) + "}");
    String line;
    while ((line = in.readLine()) != null) {
      line = line.trim();
      if (line.isEmpty()) continue;
      String[] words = line.split(" +");
      if (words[0].equals("exit")) break;
      String answer;
      try {
        answer = client.handle(words);
      } catch (Throwable error) {
        answer = Json.obj("error", Json.str(describe(error)), "errorClass", Json.str(errorClass(error).getName()), "errorChain", errorChain(error));
      }
      out.println(answer);
    }
    client.closeAll();
    out.println("{\"exited\":true}");
  }

  private static String describe(Throwable error) {
    StringBuilder text = new StringBuilder();
    for (Throwable e = error; e != null; e = e.getCause()) {
      if (text.length() > 0) text.append(" <- ");
      text.append(e.getClass().getName()).append(": ").append(e.getMessage());
      if (e.getCause() == e) break;
    }
    return text.toString();
  }

  /** The exception that says what went wrong: the first under the future's wrappers. */
  private static Class<?> errorClass(Throwable error) {
    Throwable e = error;
    while ((e instanceof java.util.concurrent.ExecutionException || e instanceof java.util.concurrent.CompletionException) && e.getCause() != null) {
      e = e.getCause();
    }
    return e.getClass();
  }

  /** The classes of the exception and of its causes, outermost first. */
  private static String errorChain(Throwable error) {
    List<String> names = new ArrayList<>();
    for (Throwable e = error; e != null && names.size() < 10; e = e.getCause() == e ? null : e.getCause()) names.add(Json.str(e.getClass().getName()));
    return Json.arr(names);
  }

  private static int compare(TopicPartition a, TopicPartition b) {
    int byTopic = a.topic().compareTo(b.topic());
    return byTopic != 0 ? byTopic : Integer.compare(a.partition(), b.partition());
  }

  private Admin admin() {
    if (admin == null) {
      Properties props = new Properties();
      props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
      props.put(AdminClientConfig.CLIENT_ID_CONFIG, clientId + "-admin");
      props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "15000");
      props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "20000");
      props.putAll(extra);
      admin = Admin.create(props);
    }
    return admin;
  }

  private KafkaProducer<String, String> producer() {
    if (producer == null) {
      Properties props = new Properties();
      props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
      props.put(ProducerConfig.CLIENT_ID_CONFIG, clientId + "-producer");
      props.put(ProducerConfig.ACKS_CONFIG, "all");
      props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
      props.put(ProducerConfig.LINGER_MS_CONFIG, "5");
      props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "30000");
      props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "15000");
      props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
      props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
      props.putAll(extra);
      producer = new KafkaProducer<>(props);
    }
    return producer;
  }

  /** A consumer's properties: no auto commit, fast fetches; isolation.level when given. */
  private Properties consumerProps(String group, String isolation) {
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
    if (group != null) {
      props.put(ConsumerConfig.GROUP_ID_CONFIG, group);
      // INTEROP_CLIENT_PROPERTIES may choose group.protocol=consumer (KIP-848), where the
      // coordinator decides the session timeout and heartbeat interval: they must not be set.
      if (!"consumer".equals(extra.getProperty(ConsumerConfig.GROUP_PROTOCOL_CONFIG))) {
        props.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "classic");
        props.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, "10000");
        props.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, "500");
      }
    }
    if (isolation != null) props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation);
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "10000");
    props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "200");
    props.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "20000");
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    props.putAll(extra);
    return props;
  }

  private KafkaProducer<String, String> txnProducer() {
    if (txnProducer == null) throw new IllegalStateException("no transactional producer (txn-producer first)");
    return txnProducer;
  }

  /** Sends records i (START <= i < START+COUNT) of the produce scheme and flushes; answers their [partition, offset]. */
  private static String sendAll(KafkaProducer<String, String> p, String[] w) throws Exception {
    String topic = w[1];
    int count = Integer.parseInt(w[2]);
    int keys = Integer.parseInt(w[3]);
    String prefix = w[4];
    int start = w.length > 5 ? Integer.parseInt(w[5]) : 0;
    List<Future<RecordMetadata>> sent = new ArrayList<>(count);
    for (int i = start; i < start + count; i++) sent.add(p.send(new ProducerRecord<>(topic, "k" + (i % keys), prefix + "-" + i)));
    p.flush();
    List<String> acks = new ArrayList<>(count);
    for (Future<RecordMetadata> f : sent) {
      RecordMetadata m = f.get(30, java.util.concurrent.TimeUnit.SECONDS);
      acks.add("[" + m.partition() + "," + m.offset() + "]");
    }
    return Json.obj("acks", Json.arr(acks));
  }

  private String handle(String[] w) throws Exception {
    switch (w[0]) {
      case "create-topic": {
        // create-topic TOPIC PARTITIONS [name=value ...]
        Map<String, String> configs = new HashMap<>();
        for (int i = 3; i < w.length; i++) {
          int eq = w[i].indexOf('=');
          configs.put(w[i].substring(0, eq), w[i].substring(eq + 1));
        }
        NewTopic topic = new NewTopic(w[1], Optional.of(Integer.parseInt(w[2])), Optional.empty()).configs(configs);
        CreateTopicsResult result = admin().createTopics(List.of(topic));
        result.all().get();
        return Json.obj(
            "topic", Json.str(w[1]),
            "topicId", Json.str(result.topicId(w[1]).get().toString()),
            "partitions", Integer.toString(result.numPartitions(w[1]).get()),
            "replicationFactor", Integer.toString(result.replicationFactor(w[1]).get()));
      }
      case "describe-topic": {
        TopicDescription d = admin().describeTopics(List.of(w[1])).allTopicNames().get().get(w[1]);
        List<String> partitions = new ArrayList<>();
        for (TopicPartitionInfo p : d.partitions()) {
          partitions.add(Json.obj(
              "partition", Integer.toString(p.partition()),
              "leader", p.leader() == null ? "null" : Integer.toString(p.leader().id()),
              "replicas", Json.arr(p.replicas().stream().map(n -> Integer.toString(n.id())).toList()),
              "isr", Json.arr(p.isr().stream().map(n -> Integer.toString(n.id())).toList())));
        }
        return Json.obj(
            "topic", Json.str(d.name()),
            "topicId", Json.str(d.topicId().toString()),
            "internal", Boolean.toString(d.isInternal()),
            "partitions", Json.arr(partitions));
      }
      case "create-partitions": {
        admin().createPartitions(Map.of(w[1], NewPartitions.increaseTo(Integer.parseInt(w[2])))).all().get();
        return Json.obj("topic", Json.str(w[1]), "partitions", w[2]);
      }
      case "delete-topic": {
        admin().deleteTopics(List.of(w[1])).all().get();
        return Json.obj("deleted", Json.str(w[1]));
      }
      case "list-topics": {
        Set<String> names = new TreeSet<>(admin().listTopics().names().get());
        return Json.obj("topics", Json.arr(names.stream().map(Json::str).toList()));
      }
      case "describe-configs": {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, w[1]);
        Config config = admin().describeConfigs(List.of(resource)).all().get().get(resource);
        Map<String, String> values = new TreeMap<>();
        for (ConfigEntry entry : config.entries()) values.put(entry.name(), entry.value());
        return Json.obj("configs", Json.map(values));
      }
      case "alter-config": {
        // alter-config TOPIC NAME VALUE (incremental SET)
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, w[1]);
        AlterConfigOp op = new AlterConfigOp(new ConfigEntry(w[2], w[3]), AlterConfigOp.OpType.SET);
        admin().incrementalAlterConfigs(Map.of(resource, List.of(op))).all().get();
        return Json.obj("altered", Json.str(w[1]));
      }
      case "describe-cluster": {
        DescribeClusterResult result = admin().describeCluster();
        Collection<Node> nodes = result.nodes().get();
        Node controller = result.controller().get();
        return Json.obj(
            "clusterId", Json.str(result.clusterId().get()),
            "controller", controller == null ? "null" : Integer.toString(controller.id()),
            "nodes", Json.arr(nodes.stream().map(n -> Json.obj("id", Integer.toString(n.id()), "host", Json.str(n.host()), "port", Integer.toString(n.port()))).toList()));
      }
      case "list-offsets": {
        // list-offsets TOPIC PARTITIONS earliest|latest|max-timestamp|TIMESTAMP_MS
        int count = Integer.parseInt(w[2]);
        OffsetSpec spec = switch (w[3]) {
          case "earliest" -> OffsetSpec.earliest();
          case "latest" -> OffsetSpec.latest();
          case "max-timestamp" -> OffsetSpec.maxTimestamp();
          default -> OffsetSpec.forTimestamp(Long.parseLong(w[3]));
        };
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        for (int p = 0; p < count; p++) request.put(new TopicPartition(w[1], p), spec);
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> result = admin().listOffsets(request).all().get();
        List<String> offsets = new ArrayList<>();
        for (int p = 0; p < count; p++) offsets.add(Long.toString(result.get(new TopicPartition(w[1], p)).offset()));
        return Json.obj("offsets", Json.arr(offsets));
      }
      case "group-offsets": {
        // group-offsets GROUP TOPIC PARTITIONS: the group's committed offsets (-1 = none)
        Map<TopicPartition, OffsetAndMetadata> committed = admin().listConsumerGroupOffsets(w[1]).partitionsToOffsetAndMetadata().get();
        return Json.obj("offsets", offsetsOf(committed, w[2], Integer.parseInt(w[3])));
      }
      case "describe-group": {
        ConsumerGroupDescription d = admin().describeConsumerGroups(List.of(w[1])).all().get().get(w[1]);
        List<String> members = new ArrayList<>();
        for (MemberDescription m : d.members()) {
          members.add(Json.obj(
              "memberId", Json.str(m.consumerId()),
              "clientId", Json.str(m.clientId()),
              "partitions", Json.arr(m.assignment().topicPartitions().stream().sorted(InteropClient::compare).map(tp -> Json.str(tp.topic() + "/" + tp.partition())).toList())));
        }
        return Json.obj(
            "group", Json.str(d.groupId()),
            "state", Json.str(d.groupState().toString()),
            "protocol", Json.str(d.partitionAssignor()),
            "members", Json.arr(members));
      }
      case "produce": {
        // produce TOPIC COUNT KEYS PREFIX [START]: record i (START <= i < START+COUNT) has key
        // k(i % KEYS) and value PREFIX-i; answers [partition, offset] per record, in send order
        return sendAll(producer(), w);
      }
      case "txn-producer": {
        // txn-producer TXN_ID TIMEOUT_MS: the transactional producer (transaction.timeout.ms =
        // TIMEOUT_MS), initTransactions() done
        if (txnProducer != null) throw new IllegalStateException("a transactional producer exists (txn-close first)");
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.CLIENT_ID_CONFIG, clientId + "-txn");
        props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, w[1]);
        props.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, w[2]);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        props.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "30000");
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "15000");
        // Bounds initTransactions, commitTransaction, abortTransaction, sendOffsetsToTransaction.
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "20000");
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.putAll(extra);
        KafkaProducer<String, String> p = new KafkaProducer<>(props);
        try {
          p.initTransactions();
        } catch (Exception e) {
          p.close(Duration.ZERO);
          throw e;
        }
        txnProducer = p;
        return Json.obj("transactionalId", Json.str(w[1]), "timeoutMs", w[2]);
      }
      case "txn-begin": {
        txnProducer().beginTransaction();
        return Json.obj("begun", Json.bool(true));
      }
      case "txn-produce": {
        // txn-produce TOPIC COUNT KEYS PREFIX [START]: produce's records, in the open transaction
        return sendAll(txnProducer(), w);
      }
      case "txn-send-offsets": {
        // txn-send-offsets GROUP TOPIC PARTITION=OFFSET...: sendOffsetsToTransaction with this
        // process's consumer's group metadata when it is a member of GROUP (generation and member
        // id sent), else the group id alone; answers what was sent
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (int i = 3; i < w.length; i++) {
          int eq = w[i].indexOf('=');
          offsets.put(new TopicPartition(w[2], Integer.parseInt(w[i].substring(0, eq))), new OffsetAndMetadata(Long.parseLong(w[i].substring(eq + 1))));
        }
        ConsumerGroupMetadata metadata = consumer != null && w[1].equals(consumerGroup) ? consumer.groupMetadata() : new ConsumerGroupMetadata(w[1]);
        txnProducer().sendOffsetsToTransaction(offsets, metadata);
        return Json.obj("sent", Json.bool(true), "generation", Integer.toString(metadata.generationId()), "memberId", Json.str(metadata.memberId()));
      }
      case "txn-commit": {
        txnProducer().commitTransaction();
        return Json.obj("committed", Json.bool(true));
      }
      case "txn-abort": {
        txnProducer().abortTransaction();
        return Json.obj("aborted", Json.bool(true));
      }
      case "txn-close": {
        txnProducer().close(Duration.ofSeconds(10));
        txnProducer = null;
        return Json.obj("closed", Json.bool(true));
      }
      case "produce-batch": {
        // produce-batch TOPIC PARTITION COMPRESSION COUNT PREFIX: COUNT records in one batch, from a
        // producer of their own with compression.type=COMPRESSION. Record i has key k(i % 3), or
        // none when i % 4 == 3; value PREFIX-i followed by i % 50 x's, or none when i % 5 == 4;
        // timestamp 1700000000000 + 7i; header i=<i>, and e=null when i is even.
        // Answers [partition, offset] per record.
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.CLIENT_ID_CONFIG, clientId + "-batch-producer");
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, w[3]);
        // Nothing leaves before flush(), and everything fits one batch.
        props.put(ProducerConfig.LINGER_MS_CONFIG, "60000");
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(1 << 20));
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.putAll(extra);
        int partition = Integer.parseInt(w[2]);
        int count = Integer.parseInt(w[4]);
        List<Future<RecordMetadata>> sent = new ArrayList<>(count);
        try (KafkaProducer<String, String> batchProducer = new KafkaProducer<>(props)) {
          for (int i = 0; i < count; i++) {
            List<Header> headers = new ArrayList<>();
            headers.add(new RecordHeader("i", Integer.toString(i).getBytes(StandardCharsets.UTF_8)));
            if (i % 2 == 0) headers.add(new RecordHeader("e", null));
            String key = i % 4 == 3 ? null : "k" + (i % 3);
            String value = i % 5 == 4 ? null : w[5] + "-" + i + "x".repeat(i % 50);
            sent.add(batchProducer.send(new ProducerRecord<>(w[1], partition, 1700000000000L + 7L * i, key, value, headers)));
          }
          batchProducer.flush();
          List<String> acks = new ArrayList<>(count);
          for (Future<RecordMetadata> f : sent) {
            RecordMetadata m = f.get();
            acks.add("[" + m.partition() + "," + m.offset() + "]");
          }
          return Json.obj("acks", Json.arr(acks));
        }
      }
      case "read": {
        // read TOPIC PARTITION FROM: every record from offset FROM to the end offset, by a consumer
        // of its own (assigned, no group): [offset, timestamp, key, value, [[header, value]...]],
        // keys and values in base64 (null for none)
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId + "-reader");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "200");
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.putAll(extra);
        TopicPartition tp = new TopicPartition(w[1], Integer.parseInt(w[2]));
        try (KafkaConsumer<byte[], byte[]> reader = new KafkaConsumer<>(props)) {
          reader.assign(List.of(tp));
          reader.seek(tp, Long.parseLong(w[3]));
          long end = reader.endOffsets(List.of(tp), Duration.ofSeconds(20)).get(tp);
          long deadline = System.currentTimeMillis() + 30000;
          List<String> out = new ArrayList<>();
          while (reader.position(tp, Duration.ofSeconds(20)) < end) {
            if (System.currentTimeMillis() > deadline) throw new IllegalStateException("read " + out.size() + " records, position " + reader.position(tp) + " of " + end);
            for (ConsumerRecord<byte[], byte[]> r : reader.poll(Duration.ofMillis(500))) {
              List<String> headers = new ArrayList<>();
              for (Header h : r.headers()) headers.add(Json.arr(List.of(Json.str(h.key()), base64(h.value()))));
              out.add(Json.arr(List.of(Long.toString(r.offset()), Long.toString(r.timestamp()), base64(r.key()), base64(r.value()), Json.arr(headers))));
            }
          }
          return Json.obj("records", Json.arr(out), "position", Long.toString(reader.position(tp)));
        }
      }
      case "subscribe": {
        // subscribe TOPIC GROUP [ISOLATION]: ISOLATION read_committed|read_uncommitted (default:
        // the client's, read_uncommitted)
        if (consumer != null) throw new IllegalStateException("already subscribed");
        consumer = new KafkaConsumer<>(consumerProps(w[2], w.length > 3 ? w[3] : null));
        consumerGroup = w[2];
        consumer.subscribe(List.of(w[1]), new ConsumerRebalanceListener() {
          @Override
          public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            assigned.removeAll(partitions);
          }

          @Override
          public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            assigned.addAll(partitions);
            rebalances++;
          }
        });
        return Json.obj("subscribed", Json.str(w[1]), "group", Json.str(w[2]), "isolation", Json.str(w.length > 3 ? w[3] : null));
      }
      case "assign": {
        // assign TOPIC[,TOPIC...] PARTITIONS ISOLATION: a consumer without a group, assigned
        // partitions 0..PARTITIONS-1 of each topic, from the beginning
        if (consumer != null) throw new IllegalStateException("already subscribed");
        List<TopicPartition> partitions = new ArrayList<>();
        for (String topic : w[1].split(",")) {
          for (int p = 0; p < Integer.parseInt(w[2]); p++) partitions.add(new TopicPartition(topic, p));
        }
        consumer = new KafkaConsumer<>(consumerProps(null, w[3]));
        consumerGroup = null;
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        assigned.addAll(partitions);
        return Json.obj("assigned", assignment(), "isolation", Json.str(w[3]));
      }
      case "poll": {
        // poll MILLIS: one poll; the records it returned ([partition, offset, key, value, topic])
        // and the assignment after it
        ConsumerRecords<String, String> records = consumer.poll(Duration.ofMillis(Long.parseLong(w[1])));
        List<String> out = new ArrayList<>(records.count());
        for (ConsumerRecord<String, String> r : records) {
          out.add("[" + r.partition() + "," + r.offset() + "," + Json.str(r.key()) + "," + Json.str(r.value()) + "," + Json.str(r.topic()) + "]");
        }
        return Json.obj("records", Json.arr(out), "assignment", assignment(), "rebalances", Integer.toString(rebalances));
      }
      case "commit": {
        consumer.commitSync(Duration.ofSeconds(20));
        return Json.obj("committed", Json.bool(true), "assignment", assignment());
      }
      case "committed": {
        // committed TOPIC PARTITIONS: this consumer's view of the group's committed offsets
        Set<TopicPartition> partitions = new HashSet<>();
        int count = Integer.parseInt(w[2]);
        for (int p = 0; p < count; p++) partitions.add(new TopicPartition(w[1], p));
        return Json.obj("offsets", offsetsOf(consumer.committed(partitions, Duration.ofSeconds(20)), w[1], count));
      }
      case "end-offsets": {
        // end-offsets TOPIC PARTITIONS: at the consumer's isolation level (read_committed: the
        // last stable offsets)
        List<TopicPartition> partitions = new ArrayList<>();
        int count = Integer.parseInt(w[2]);
        for (int p = 0; p < count; p++) partitions.add(new TopicPartition(w[1], p));
        Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, Duration.ofSeconds(20));
        List<String> offsets = new ArrayList<>();
        for (TopicPartition tp : partitions) offsets.add(Long.toString(ends.get(tp)));
        return Json.obj("offsets", Json.arr(offsets));
      }
      case "share-subscribe": {
        // share-subscribe TOPIC GROUP implicit|explicit [MAX_POLL_RECORDS]: the process's share
        // consumer (KIP-932) with that share.acknowledgement.mode, subscribed to TOPIC
        if (shareConsumer != null) throw new IllegalStateException("already a share consumer (share-close first)");
        if (!w[3].equals("implicit") && !w[3].equals("explicit")) throw new IllegalArgumentException("acknowledgement mode implicit|explicit, not " + w[3]);
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, w[2]);
        props.put(ConsumerConfig.SHARE_ACKNOWLEDGEMENT_MODE_CONFIG, w[3]);
        if (w.length > 4) props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, w[4]);
        props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "200");
        props.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "20000");
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.putAll(extra);
        // The share consumer refuses the classic and KIP-848 group settings outright.
        props.remove(ConsumerConfig.GROUP_PROTOCOL_CONFIG);
        shareConsumer = new KafkaShareConsumer<>(props);
        shareMode = w[3];
        shareConsumer.subscribe(List.of(w[1]));
        return Json.obj("subscribed", Json.str(w[1]), "group", Json.str(w[2]), "mode", Json.str(w[3]));
      }
      case "share-poll": {
        // share-poll MILLIS [accept|release|reject|none]: one poll of the share consumer; the
        // records ([partition, offset, key, value, topic, deliveryCount]). In explicit mode each
        // record is then acknowledged with the type given and commitSync sends them (none: left
        // unacknowledged, so the next poll fails until they are); commitErrors lists what the
        // broker refused, per partition. In implicit mode the next poll (or share-close) accepts.
        // lockMs: acquisitionLockTimeoutMs(), the lock duration the broker last answered (null: none yet).
        if (shareConsumer == null) throw new IllegalStateException("no share consumer (share-subscribe first)");
        String type = w.length > 2 ? w[2] : "none";
        if (shareMode.equals("implicit") && !type.equals("none")) throw new IllegalArgumentException("implicit mode acknowledges by itself: share-poll MILLIS");
        ConsumerRecords<String, String> records = shareConsumer.poll(Duration.ofMillis(Long.parseLong(w[1])));
        List<String> out = new ArrayList<>(records.count());
        for (ConsumerRecord<String, String> r : records) {
          out.add("[" + r.partition() + "," + r.offset() + "," + Json.str(r.key()) + "," + Json.str(r.value()) + "," + Json.str(r.topic()) + "," + r.deliveryCount().map(Object::toString).orElse("null") + "]");
        }
        List<String> errors = new ArrayList<>();
        if (shareMode.equals("explicit") && !type.equals("none")) {
          AcknowledgeType ack = AcknowledgeType.valueOf(type.toUpperCase(java.util.Locale.ROOT));
          for (ConsumerRecord<String, String> r : records) shareConsumer.acknowledge(r, ack);
          if (!records.isEmpty()) {
            for (Map.Entry<TopicIdPartition, Optional<KafkaException>> e : shareConsumer.commitSync(Duration.ofSeconds(20)).entrySet()) {
              e.getValue().ifPresent(error -> errors.add(Json.obj("partition", Json.str(e.getKey().topic() + "/" + e.getKey().partition()), "error", Json.str(describe(error)), "errorClass", Json.str(error.getClass().getName()))));
            }
          }
        }
        Optional<Integer> lockMs = shareConsumer.acquisitionLockTimeoutMs();
        return Json.obj("records", Json.arr(out), "acknowledged", Json.str(type), "commitErrors", Json.arr(errors), "lockMs", lockMs.map(Object::toString).orElse("null"));
      }
      case "share-close": {
        if (shareConsumer == null) throw new IllegalStateException("no share consumer");
        KafkaShareConsumer<String, String> closing = shareConsumer;
        shareConsumer = null;
        shareMode = null;
        closing.close(Duration.ofSeconds(20));
        return Json.obj("closed", Json.bool(true));
      }
      case "alter-group-config": {
        // alter-group-config GROUP NAME VALUE: incremental SET on ConfigResource type GROUP
        ConfigResource resource = new ConfigResource(ConfigResource.Type.GROUP, w[1]);
        AlterConfigOp op = new AlterConfigOp(new ConfigEntry(w[2], w[3]), AlterConfigOp.OpType.SET);
        admin().incrementalAlterConfigs(Map.of(resource, List.of(op))).all().get();
        return Json.obj("altered", Json.str(w[1]));
      }
      case "describe-group-configs": {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.GROUP, w[1]);
        Config config = admin().describeConfigs(List.of(resource)).all().get().get(resource);
        Map<String, String> values = new TreeMap<>();
        Map<String, String> sources = new TreeMap<>();
        for (ConfigEntry entry : config.entries()) {
          values.put(entry.name(), entry.value());
          sources.put(entry.name(), entry.source().toString());
        }
        return Json.obj("configs", Json.map(values), "sources", Json.map(sources));
      }
      case "describe-share-group": {
        ShareGroupDescription d = admin().describeShareGroups(List.of(w[1])).all().get().get(w[1]);
        List<String> members = new ArrayList<>();
        for (ShareMemberDescription m : d.members()) {
          members.add(Json.obj(
              "memberId", Json.str(m.consumerId()),
              "clientId", Json.str(m.clientId()),
              "memberEpoch", Integer.toString(m.memberEpoch()),
              "partitions", Json.arr(m.assignment().topicPartitions().stream().sorted(InteropClient::compare).map(tp -> Json.str(tp.topic() + "/" + tp.partition())).toList())));
        }
        return Json.obj(
            "group", Json.str(d.groupId()),
            "state", Json.str(d.groupState().toString()),
            "groupEpoch", Integer.toString(d.groupEpoch()),
            "assignmentEpoch", Integer.toString(d.targetAssignmentEpoch()),
            "coordinator", d.coordinator() == null ? "null" : Integer.toString(d.coordinator().id()),
            "members", Json.arr(members));
      }
      case "share-group-offsets": {
        // share-group-offsets GROUP TOPIC PARTITIONS: each partition's start offset (-1 = no
        // state) and lag (null = unknown), by listShareGroupOffsets
        int count = Integer.parseInt(w[3]);
        List<TopicPartition> partitions = new ArrayList<>();
        for (int p = 0; p < count; p++) partitions.add(new TopicPartition(w[2], p));
        Map<TopicPartition, SharePartitionOffsetInfo> info = admin().listShareGroupOffsets(Map.of(w[1], new ListShareGroupOffsetsSpec().topicPartitions(partitions))).partitionsToOffsetInfo(w[1]).get();
        List<String> offsets = new ArrayList<>();
        List<String> lags = new ArrayList<>();
        for (TopicPartition tp : partitions) {
          SharePartitionOffsetInfo o = info.get(tp);
          offsets.add(Long.toString(o == null ? -1 : o.startOffset()));
          lags.add(o == null ? "null" : o.lag().map(Object::toString).orElse("null"));
        }
        return Json.obj("offsets", Json.arr(offsets), "lags", Json.arr(lags));
      }
      case "alter-share-group-offsets": {
        // alter-share-group-offsets GROUP TOPIC PARTITION=OFFSET...: new start offsets
        Map<TopicPartition, Long> offsets = new HashMap<>();
        for (int i = 3; i < w.length; i++) {
          int eq = w[i].indexOf('=');
          offsets.put(new TopicPartition(w[2], Integer.parseInt(w[i].substring(0, eq))), Long.parseLong(w[i].substring(eq + 1)));
        }
        admin().alterShareGroupOffsets(w[1], offsets).all().get();
        return Json.obj("altered", Json.str(w[1]));
      }
      case "delete-share-group-offsets": {
        // delete-share-group-offsets GROUP TOPIC: the group's state on every partition of TOPIC
        admin().deleteShareGroupOffsets(w[1], Set.of(w[2])).all().get();
        return Json.obj("deleted", Json.str(w[2]));
      }
      case "close-consumer": {
        consumer.close(org.apache.kafka.clients.consumer.CloseOptions.timeout(Duration.ofSeconds(20)));
        consumer = null;
        consumerGroup = null;
        assigned.clear();
        return Json.obj("closed", Json.bool(true));
      }
      default:
        throw new IllegalArgumentException("unknown command " + w[0]);
    }
  }

  private static String base64(byte[] bytes) {
    return bytes == null ? "null" : Json.str(Base64.getEncoder().encodeToString(bytes));
  }

  private String assignment() {
    return Json.arr(assigned.stream().map(tp -> Json.str(tp.topic() + "/" + tp.partition())).toList());
  }

  private static String offsetsOf(Map<TopicPartition, OffsetAndMetadata> committed, String topic, int count) {
    List<String> offsets = new ArrayList<>();
    for (int p = 0; p < count; p++) {
      OffsetAndMetadata o = committed.get(new TopicPartition(topic, p));
      offsets.add(Long.toString(o == null ? -1 : o.offset()));
    }
    return Json.arr(offsets);
  }

  private void closeAll() {
    Duration timeout = Duration.ofSeconds(10);
    if (consumer != null) consumer.close(org.apache.kafka.clients.consumer.CloseOptions.timeout(timeout));
    if (shareConsumer != null) shareConsumer.close(timeout);
    if (producer != null) producer.close(timeout);
    if (txnProducer != null) txnProducer.close(timeout);
    if (admin != null) admin.close(timeout);
  }

  /** Just enough JSON writing for the answers above (no dependency). */
  static final class Json {
    static String str(String s) {
      if (s == null) return "null";
      StringBuilder b = new StringBuilder(s.length() + 2).append('"');
      for (int i = 0; i < s.length(); i++) {
        char c = s.charAt(i);
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

    static String bool(boolean v) {
      return Boolean.toString(v);
    }

    static String arr(List<String> items) {
      return "[" + String.join(",", items) + "]";
    }

    static String obj(String... pairs) {
      StringBuilder b = new StringBuilder("{");
      for (int i = 0; i < pairs.length; i += 2) {
        if (i > 0) b.append(',');
        b.append(str(pairs[i])).append(':').append(pairs[i + 1]);
      }
      return b.append('}').toString();
    }

    static String map(Map<String, String> values) {
      StringBuilder b = new StringBuilder("{");
      for (Map.Entry<String, String> e : values.entrySet()) {
        if (b.length() > 1) b.append(',');
        b.append(str(e.getKey())).append(':').append(str(e.getValue()));
      }
      return b.append('}').toString();
    }
  }
}
