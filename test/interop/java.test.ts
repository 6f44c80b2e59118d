import { defineClientSuite, javaClient } from './build-clients.ts';

/**
 * The Apache Kafka Java client (kafka-clients from Maven Central, test/interop/java) against the
 * agent: it sends high API versions (Metadata 12, Fetch with topic ids, Produce 11, ListOffsets 9,
 * JoinGroup 9, …). Set INTEROP_LOG_LEVEL=debug to get its protocol log in failure messages.
 */
defineClientSuite('Apache Kafka Java client', javaClient);
