import { describe, expect, it } from 'vitest';
import { callStateReportSchema } from '../../../preload/contract';
import type { CallView } from '../../../renderer/call/types';
import { buildCallStateReport, sameReport } from '../../../renderer/state/callReport';
import type { Contact } from '../../../renderer/state/contacts';

const bob = { userId: 'bob-00000001', displayName: 'Bob' };
const contacts: Contact[] = [{ ...bob, status: 'available', favourite: true, inBook: true, verified: false, keyChanged: false }];

describe('call state report for the host', () => {
  it('is offline when not connected and idle when connected', () => {
    expect(buildCallStateReport({ online: false, view: { phase: 'idle' }, status: 'away', contacts }).phase).toBe('offline');
    const idle = buildCallStateReport({ online: true, view: { phase: 'idle' }, status: 'away', contacts });
    expect(idle).toEqual({
      phase: 'idle',
      status: 'away',
      muted: false,
      cameraOn: false,
      sharing: false,
      caller: null,
      contacts: [{ ...bob, status: 'available', favourite: true }],
    });
  });

  it('names the caller while it rings', () => {
    const view: CallView = { phase: 'incoming', callId: 'call-00000001', media: 'audio', from: bob, others: [] };
    const report = buildCallStateReport({ online: true, view, status: 'available', contacts });
    expect(report).toMatchObject({ phase: 'ringing', caller: 'Bob' });
  });

  it('carries mute and camera state during a call, and always fits the contract schema', () => {
    const view: CallView = {
      phase: 'active',
      callId: 'call-00000001',
      media: 'video',
      connectedAt: 1,
      participants: [],
      invitees: [],
      local: { stream: null, muted: true, cameraOn: true, error: null },
      maxParticipants: 4,
      activeSpeaker: null,
      reconnectingToServer: false,
    };
    const report = buildCallStateReport({ online: false, view, status: 'dnd', contacts });
    expect(report).toMatchObject({ phase: 'in_call', muted: true, cameraOn: true });
    expect(callStateReportSchema.safeParse(report).success).toBe(true);
  });

  it('treats equal reports as the same so the host is not told twice', () => {
    const a = buildCallStateReport({ online: true, view: { phase: 'idle' }, status: 'available', contacts });
    const b = buildCallStateReport({ online: true, view: { phase: 'idle' }, status: 'available', contacts: [...contacts] });
    expect(sameReport(a, b)).toBe(true);
    expect(sameReport(a, { ...b, status: 'dnd' })).toBe(false);
    expect(sameReport(null, b)).toBe(false);
  });
});
