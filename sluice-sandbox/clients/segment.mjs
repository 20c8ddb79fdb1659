// Drives the sandbox's Segment with @segment/analytics-node 3, as a new integration would.
// Env: SEG_HOST (server base, no /v1), SEG_KEY (the right write key).
import { Analytics } from '@segment/analytics-node';
import { step, finish } from './report.mjs';

const client = (writeKey, maxEventsInBatch) => new Analytics({
  writeKey, host: process.env.SEG_HOST, path: '/v1/batch', maxEventsInBatch, flushInterval: 50, maxRetries: 0,
});

// Sends the events through one client and reports, per event, the error the client saw (null when delivered).
async function send(writeKey, maxEventsInBatch, events) {
  const analytics = client(writeKey, maxEventsInBatch);
  const outcomes = events.map((e) => new Promise((resolve) => {
    const callback = (err) => resolve(err ? String(err.message ?? err.reason ?? err) : null);
    if (e.type === 'identify') analytics.identify(e, callback); else analytics.track(e, callback);
  }));
  const results = await Promise.all(outcomes);
  await analytics.closeAndFlush({ timeout: 10_000 });
  return results;
}

const big = (kb) => 'x'.repeat(kb * 1024);

await step('delivered', () => send(process.env.SEG_KEY, 10, [
  { type: 'identify', userId: 'u-1', traits: { email: 'u1@example.com' }, messageId: 'contract-identify-1' },
  { userId: 'u-1', event: 'Order Completed', properties: { total: 12.5 }, messageId: 'contract-track-1' },
]));
await step('wrongKey', () => send('not-the-write-key', 10, [
  { userId: 'u-2', event: 'Signed Up', messageId: 'contract-wrong-key-1' },
]));
// The client's own size guard counts characters oddly (it splits on "%.." and on the letter "i"),
// so a 40 KB event of plain letters passes it and reaches the API.
await step('oversizeEvent', () => send(process.env.SEG_KEY, 1, [
  { userId: 'u-3', event: 'Too Big', properties: { blob: big(40) }, messageId: 'contract-big-event' },
]));
await step('oversizeBatch', () => send(process.env.SEG_KEY, 20, Array.from({ length: 20 }, (_, i) => (
  { userId: 'u-4', event: 'Chunk', properties: { blob: big(30) }, messageId: 'contract-big-batch-' + i }))));
finish();
