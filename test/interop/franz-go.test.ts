import { defineClientSuite, franzGoClient } from './build-clients.ts';

/**
 * franz-go (kgo + kadm from the Go module proxy, test/interop/go) against the agent. Set
 * INTEROP_LOG_LEVEL=debug to get its protocol log in failure messages.
 */
defineClientSuite('franz-go', franzGoClient);
