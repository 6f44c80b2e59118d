/**
 * ACL authorization for the Kafka path: the decision (`authorize`, `AclIndex`), the
 * DescribeAcls/DeleteAcls filters, what each Kafka API needs, and the wire codes.
 */
export * from './authorizer.ts';
export * from './kafka-apis.ts';
export * from './wire.ts';
export * from './vocabulary.ts';
