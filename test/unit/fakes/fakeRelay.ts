/**
 * A signaling channel between fake peers: delivers each message asynchronously and
 * in order, and can hold messages to make two offers cross (glare).
 */
import type { SignalData } from '../../../signaling-server/protocol';

export interface Relayed {
  from: string;
  to: string;
  data: SignalData;
}

export class FakeRelay {
  readonly sent: Relayed[] = [];
  private holding = false;
  private held: Relayed[] = [];
  private readonly sinks = new Map<string, (data: SignalData) => void>();

  attach(name: string, sink: (data: SignalData) => void): void {
    this.sinks.set(name, sink);
  }

  sender(from: string, to: string): (data: SignalData) => void {
    return (data) => {
      const message = { from, to, data };
      this.sent.push(message);
      if (this.holding) this.held.push(message);
      else this.deliver(message);
    };
  }

  hold(): void {
    this.holding = true;
  }

  release(): void {
    this.holding = false;
    for (const message of this.held.splice(0)) this.deliver(message);
  }

  descriptions(from?: string): { from: string; type: string }[] {
    return this.sent.flatMap((m) =>
      m.data.kind === 'description' && (!from || m.from === from) ? [{ from: m.from, type: m.data.description.type }] : [],
    );
  }

  private deliver(message: Relayed): void {
    setTimeout(() => this.sinks.get(message.to)?.(message.data), 0);
  }
}
