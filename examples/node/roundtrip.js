#!/usr/bin/env node
// A round trip through event-bus over both of its gRPC APIs: the compatible `mq` API (the one
// the original Go event-bus SDKs speak) and the full `eventbus.v1.EventBus` API. For each API it
// publishes a message and a delayed one, receives both, checks their payloads and that the
// delayed one did not come before its delay, and acks them.
//
//   node roundtrip.js [--target host:port] [--mq-queue NAME] [--v1-queue NAME] [--delay SECONDS] [--timeout SECONDS]
//
// Environment: EVENTBUS_TOKEN (a bus with auth on), EVENTBUS_CA_FILE (a bus with TLS: its CA, PEM).
// Prints one line per step; exits 0 when every round trip succeeded, 1 otherwise.
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const crypto = require('node:crypto');
const { parseArgs } = require('node:util');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');

const USAGE = 'usage: node roundtrip.js [--target host:port] [--mq-queue NAME] [--v1-queue NAME] '
  + '[--delay SECONDS] [--timeout SECONDS]';

let options;
try {
  ({ values: options } = parseArgs({
    options: {
      target: { type: 'string', default: process.env.EVENTBUS_TARGET || '127.0.0.1:9091' },
      'mq-queue': { type: 'string' },
      'v1-queue': { type: 'string' },
      delay: { type: 'string', default: '3' },
      timeout: { type: 'string', default: '60' },
      help: { type: 'boolean', default: false },
    },
  }));
} catch (error) {
  console.error(`${error.message}\n${USAGE}`);
  process.exit(2);
}
if (options.help) {
  console.log(USAGE);
  process.exit(0);
}
const DELAY = Number(options.delay);
const TIMEOUT = Number(options.timeout);
if (!Number.isInteger(DELAY) || DELAY < 1 || !(TIMEOUT > 0)) {
  console.error(`--delay must be a whole number of seconds >= 1 and --timeout a positive number\n${USAGE}`);
  process.exit(2);
}

// Queue names unique to this run, unless given: a message left over from another run
// can never be mistaken for one of this run's.
const run = crypto.randomBytes(4).toString('hex');
const mqQueue = options['mq-queue'] || `examples.node.mq.${run}`;
const v1Queue = options['v1-queue'] || `examples.node.v1.${run}`;

// The .proto files are read from the repository's proto/ directory at start: no generated code.
const definition = protoLoader.loadSync(['mq.proto', 'eventbus/v1/eventbus.proto'], {
  includeDirs: [path.join(__dirname, '..', '..', 'proto')],
  keepCase: true, // field names exactly as in the .proto files: delaySeconds, max_messages
  longs: Number, // 64-bit integers as numbers (microsecond timestamps fit)
  defaults: true, // unset fields read as their defaults ('' and 0), as in other languages
});
const proto = grpc.loadPackageDefinition(definition);
// Plaintext gRPC by default; TLS trusting the CA of EVENTBUS_CA_FILE when it is set (a bus with
// eventbus.tls.enabled=true).
const credentials = process.env.EVENTBUS_CA_FILE
  ? grpc.credentials.createSsl(fs.readFileSync(process.env.EVENTBUS_CA_FILE))
  : grpc.credentials.createInsecure();
// A bus with eventbus.auth.enabled=true wants a bearer token on every call: an interceptor adds
// it to each call's metadata, so the calls below stay as they are.
const token = process.env.EVENTBUS_TOKEN;
const withToken = (callOptions, nextCall) => new grpc.InterceptingCall(nextCall(callOptions), {
  start(metadata, listener, next) {
    metadata.set('authorization', `Bearer ${token}`);
    next(metadata, listener);
  },
});
const clientOptions = token ? { interceptors: [withToken] } : {};
const mq = new proto.mq.Mq(options.target, credentials, clientOptions);
const bus = new proto.eventbus.v1.EventBus(options.target, credentials, clientOptions);

// A unary call as a promise, always with a deadline: a bus that does not answer fails the
// call instead of hanging it.
function call(client, method, request, seconds = 10) {
  return new Promise((resolve, reject) => {
    client[method](request, { deadline: Date.now() + seconds * 1000 }, (error, reply) => {
      if (error) {
        reject(new Error(`${method}: ${grpc.status[error.code]} ${error.details}`));
      } else {
        resolve(reply);
      }
    });
  });
}

// The first message of a server stream. The error listener stays: a stream cancelled after
// its first message ends with a CANCELLED error, which is then no failure.
function firstMessage(stream, method) {
  return new Promise((resolve, reject) => {
    stream.once('data', resolve);
    stream.on('error', (error) => reject(new Error(`${method}: ${grpc.status[error.code]} ${error.details}`)));
    stream.once('end', () => reject(new Error(`${method}: the stream ended without a message`)));
  });
}

function check(condition, message) {
  if (!condition) {
    throw new Error(message);
  }
}

function step(api, name, detail) {
  console.log(`${api.padEnd(2)}  ${name.padEnd(12)}  ok  ${detail}`);
}

const secondsSince = (start) => (performance.now() - start) / 1000;

async function mqRoundTrip(queue) {
  const now = `hello from node ${run}`;
  const later = `delayed hello from node ${run}`;

  // publish: one message to the queue (declared on first use); returns once it is durable.
  await call(mq, 'publish', { queue, data: now });
  step('mq', 'publish', `"${now}" to ${queue}`);

  // delayPublish: the bus stores the message and delivers it delaySeconds from now.
  const delayedAt = performance.now();
  await call(mq, 'delayPublish', { queue, data: later, delaySeconds: DELAY });
  step('mq', 'delayPublish', `"${later}", due in ${DELAY} s`);

  // subscribe: waits for one message until one comes or the call's deadline passes. The
  // message is in flight until acked by its id; not acked in time, it is delivered again.
  const first = await call(mq, 'subscribe', { queue }, 10);
  check(first.data === now, `subscribe: got "${first.data}", expected "${now}"`);
  step('mq', 'subscribe', `"${first.data}" (id ${first.id})`);

  // ack: the message is done and never delivered again.
  await call(mq, 'ack', { id: first.id });
  step('mq', 'ack', first.id);

  // The delayed message: this subscribe waits until it is due.
  const second = await call(mq, 'subscribe', { queue }, DELAY + 15);
  const after = secondsSince(delayedAt);
  check(second.data === later, `subscribe: got "${second.data}", expected "${later}"`);
  check(after >= DELAY, `subscribe: the delayed message came after ${after.toFixed(2)} s, before its ${DELAY} s`);
  step('mq', 'subscribe', `"${second.data}" after ${after.toFixed(1)} s, not before its ${DELAY} s`);
  await call(mq, 'ack', { id: second.id });
  step('mq', 'ack', second.id);

  console.log('mq: round trip ok');
}

async function v1RoundTrip(queue) {
  // Payloads are bytes here; this one ends with bytes that are not text.
  const now = Buffer.concat([Buffer.from(`hello from node ${run} `), Buffer.from([0x00, 0xfe, 0xff])]);
  const later = Buffer.from(`delayed hello from node ${run}`);
  const headers = { 'sent-by': 'roundtrip.js' };

  // Publish: one message to a queue (or a topic); the reply carries its id.
  const published = await call(bus, 'Publish', { queue, data: now, key: 'example', headers });
  step('v1', 'Publish', `${now.length} bytes to ${queue} (id ${published.id})`);

  // Publish with delay_seconds: durable at once, delivered when due.
  const delayedAt = performance.now();
  const delayed = await call(bus, 'Publish', { queue, data: later, delay_seconds: DELAY });
  step('v1', 'Publish', `"${later}", due in ${DELAY} s (id ${delayed.id})`);

  // Pull: a long poll for up to max_messages, waiting at most wait_seconds for the first.
  // Pulled messages are in flight until acked, or until their ack deadline passes.
  const { messages } = await call(bus, 'Pull', { queue, max_messages: 10, wait_seconds: 10 }, 20);
  check(messages.length === 1, `Pull: got ${messages.length} messages, expected the 1 published now`);
  const [pulled] = messages;
  check(pulled.id === published.id, `Pull: got id ${pulled.id}, expected ${published.id}`);
  check(pulled.data.equals(now), `Pull: got payload ${pulled.data.toString('hex')}, expected ${now.toString('hex')}`);
  check(pulled.headers['sent-by'] === headers['sent-by'] && pulled.key === 'example', 'Pull: key or headers differ');
  step('v1', 'Pull', `${pulled.data.length} bytes, same payload, key and headers (attempt ${pulled.attempt})`);

  // Ack: settles messages by id, on any bus node; acked counts the ids settled.
  const ack = await call(bus, 'Ack', { ids: [pulled.id] });
  check(ack.acked === 1, `Ack: acked ${ack.acked}, unknown ids ${ack.unknown_ids}`);
  step('v1', 'Ack', pulled.id);

  // Subscribe: a stream of the queue's messages as they come, at most max_in_flight of them
  // delivered and unacked at a time. Here it waits for the delayed message.
  const stream = bus.Subscribe({ queue, max_in_flight: 10 }, { deadline: Date.now() + (DELAY + 15) * 1000 });
  try {
    const pushed = await firstMessage(stream, 'Subscribe');
    const after = secondsSince(delayedAt);
    check(pushed.id === delayed.id, `Subscribe: got id ${pushed.id}, expected ${delayed.id}`);
    check(pushed.data.equals(later), `Subscribe: got "${pushed.data}", expected "${later}"`);
    check(after >= DELAY, `Subscribe: the delayed message came after ${after.toFixed(2)} s, before its ${DELAY} s`);
    step('v1', 'Subscribe', `"${pushed.data}" after ${after.toFixed(1)} s, not before its ${DELAY} s`);

    const acked = await call(bus, 'Ack', { ids: [pushed.id] });
    check(acked.acked === 1, `Ack: acked ${acked.acked}, unknown ids ${acked.unknown_ids}`);
    step('v1', 'Ack', pushed.id);
  } finally {
    // Ends the stream; messages it delivered and that are not acked go to the next subscriber.
    stream.cancel();
  }

  console.log('v1: round trip ok');
}

async function main() {
  console.log(`event-bus at ${options.target}, queues ${mqQueue} (mq) and ${v1Queue} (v1)`);
  await mqRoundTrip(mqQueue);
  await v1RoundTrip(v1Queue);
  console.log('all round trips ok');
}

// However the bus behaves, the script ends: every call has a deadline and the whole run a limit.
setTimeout(() => {
  console.error(`FAIL: no result within ${TIMEOUT} s (--timeout)`);
  process.exit(1);
}, TIMEOUT * 1000).unref();

main().then(
  () => process.exit(0),
  (error) => {
    console.error(`FAIL: ${error.message}`);
    process.exit(1);
  },
);
