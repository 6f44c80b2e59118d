/**
 * What the registry needs of a schema format (Avro, Protobuf, JSON Schema): parse a schema text
 * with its references, give the text to store and compare, and say why data written with one
 * schema cannot be read with another. Free of I/O: the registry resolves references (subject +
 * version → text) before it calls `parse`, so each format only ever sees texts.
 */

/** Confluent's `schemaType` values; a request without one means AVRO. */
export type SchemaType = 'AVRO' | 'PROTOBUF' | 'JSON';
export const SCHEMA_TYPES: readonly SchemaType[] = ['AVRO', 'PROTOBUF', 'JSON'];

/** A reference as a register request names it (Confluent's SchemaReference). */
export interface SchemaReference {
  /**
   * How the referring schema names it: for Avro the referenced named type's full name, for
   * Protobuf the import path (`other.proto`), for JSON Schema the `$ref` URL.
   */
  name: string;
  subject: string;
  version: number;
}

/** A reference with the referenced schema's text, its own references resolved too. */
export interface ResolvedReference extends SchemaReference {
  schema: string;
  references: readonly ResolvedReference[];
}

/** A schema text the format refuses: the registry answers 42201 with this message. */
export class InvalidSchemaError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidSchemaError';
  }
}

/** One reason two schemas are not compatible, in Confluent's terms (its `errorType` names). */
export interface CompatibilityIssue {
  /** e.g. READER_FIELD_MISSING_DEFAULT_VALUE, TYPE_MISMATCH, FIELD_KIND_CHANGED, PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL. */
  errorType: string;
  /** One sentence a user can act on, naming the field/path. */
  description: string;
}

export interface ParsedSchema {
  readonly type: SchemaType;
  /**
   * The text the registry stores and answers for this schema, and compares to find a schema it
   * already holds (registering it again answers the same id). Confluent's `canonicalString()`:
   * compact JSON for Avro and JSON Schema; the schema text for Protobuf.
   */
  canonical(): string;
  /** The text for `normalize=true`: equal for schemas that differ only in ways that carry no meaning. */
  normalized(): string;
  /**
   * Why data written with `previous` cannot be read with this schema — [] when it can. The
   * registry's levels are built from this: BACKWARD(new, old) = new.compatibilityIssues(old),
   * FORWARD(new, old) = old.compatibilityIssues(new), FULL = both.
   */
  compatibilityIssues(previous: ParsedSchema): CompatibilityIssue[];
}

export interface SchemaFormat {
  readonly type: SchemaType;
  /** Parses and checks a schema; throws InvalidSchemaError for anything the format refuses. */
  parse(schema: string, references: readonly ResolvedReference[]): ParsedSchema;
}
