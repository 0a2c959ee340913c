/**
 * Summarises V8 CPU profiles (`.cpuprofile`, as PARLEY_BENCH_SERVER_PROF writes
 * them for the signaling server, processes.ts): the heaviest functions by self time,
 * and by total time (the function and what it called, each function counted once
 * per sample however deep it recurses).
 *
 *   npx tsx test/bench/signaling/profileTop.ts <file.cpuprofile>… [--top N]
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { addSelfTimes, topSelfTimes, where, type CpuProfile, type ProfileNode, type SelfTimes } from '../pageProfile';

interface TreeNode extends ProfileNode {
  children?: number[];
}

/** Total (inclusive) time per function, ms. */
export function addTotalTimes(into: SelfTimes, profile: CpuProfile): void {
  const nodes = profile.nodes as TreeNode[];
  const parent = new Map<number, number>();
  for (const node of nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  for (let i = 0; i < samples.length; i++) {
    const ms = (deltas[i + 1] ?? 0) / 1000;
    const seen = new Set<string>();
    for (let id: number | undefined = samples[i]; id !== undefined; id = parent.get(id)) {
      const node = byId.get(id);
      if (!node) break;
      const key = where(node);
      if (seen.has(key)) continue;
      seen.add(key);
      into.set(key, (into.get(key) ?? 0) + ms);
    }
  }
}

function main(): void {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { top: { type: 'string', default: '30' } } });
  const top = Number(values.top);
  if (positionals.length === 0 || !Number.isInteger(top) || top < 1) {
    throw new Error('usage: npx tsx test/bench/signaling/profileTop.ts <file.cpuprofile>… [--top N]');
  }
  const self: SelfTimes = new Map();
  const total: SelfTimes = new Map();
  for (const file of positionals) {
    const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
    addSelfTimes(self, profile);
    addTotalTimes(total, profile);
  }
  const runs = positionals.length;
  console.log(`self time, mean of ${runs} profile(s):`);
  for (const line of topSelfTimes(self, top, runs)) console.log(line);
  console.log(`\ntotal time (with callees), mean of ${runs} profile(s):`);
  for (const line of topSelfTimes(total, top, runs)) console.log(line);
}

main();
