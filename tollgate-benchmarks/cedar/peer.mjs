// The Cedar peer of DecideBenchmark.decideCedarEquivalent.
//
// Reads the sets CedarExport wrote (one JSON file per mix and policy count: the Cedar policies,
// the request and the decision Tollgate reached), pre-parses each policy set once
// (preparsePolicySet), checks that Cedar decides as Tollgate did, then times
// statefulIsAuthorized on a request built once, as the JMH benchmark times decide on an action
// parsed once. Prints one JSON array of results on stdout.
//
//   node peer.mjs <sets-directory> [--only specific-100] [--warmup-ms 2000] [--measure-ms 5000]
//       [--throughput-ms 3000]

import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  getCedarVersion,
  preparsePolicySet,
  statefulIsAuthorized,
} from '@cedar-policy/cedar-wasm/nodejs';

const argv = process.argv.slice(2);
const dir = argv[0];
const opt = (name, fallback) => {
  const i = argv.indexOf(name);
  return i >= 0 ? Number(argv[i + 1]) : fallback;
};
const warmupMs = opt('--warmup-ms', 2000);
const measureMs = opt('--measure-ms', 5000);
const throughputMs = opt('--throughput-ms', 3000);
const only = argv.includes('--only') ? argv[argv.indexOf('--only') + 1] : null;
if (!dir) {
  console.error('usage: node peer.mjs <sets-directory> [--warmup-ms N] [--measure-ms N] [--throughput-ms N]');
  process.exit(2);
}

const order = (f) => [f.startsWith('specific') ? 0 : 1, Number(f.match(/-(\d+)\.json$/)[1])];
const files = readdirSync(dir)
  .filter((f) => /^(specific|wildcard)-\d+\.json$/.test(f))
  .filter((f) => only === null || f === `${only}.json`)
  .sort((a, b) => {
    const [ma, na] = order(a);
    const [mb, nb] = order(b);
    return ma - mb || na - nb;
  });

let sink = 0;
const results = [];
for (const file of files) {
  const set = JSON.parse(readFileSync(join(dir, file), 'utf8'));
  const id = `${set.mix}-${set.policies}`;
  const parsed = preparsePolicySet(id, { staticPolicies: set.cedar });
  if (parsed.type !== 'success') {
    throw new Error(`${id}: Cedar cannot parse the set: ${JSON.stringify(parsed.errors)}`);
  }
  const call = { ...set.request, preparsedPolicySetId: id };

  // Check: the same decision for the same reasons, and no policy erroring.
  const answer = statefulIsAuthorized(call);
  if (answer.type !== 'success') {
    throw new Error(`${id}: authorization failed: ${JSON.stringify(answer.errors)}`);
  }
  const { decision, diagnostics } = answer.response;
  const reasons = diagnostics.reason.filter((p) => p !== 'default-allow').sort();
  const agrees = decision === set.expected.decision
    && JSON.stringify(reasons) === JSON.stringify(set.expected.reasons)
    && diagnostics.errors.length === 0;
  if (!agrees) {
    throw new Error(`${id}: Cedar decided ${decision} ${JSON.stringify(reasons)} (errors `
      + `${JSON.stringify(diagnostics.errors)}), Tollgate ${JSON.stringify(set.expected)}`);
  }

  const runFor = (ms, body) => {
    const end = process.hrtime.bigint() + BigInt(ms) * 1_000_000n;
    while (process.hrtime.bigint() < end) {
      body();
    }
  };
  runFor(warmupMs, () => {
    sink ^= statefulIsAuthorized(call).type.length;
  });

  const samples = [];
  runFor(measureMs, () => {
    const t0 = process.hrtime.bigint();
    const a = statefulIsAuthorized(call);
    const t1 = process.hrtime.bigint();
    sink ^= a.type.length;
    samples.push(Number(t1 - t0));
  });
  samples.sort((a, b) => a - b);
  const pct = (p) => samples[Math.min(samples.length - 1, Math.floor(p * samples.length))] / 1000;
  const mean = samples.reduce((s, x) => s + x, 0) / samples.length / 1000;

  let calls = 0;
  const t0 = process.hrtime.bigint();
  const end = t0 + BigInt(throughputMs) * 1_000_000n;
  let now = t0;
  while (now < end) {
    for (let k = 0; k < 16; k++) {
      sink ^= statefulIsAuthorized(call).type.length;
    }
    calls += 16;
    now = process.hrtime.bigint();
  }
  const throughput = calls / (Number(now - t0) / 1e9);

  results.push({
    mix: set.mix,
    policies: set.policies,
    decision,
    samples: samples.length,
    p50_us: pct(0.5),
    p99_us: pct(0.99),
    mean_us: mean,
    throughput_ops_s: throughput,
  });
  console.error(`cedar ${id}: p50 ${pct(0.5).toFixed(2)} us, p99 ${pct(0.99).toFixed(2)} us, `
    + `${Math.round(throughput)} ops/s (${decision}, agrees with Tollgate)`);
}

console.log(JSON.stringify({
  cedar: getCedarVersion(),
  node: process.version,
  warmupMs,
  measureMs,
  throughputMs,
  sink,
  results,
}, null, 2));
