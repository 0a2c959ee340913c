/**
 * What the resilience tests read from a page: the candidate pair a call really
 * uses (W3C webrtc-stats: the transport's selectedCandidatePairId), the state of
 * its peer connections, and whether they are the very objects seen before. Plus
 * the one setting they change through the UI: relay-only.
 */
import type { Page } from 'playwright-core';
import { visible, waitUntil, type Person } from '../e2e/harness';

declare global {
  interface Window {
    /** The peer connections a test noted, to check later that the call kept them. */
    __resilienceNoted?: RTCPeerConnection[];
  }
}

export interface PathReport {
  /** candidateType of the selected pair's local and remote candidates. */
  local: string | null;
  remote: string | null;
  /** candidateType of every remote candidate the connection learned. */
  remoteTypes: string[];
}

/** The selected candidate pair of the page's (one) peer connection, or null before there is one. */
export function selectedPath(page: Page): Promise<PathReport | null> {
  return page.evaluate(async () => {
    const [pc] = window.__parleyE2E?.peerConnections() ?? [];
    if (!pc) return null;
    const byId = new Map<string, Record<string, unknown>>();
    (await pc.getStats()).forEach((entry: unknown) => {
      const stat = entry as Record<string, unknown>;
      if (typeof stat.id === 'string') byId.set(stat.id, stat);
    });
    const stats = [...byId.values()];
    const transport = stats.find((s) => s.type === 'transport' && typeof s.selectedCandidatePairId === 'string');
    const pair =
      (transport ? byId.get(String(transport.selectedCandidatePairId)) : undefined) ??
      stats.find((s) => s.type === 'candidate-pair' && s.nominated === true && s.state === 'succeeded');
    const typeOf = (id: unknown): string | null => {
      const candidate = typeof id === 'string' ? byId.get(id) : undefined;
      return typeof candidate?.candidateType === 'string' ? candidate.candidateType : null;
    };
    return {
      local: pair ? typeOf(pair.localCandidateId) : null,
      remote: pair ? typeOf(pair.remoteCandidateId) : null,
      remoteTypes: stats.filter((s) => s.type === 'remote-candidate').map((s) => String(s.candidateType)),
    };
  });
}

/** connectionState of each open peer connection of the page. */
export function connectionStates(page: Page): Promise<RTCPeerConnectionState[]> {
  return page.evaluate(() => (window.__parleyE2E?.peerConnections() ?? []).map((pc) => pc.connectionState));
}

/** Notes the page's peer connections now, for `sameConnections` later. */
export async function noteConnections(page: Page): Promise<number> {
  return page.evaluate(() => {
    window.__resilienceNoted = window.__parleyE2E?.peerConnections() ?? [];
    return window.__resilienceNoted.length;
  });
}

/** The page's open peer connections are exactly those noted (none replaced, none added). */
export function sameConnections(page: Page): Promise<boolean> {
  return page.evaluate(() => {
    const noted = window.__resilienceNoted ?? [];
    const now = window.__parleyE2E?.peerConnections() ?? [];
    return noted.length > 0 && now.length === noted.length && now.every((pc, i) => pc === noted[i]);
  });
}

/** Settings → Privacy → "Relay calls through the server (hide my IP address)", through the UI. */
export async function turnOnRelayOnly(person: Person): Promise<void> {
  const { page } = person;
  await page.getByRole('button', { name: 'Settings', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Settings' });
  const box = dialog.getByRole('checkbox', { name: 'Relay calls through the server (hide my IP address)' });
  await visible(box);
  await box.click();
  await waitUntil(`${person.name}'s relay-only setting is on`, () => box.isChecked(), (on) => on);
  await waitUntil(`${person.name}'s relay-only setting is saved`, () => box.isEnabled(), (enabled) => enabled);
  await dialog.getByRole('button', { name: 'Close' }).click();
}

/** Polls `probe` every `everyMs` (finer than waitUntil) and returns when `done` first held. */
export async function firstMoment(what: string, probe: () => Promise<boolean>, timeoutMs: number, everyMs = 100): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await probe()) return Date.now();
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
