/**
 * Kafka wire protocol, free of I/O: frames, request/response codec for the APIs the agent
 * serves, primitive Reader/Writer, record-batch headers and CRC-32C, the records inside batches
 * (every compression codec) and key compaction of a partition's batches.
 */
export * from './codec.ts';
export * from './errors.ts';
export { KafkaError } from './error-codes.ts';
export * from './record-batch.ts';
export * from './records.ts';
export * from './compaction.ts';
export { compress, decompress, CompressionError, type CompressionType } from './compression.ts';
export { crc32c } from './crc32c.ts';
export { Reader } from './reader.ts';
export { Writer } from './writer.ts';
export { inVersions, parseVersions } from './schema.ts';
export type { FieldDef, MessageDef, Versions } from './schema.ts';
export { ApiKeys, RequestHeaderDef, ResponseHeaderDef, requestDefs, responseDefs } from './messages.generated.ts';
export type * from './messages.generated.ts';
