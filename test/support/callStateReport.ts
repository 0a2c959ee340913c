import type { CallStateReport } from '../../preload/contract';

/** A renderer's call-state report: an idle, available phone with no contacts, changed by `over`. */
export const callStateReport = (over: Partial<CallStateReport> = {}): CallStateReport => ({
  phase: 'idle',
  status: 'available',
  muted: false,
  cameraOn: false,
  sharing: false,
  caller: null,
  contacts: [],
  ...over,
});
