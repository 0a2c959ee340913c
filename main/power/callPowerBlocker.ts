/**
 * Keeps the display awake during a call (a video call should not go dark because
 * nobody touched the mouse), and only then.
 */
import type { CallStateReport } from '../../preload/contract';

export interface PowerSaveBlockerLike {
  start(type: 'prevent-app-suspension' | 'prevent-display-sleep'): number;
  stop(id: number): void;
  isStarted(id: number): boolean;
}

export class CallPowerBlocker {
  private id: number | null = null;

  constructor(private readonly blocker: PowerSaveBlockerLike) {}

  follow(report: CallStateReport): void {
    if (report.phase === 'in_call') this.hold();
    else this.release();
  }

  release(): void {
    if (this.id !== null && this.blocker.isStarted(this.id)) this.blocker.stop(this.id);
    this.id = null;
  }

  get active(): boolean {
    return this.id !== null;
  }

  private hold(): void {
    if (this.id !== null && this.blocker.isStarted(this.id)) return;
    this.id = this.blocker.start('prevent-display-sleep');
  }
}
