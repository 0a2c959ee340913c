/**
 * A person's signaling connection, passed through Playwright's WebSocket routing
 * so a test can hold what the server says to the page and let it go later.
 *
 * This is how a test makes two things happen "at the same moment" as far as the
 * call protocol is concerned. Two Playwright clicks on two pages are tens to
 * hundreds of milliseconds apart on a busy machine, while the server rings the
 * other side in a few milliseconds over loopback; holding server→page frames
 * until both pages have sent their request recreates the window a real network's
 * latency gives, deterministically. Page→server frames are never held.
 */
import type { BrowserContext } from 'playwright-core';

export interface SignalingGate {
  /** Server→page frames wait from now on (in order) until `release`. */
  hold(): void;
  /** Delivers the waiting frames in order and stops holding. */
  release(): void;
  /** How many `event` requests the page has sent to the server so far. */
  sentCount(event: string): number;
  /** The `event` requests the page has sent so far, each as its JSON array: the name, then the arguments. */
  sent(event: string): unknown[][];
}

/** socket.io over engine.io: "42" is an event packet, an ack id may follow, then the JSON array. */
function eventName(frame: string): string | null {
  const match = /^42\d*\["([^"]+)"/.exec(frame);
  return match?.[1] ?? null;
}

/** Routes the context's socket.io WebSocket(s) through a gate; call before the page loads. */
export async function installSignalingGate(context: BrowserContext): Promise<SignalingGate> {
  let held: (() => void)[] | null = null;
  const sent = new Map<string, unknown[][]>();

  await context.routeWebSocket(/\/socket\.io\//, (page) => {
    const server = page.connectToServer();
    page.onMessage((frame) => {
      const name = typeof frame === 'string' ? eventName(frame) : null;
      if (name && typeof frame === 'string') {
        const list = sent.get(name) ?? [];
        list.push(JSON.parse(frame.replace(/^42\d*/, '')) as unknown[]);
        sent.set(name, list);
      }
      server.send(frame);
    });
    server.onMessage((frame) => {
      const deliver = (): void => page.send(frame);
      if (held) held.push(deliver);
      else deliver();
    });
    // Closing either side still closes the other: no onClose handler is set, so
    // Playwright keeps forwarding closures.
  });

  return {
    hold() {
      held ??= [];
    },
    release() {
      const waiting = held ?? [];
      held = null;
      for (const deliver of waiting) deliver();
    },
    sentCount: (event) => sent.get(event)?.length ?? 0,
    sent: (event) => sent.get(event)?.slice() ?? [],
  };
}
