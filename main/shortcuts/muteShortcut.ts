/**
 * The global mute shortcut (settings.muteShortcut): works while Parley is in the
 * background. globalShortcut.register returns false when another app already owns
 * the combination, and throws on a string that is not an accelerator; both end in
 * a notice that says what to do.
 */
import type { Logger } from 'pino';
import { EVENT_CHANNELS } from '../../preload/contract';
import type { Notify, RendererEvents } from '../window/rendererEvents';

export interface GlobalShortcutLike {
  register(accelerator: string, callback: () => void): boolean;
  unregister(accelerator: string): void;
}

export interface MuteShortcutOptions {
  globalShortcut: GlobalShortcutLike;
  events: RendererEvents;
  notify: Notify;
  logger: Logger;
}

export type ShortcutState =
  | { kind: 'none' }
  | { kind: 'registered'; accelerator: string }
  | { kind: 'taken'; accelerator: string }
  | { kind: 'invalid'; accelerator: string };

export class MuteShortcutService {
  private state: ShortcutState = { kind: 'none' };

  constructor(private readonly options: MuteShortcutOptions) {}

  /** Registers `accelerator` (empty: none), replacing the previous one. */
  apply(accelerator: string): ShortcutState {
    const wanted = accelerator.trim();
    if (this.state.kind === 'registered' && this.state.accelerator === wanted) return this.state;
    this.release();
    if (wanted === '') return this.state;

    const { globalShortcut, events, notify, logger } = this.options;
    let registered: boolean;
    try {
      registered = globalShortcut.register(wanted, () => {
        events.send(EVENT_CHANNELS.callAction, { type: 'toggle-mute' });
      });
    } catch (error) {
      logger.warn({ accelerator: wanted, err: error }, 'invalid mute shortcut');
      notify('warning', `"${wanted}" is not a key combination Parley understands; choose another mute shortcut in Settings.`);
      this.state = { kind: 'invalid', accelerator: wanted };
      return this.state;
    }
    if (!registered) {
      logger.warn({ accelerator: wanted }, 'mute shortcut taken');
      notify('warning', `The shortcut ${wanted} is taken by another app; choose another in Settings.`);
      this.state = { kind: 'taken', accelerator: wanted };
      return this.state;
    }
    this.state = { kind: 'registered', accelerator: wanted };
    return this.state;
  }

  release(): void {
    if (this.state.kind === 'registered') this.options.globalShortcut.unregister(this.state.accelerator);
    this.state = { kind: 'none' };
  }

  current(): ShortcutState {
    return this.state;
  }
}
