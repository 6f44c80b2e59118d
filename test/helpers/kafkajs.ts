import type { Consumer } from 'kafkajs';

/**
 * Connects `consumer`, reads `topic` from the beginning until `count` records arrived (or fails
 * after `timeoutMs` saying how many did), disconnects, and answers the values in arrival order.
 */
export async function consumeValues(consumer: Consumer, topic: string, count: number, timeoutMs = 20_000): Promise<string[]> {
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    const got: string[] = [];
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`consumed ${got.length} of ${count}`)), timeoutMs);
      void consumer
        .run({
          eachMessage: async ({ message }) => {
            got.push(String(message.value));
            if (got.length >= count) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch(reject);
    });
    return got;
  } finally {
    await consumer.disconnect();
  }
}
