/**
 * The global mute shortcut (settings.muteShortcut): works while Parley is in the
 * background. A combination without a real modifier is refused before Electron sees
 * it (preload/contract.ts muteShortcutProblem); globalShortcut.register returns false
 * when another app already owns the combination, and throws on a string that is not
 * an accelerator; each ends in a notice that says what to do.
 */
import type { Logger } from 'pino';
import { EVENT_CHANNELS, muteShortcutProblem } from '../../preload/contract';
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

  /**
   * Registers `accelerator` (empty: none), replacing the previous one. A value that
   * cannot be used (no modifier, not an accelerator, taken by another app) is
   * reported and the previous shortcut stays in force, so a typo never leaves the
   * person without one.
   */
  apply(accelerator: string): ShortcutState {
    const wanted = accelerator.trim();
    if (this.state.kind === 'registered' && this.state.accelerator === wanted) return this.state;
    if (wanted === '') {
      this.release();
      return this.state;
    }
    const { globalShortcut, events, notify, logger } = this.options;
    const kept = this.state.kind === 'registered' ? ` Parley keeps ${this.state.accelerator}.` : '';
    const problem = muteShortcutProblem(wanted);
    if (problem !== null) {
      logger.warn({ accelerator: wanted }, 'mute shortcut refused');
      notify('warning', `${problem}${kept}`);
      return this.refused({ kind: 'invalid', accelerator: wanted });
    }
    let registered: boolean;
    try {
      registered = globalShortcut.register(wanted, () => {
        events.send(EVENT_CHANNELS.callAction, { type: 'toggle-mute' });
      });
    } catch (error) {
      logger.warn({ accelerator: wanted, err: error }, 'invalid mute shortcut');
      notify('warning', `"${wanted}" is not a key combination Parley understands; choose another mute shortcut in Settings.${kept}`);
      return this.refused({ kind: 'invalid', accelerator: wanted });
    }
    if (!registered) {
      logger.warn({ accelerator: wanted }, 'mute shortcut taken');
      notify('warning', `The shortcut ${wanted} is taken by another app; choose another in Settings.${kept}`);
      return this.refused({ kind: 'taken', accelerator: wanted });
    }
    this.release();
    this.state = { kind: 'registered', accelerator: wanted };
    return this.state;
  }

  /** A refused value: the shortcut in force (if any) stays; otherwise the refusal is the state. */
  private refused(state: Extract<ShortcutState, { kind: 'invalid' | 'taken' }>): ShortcutState {
    if (this.state.kind !== 'registered') this.state = state;
    return state;
  }

  release(): void {
    if (this.state.kind === 'registered') this.options.globalShortcut.unregister(this.state.accelerator);
    this.state = { kind: 'none' };
  }

  current(): ShortcutState {
    return this.state;
  }
}
