/**
 * The global mute shortcut (settings.muteShortcut): works while Parley is in the
 * background. A combination without a real modifier is refused before Electron sees
 * it (preload/contract.ts muteShortcutProblem); globalShortcut.register returns false
 * when another app already owns the combination, and throws on a string that is not
 * an accelerator; each ends in a notice that says what to do.
 */
import type { Logger } from 'pino';
import { EVENT_CHANNELS, muteShortcutIssue, muteShortcutProblem } from '../../preload/contract';
import { ENGLISH, type MainText } from '../i18n';
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
  /** Words the refusals in the UI's language of the moment (MainLocale.text); English when absent. */
  text?: MainText;
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
    const { state, problem } = this.register(accelerator);
    if (problem !== null) this.options.notify('warning', problem);
    return state;
  }

  /**
   * For Settings (issue 16.4): registers `accelerator` now, before it is saved, and
   * returns why it could not be used (taken by another app, not a combination), or
   * null. No notice: the settings field shows the problem, and nothing is saved.
   */
  applyFromSettings(accelerator: string): string | null {
    return this.register(accelerator).problem;
  }

  private register(accelerator: string): { state: ShortcutState; problem: string | null } {
    const wanted = accelerator.trim();
    if (this.state.kind === 'registered' && this.state.accelerator === wanted) return { state: this.state, problem: null };
    if (wanted === '') {
      this.release();
      return { state: this.state, problem: null };
    }
    const { globalShortcut, events, logger } = this.options;
    const text = this.options.text ?? ENGLISH;
    const kept = this.state.kind === 'registered' ? this.state.accelerator : null;
    const issue = muteShortcutIssue(wanted);
    if (issue !== null) {
      logger.warn({ accelerator: wanted, problem: muteShortcutProblem(wanted) }, 'mute shortcut refused');
      const why = text(issue.problem === 'shortcut_not_understood' ? 'mainShortcut.notUnderstood' : 'mainShortcut.needsModifier', { keys: issue.shown });
      // The shortcut in force stays, and the person is told which it is (a second whole sentence).
      return { state: this.refused({ kind: 'invalid', accelerator: wanted }), problem: kept === null ? why : `${why} ${text('mainShortcut.kept', { kept })}` };
    }
    let registered: boolean;
    try {
      registered = globalShortcut.register(wanted, () => {
        events.send(EVENT_CHANNELS.callAction, { type: 'toggle-mute' });
      });
    } catch (error) {
      logger.warn({ accelerator: wanted, err: error }, 'invalid mute shortcut');
      return {
        state: this.refused({ kind: 'invalid', accelerator: wanted }),
        problem: kept === null ? text('mainShortcut.invalid', { keys: wanted }) : text('mainShortcut.invalidKept', { keys: wanted, kept }),
      };
    }
    if (!registered) {
      logger.warn({ accelerator: wanted }, 'mute shortcut taken');
      return {
        state: this.refused({ kind: 'taken', accelerator: wanted }),
        problem: kept === null ? text('mainShortcut.taken', { keys: wanted }) : text('mainShortcut.takenKept', { keys: wanted, kept }),
      };
    }
    this.release();
    this.state = { kind: 'registered', accelerator: wanted };
    return { state: this.state, problem: null };
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

/**
 * Settings → mute shortcut (issue 16.4): a new shortcut is registered before it is
 * saved. One that another app holds is refused with the reason, so the settings
 * field can show it, and the settings keep the shortcut in force.
 */
export function checkShortcutPatch<P extends { muteShortcut?: string }>(service: MuteShortcutService, patch: P): P {
  if (patch.muteShortcut === undefined) return patch;
  const problem = service.applyFromSettings(patch.muteShortcut);
  if (problem !== null) throw new Error(problem);
  return patch;
}
