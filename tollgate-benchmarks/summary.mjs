// Summarises one run.sh run: the JMH JSON files (jmh*.json) and the Cedar peer's (cedar*.json) into
// Markdown tables with the ratios BENCHMARKS.md reports.
//
//   node summary.mjs <results-directory>

import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.argv[2];
// run.sh writes one JMH file and one Cedar file per (mix, policies) row, so that the members of a
// row run minutes apart at most; a single jmh.json / cedar.json is read as well.
const read = (f) => JSON.parse(readFileSync(join(dir, f), 'utf8'));
const names = readdirSync(dir).sort();
const jmh = names.filter((f) => /^jmh.*\.json$/.test(f)).flatMap(read);
const cedar = { results: names.filter((f) => /^cedar.*\.json$/.test(f)).flatMap((f) => read(f).results) };
const unread = names.includes('unread-args.json') ? read('unread-args.json') : [];
const prefilter = names.includes('prefilter.json') ? read('prefilter.json') : [];
const typical = names.includes('typical.json') ? read('typical.json') : [];

// rows[mix][policies][method] = { p50, p99, ops }
const rows = {};
const row = (mix, n, method) => {
  rows[mix] ??= {};
  rows[mix][n] ??= {};
  return (rows[mix][n][method] ??= {});
};
const toMicros = (value, unit) => {
  if (unit.startsWith('us/')) return value;
  if (unit.startsWith('ns/')) return value / 1000;
  if (unit.startsWith('ms/')) return value * 1000;
  throw new Error(`unit ${unit}`);
};
const toOpsPerSecond = (value, unit) => {
  if (unit === 'ops/us') return value * 1e6;
  if (unit === 'ops/ms') return value * 1e3;
  if (unit === 'ops/s') return value;
  throw new Error(`unit ${unit}`);
};
// A SampleTime result's p50, p99 and mean in µs, and its bytes per operation (-prof gc).
const sampled = (r) => {
  const m = r.primaryMetric;
  return {
    p50: toMicros(m.scorePercentiles['50.0'], m.scoreUnit),
    p99: toMicros(m.scorePercentiles['99.0'], m.scoreUnit),
    mean: toMicros(m.score, m.scoreUnit),
    alloc: r.secondaryMetrics?.['gc.alloc.rate.norm']?.score,
  };
};
for (const r of jmh) {
  const method = r.benchmark.split('.').pop();
  const target = row(r.params.mix, Number(r.params.policies), method);
  const m = r.primaryMetric;
  if (r.mode === 'sample') {
    Object.assign(target, sampled(r));
  } else if (r.mode === 'thrpt') {
    target.ops = toOpsPerSecond(m.score, m.scoreUnit);
    target.opsError = toOpsPerSecond(m.scoreError, m.scoreUnit);
  }
}
// Without a Throughput-mode run, throughput is one thread's 1 / mean from SampleTime.
for (const mix of Object.keys(rows)) {
  for (const n of Object.keys(rows[mix])) {
    for (const m of Object.values(rows[mix][n])) {
      if (m.ops === undefined && m.mean !== undefined) {
        m.ops = 1e6 / m.mean;
        m.derived = true;
      }
    }
  }
}
for (const c of cedar.results) {
  Object.assign(row(c.mix, c.policies, 'cedar'), { p50: c.p50_us, p99: c.p99_us, ops: c.throughput_ops_s });
}

const f = (x, digits = 2) => (x === undefined || Number.isNaN(x) ? 'n/a' : x.toFixed(digits));
const ops = (x) => (x === undefined ? 'n/a' : Math.round(x).toLocaleString('en-US'));
const anyDerived = Object.values(rows).some((byN) => Object.values(byN)
  .some((byMethod) => Object.values(byMethod).some((m) => m.derived)));
const ratio = (a, b) => (a === undefined || b === undefined ? 'n/a' : `${(a / b).toFixed(2)}x`);

const out = [];
const methods = [
  ['floor', 'floor: parse + one lookup'],
  ['pure', 'pure decision (scan, policies, redaction)'],
  ['decide', 'decide through the shell (+ audit record, in-memory stores)'],
  ['parseAndDecide', 'parse + decide'],
  ['decideCedarEquivalent', 'decide, Cedar-equivalent set'],
  ['cedar', 'Cedar peer (cedar-wasm, Node)'],
];
for (const mix of Object.keys(rows).sort()) {
  for (const n of Object.keys(rows[mix]).map(Number).sort((a, b) => a - b)) {
    const r = rows[mix][n];
    const floor = r.floor ?? {};
    out.push(`#### ${mix}, ${n} policies`, '');
    out.push('| benchmark | p50 µs | p99 µs | throughput ops/s | p50 / floor p50 | floor ops/s / ops/s | allocated B/op |');
    out.push('|---|---:|---:|---:|---:|---:|---:|');
    for (const [key, label] of methods) {
      const m = r[key];
      if (!m) continue;
      out.push(`| ${label} | ${f(m.p50)} | ${f(m.p99)} | ${ops(m.ops)} | `
        + `${key === 'floor' ? '1.00x' : ratio(m.p50, floor.p50)} | `
        + `${key === 'floor' ? '1.00x' : ratio(floor.ops, m.ops)} | `
        + `${m.alloc === undefined ? 'n/a' : Math.round(m.alloc).toLocaleString('en-US')} |`);
    }
    out.push('');
  }
}

out.push('#### Tollgate against Cedar (same policy set, same action)', '');
out.push('| mix | policies | Tollgate p50 µs | Cedar p50 µs | Cedar p50 / Tollgate p50 | Tollgate p99 µs | Cedar p99 µs | Tollgate ops/s | Cedar ops/s | Tollgate ops/s / Cedar ops/s |');
out.push('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const mix of Object.keys(rows).sort()) {
  for (const n of Object.keys(rows[mix]).map(Number).sort((a, b) => a - b)) {
    const t = rows[mix][n].decideCedarEquivalent ?? {};
    const c = rows[mix][n].cedar ?? {};
    out.push(`| ${mix} | ${n} | ${f(t.p50)} | ${f(c.p50)} | ${ratio(c.p50, t.p50)} | ${f(t.p99)} | `
      + `${f(c.p99)} | ${ops(t.ops)} | ${ops(c.ops)} | ${ratio(t.ops, c.ops)} |`);
  }
}
out.push('');

out.push('#### Targets', '');
const check = (label, ok) => out.push(`- ${label}: ${ok === undefined ? 'not measured' : ok ? 'met' : 'NOT met'}`);
for (const mix of Object.keys(rows).sort()) {
  const p = rows[mix][100]?.pure;
  if (p) {
    check(`${mix}, 100 policies, pure decision p50 ${f(p.p50)} µs ≤ 5 µs`, p.p50 <= 5);
    check(`${mix}, 100 policies, pure decision ${ops(p.alloc)} B ≤ 8,192 B`, p.alloc <= 8192);
  }
  const d = rows[mix][100]?.decide;
  if (d) {
    check(`${mix}, 100 policies, decide through the shell p50 ${f(d.p50)} µs ≤ 10 µs`, d.p50 <= 10);
  }
  for (const n of [100, 1000]) {
    const t = rows[mix][n]?.decideCedarEquivalent;
    const c = rows[mix][n]?.cedar;
    if (t && c) {
      check(`${mix}, ${n} policies, Cedar p50 / Tollgate p50 ${ratio(c.p50, t.p50)} ≥ 20x`, c.p50 / t.p50 >= 20);
    }
  }
}
const s = rows.specific;
if (s?.[10]?.decide && s?.[1000]?.decide) {
  const growth = s[1000].decide.p50 / s[10].decide.p50;
  check(`specific: 100x the policies (10 to 1,000) costs ${growth.toFixed(2)}x at p50 (sublinear means far below 100x)`, growth < 10);
}
if (typical.length > 0) {
  out.push('', '#### A typical 1 KB action (specific, 100 policies)', '');
  out.push('| benchmark | p50 µs | p99 µs | p50 / floor p50 | allocated B/op |');
  out.push('|---|---:|---:|---:|---:|');
  const t = {};
  for (const r of typical) {
    t[r.benchmark.split('.').pop()] = sampled(r);
  }
  for (const [method, label] of [['floor', 'floor: parse + one lookup'], ['pure', 'pure decision'],
    ['decide', 'decide through the shell']]) {
    const m = t[method] ?? {};
    out.push(`| ${label} | ${f(m.p50)} | ${f(m.p99)} | ${ratio(m.p50, t.floor?.p50)} | ${ops(m.alloc)} |`);
  }
  out.push('');
  if (t.pure) {
    check(`typical 1 KB action, pure decision p50 ${f(t.pure.p50)} µs ≤ 5 µs`, t.pure.p50 <= 5);
    check(`typical 1 KB action, pure decision ${ops(t.pure.alloc)} B ≤ 8,192 B`, t.pure.alloc <= 8192);
  }
  if (t.decide) {
    check(`typical 1 KB action, decide through the shell p50 ${f(t.decide.p50)} µs ≤ 10 µs`, t.decide.p50 <= 10);
  }
}
if (prefilter.length > 0) {
  out.push('', '#### An action no detector can match (specific, 100 policies, pure decision)', '');
  out.push('| detectors | p50 µs | allocated B/op |');
  out.push('|---|---:|---:|');
  const bytes = {};
  for (const r of prefilter) {
    const m = sampled(r);
    bytes[r.params.detectors] = m.alloc;
    out.push(`| ${r.params.detectors} | ${f(m.p50)} | ${ops(m.alloc)} |`);
  }
  if (bytes.on !== undefined && bytes.off !== undefined) {
    check(`the detectors cost such an action ${ops(bytes.on - bytes.off)} B (on minus off; nothing means within 64 B)`,
      Math.abs(bytes.on - bytes.off) <= 64);
  }
}
if (unread.length > 0) {
  out.push('', '#### Arguments no policy reads (specific, 100 policies: five candidates)', '');
  out.push('| unread header entries | p50 µs | p99 µs | allocated bytes / decision |');
  out.push('|---:|---:|---:|---:|');
  for (const r of unread) {
    const m = sampled(r);
    out.push(`| ${r.params.extra} | ${f(m.p50)} | ${f(m.p99)} | ${ops(m.alloc)} |`);
  }
}
if (anyDerived) {
  out.push('', 'JMH throughput is 1 / mean of the SampleTime run (one thread); run with '
    + '`MODES=sample,thrpt` for a Throughput-mode figure. Cedar throughput is a separate '
    + 'timed loop without per-call timers.');
}
console.log(out.join('\n'));
