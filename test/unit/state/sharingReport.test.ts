/** The tray learns that I share a screen (it then offers "Stop sharing"). */
import { describe, expect, it } from 'vitest';
import type { CallView } from '../../../renderer/call/types';
import { buildCallStateReport } from '../../../renderer/state/callReport';

function activeView(screen: MediaStream | null | undefined): CallView {
  return {
    phase: 'active',
    callId: 'call-00000001',
    media: 'audio',
    connectedAt: 1,
    participants: [],
    invitees: [],
    local: { stream: null, muted: false, cameraOn: false, error: null, ...(screen === undefined ? {} : { screen }) },
    maxParticipants: 4,
    activeSpeaker: null,
    reconnectingToServer: false,
  };
}

describe('sharing in the call state report', () => {
  it('reports sharing exactly while my screen is in the view', () => {
    const report = (screen: MediaStream | null | undefined) =>
      buildCallStateReport({ online: true, view: activeView(screen), status: 'available', contacts: [] }).sharing;
    expect(report({} as MediaStream)).toBe(true);
    expect(report(null)).toBe(false);
    expect(report(undefined)).toBe(false);
  });
});
