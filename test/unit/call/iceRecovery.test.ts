/**
 * ICE recovery's decisions, on a fake peer connection and hand-moved timers: when
 * it restarts ICE, how long it waits, when it gives up, and what a tile shows.
 */
import { describe, expect, it } from 'vitest';
import { IceRecovery, ICE_RECOVERY_POLICY } from '../../../renderer/call/iceRecovery';
import { listen } from '../../../renderer/call/peerConnection';
import type { PeerConnectionPhase } from '../../../renderer/call/types';
import { FakePeerConnection } from '../fakes/fakePeerConnection';
import { ManualTimers } from './manualTimers';

const { disconnectedGraceMs, attemptTimeoutMs, maxRestarts } = ICE_RECOVERY_POLICY;

function watched() {
  const timers = new ManualTimers();
  const pc = new FakePeerConnection({}, { autoIce: false });
  const phases: PeerConnectionPhase[] = [];
  let givenUp = 0;
  const recovery = new IceRecovery({
    timers,
    restart: () => pc.restartIce(),
    onPhase: (phase) => phases.push(phase),
    onGiveUp: () => (givenUp += 1),
  });
  const stop = listen(pc, 'connectionstatechange', () => recovery.observe(pc.connectionState));
  return {
    timers,
    pc,
    recovery,
    phases,
    givenUp: () => givenUp,
    last: () => phases[phases.length - 1],
    dispose: () => {
      stop();
      recovery.dispose();
    },
  };
}

function connectedOnce() {
  const w = watched();
  w.pc.setConnectionState('connecting');
  w.pc.setConnectionState('connected');
  return w;
}

describe('ICE recovery', () => {
  it('restarts ICE at once when the connection fails, and the tile says reconnecting', () => {
    const w = connectedOnce();
    w.pc.setConnectionState('failed');
    expect(w.pc.iceRestarts).toBe(1);
    expect(w.last()).toBe('reconnecting');
  });

  it('gives a disconnected connection its grace period to come back by itself before restarting', () => {
    const w = connectedOnce();
    w.pc.setConnectionState('disconnected');
    expect(w.last()).toBe('reconnecting');
    w.timers.advance(disconnectedGraceMs - 1);
    expect(w.pc.iceRestarts).toBe(0);
    w.pc.setConnectionState('connected');
    w.timers.advance(60_000);
    expect(w.pc.iceRestarts).toBe(0);
    expect(w.last()).toBe('connected');

    w.pc.setConnectionState('disconnected');
    w.timers.advance(disconnectedGraceMs);
    expect(w.pc.iceRestarts).toBe(1);
  });

  it('a failure during the grace period restarts at once', () => {
    const w = connectedOnce();
    w.pc.setConnectionState('disconnected');
    w.timers.advance(1_000);
    w.pc.setConnectionState('failed');
    expect(w.pc.iceRestarts).toBe(1);
    w.timers.advance(disconnectedGraceMs);
    expect(w.pc.iceRestarts).toBe(1);
  });

  it(`tries again after each attempt window and gives up after ${maxRestarts} restarts that did not bring it back`, () => {
    const w = connectedOnce();
    w.pc.setConnectionState('failed');
    expect(w.pc.iceRestarts).toBe(1);
    // A failure reported during an attempt does not spend the next attempt early.
    w.pc.setConnectionState('connecting');
    w.pc.setConnectionState('failed');
    expect(w.pc.iceRestarts).toBe(1);
    for (let n = 2; n <= maxRestarts; n += 1) {
      w.timers.advance(attemptTimeoutMs);
      expect(w.pc.iceRestarts).toBe(n);
      expect(w.last()).toBe('reconnecting');
    }
    expect(w.givenUp()).toBe(0);
    w.timers.advance(attemptTimeoutMs);
    expect(w.givenUp()).toBe(1);
    expect(w.last()).toBe('failed');
    expect(w.recovery.givenUp).toBe(true);

    // Given up means given up: no more restarts, whatever the connection says.
    w.pc.setConnectionState('disconnected');
    w.pc.setConnectionState('failed');
    w.timers.advance(60_000);
    expect(w.pc.iceRestarts).toBe(maxRestarts);
    expect(w.givenUp()).toBe(1);
    expect(w.last()).toBe('failed');
  });

  it('a restart that brings the connection back gives the next outage a full budget', () => {
    const w = connectedOnce();
    for (let outage = 0; outage < 5; outage += 1) {
      w.pc.setConnectionState('failed');
      w.timers.advance(attemptTimeoutMs * (maxRestarts - 1));
      w.pc.setConnectionState('connected');
      expect(w.recovery.restartCount).toBe(0);
    }
    expect(w.pc.iceRestarts).toBe(5 * maxRestarts);
    expect(w.givenUp()).toBe(0);
    expect(w.last()).toBe('connected');
  });

  it('says connecting, not reconnecting, for a connection that never came up, and restarts it when it fails', () => {
    const w = watched();
    w.pc.setConnectionState('connecting');
    expect(w.last()).toBe('connecting');
    w.pc.setConnectionState('failed');
    expect(w.pc.iceRestarts).toBe(1);
    expect(w.last()).toBe('connecting');
  });

  it('holds restarts while the signaling path is down, and restarts at once when it is back', () => {
    const w = connectedOnce();
    w.recovery.hold();
    w.pc.setConnectionState('disconnected');
    w.pc.setConnectionState('failed');
    w.timers.advance(60_000);
    expect(w.pc.iceRestarts).toBe(0);
    expect(w.givenUp()).toBe(0);
    expect(w.last()).toBe('reconnecting');

    w.recovery.release();
    expect(w.pc.iceRestarts).toBe(1);
    w.pc.setConnectionState('connected');
    expect(w.last()).toBe('connected');
  });

  it('a connection still coming up after a hold is left to finish, unless signals were lost meanwhile', () => {
    const w = watched();
    w.pc.setConnectionState('connecting');
    w.recovery.hold();
    w.recovery.release();
    expect(w.pc.iceRestarts).toBe(0);

    w.recovery.hold();
    w.recovery.release(true);
    expect(w.pc.iceRestarts).toBe(1);
  });

  it('a hold that ends while the connection is up restarts nothing', () => {
    const w = connectedOnce();
    w.recovery.hold();
    w.recovery.release();
    w.timers.advance(60_000);
    expect(w.pc.iceRestarts).toBe(0);
  });

  it('a network check restarts a connection that is not up, even one given up, and leaves a connected one alone', () => {
    const w = connectedOnce();
    w.recovery.check();
    expect(w.pc.iceRestarts).toBe(0);

    w.pc.setConnectionState('failed');
    w.timers.advance(attemptTimeoutMs * maxRestarts);
    expect(w.givenUp()).toBe(1);
    const before = w.pc.iceRestarts;

    w.recovery.check();
    expect(w.pc.iceRestarts).toBe(before + 1);
    expect(w.last()).toBe('reconnecting');
    w.pc.setConnectionState('connected');
    expect(w.last()).toBe('connected');
  });

  it('stops every timer when its session is disposed', () => {
    const w = connectedOnce();
    w.pc.setConnectionState('disconnected');
    expect(w.timers.pending).toBe(1);
    w.dispose();
    expect(w.timers.pending).toBe(0);
    w.timers.advance(60_000);
    expect(w.pc.iceRestarts).toBe(0);
  });
});
