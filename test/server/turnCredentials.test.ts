import { createHmac } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { iceServersFor, turnRestCredential } from '../../signaling-server/turnCredentials';
import { cleanup, connectClient, startServer } from './harness';

afterEach(cleanup);

describe('TURN REST API credentials', () => {
  it('matches an independently computed HMAC-SHA1 vector', () => {
    // echo -n "1700003600:alice-user-1" | openssl dgst -sha1 -hmac "north-wind-secret" -binary | base64
    expect(turnRestCredential('north-wind-secret', 'alice-user-1', 1_700_003_600)).toEqual({
      username: '1700003600:alice-user-1',
      credential: 'MqiQ31rv1ziumf4O8caQUY2REgc=',
    });
  });

  it('hands out STUN as configured and TURN credentials that expire after the TTL', () => {
    const now = 1_700_000_000_000;
    const result = iceServersFor(
      'alice-user-1',
      { urls: ['turn:turn.example:3478', 'turns:turn.example:5349'], secret: 'north-wind-secret', ttlSeconds: 3600 },
      ['stun:stun.example:3478'],
      now,
    );
    expect(result).toEqual({
      ttlSeconds: 3600,
      iceServers: [
        { urls: ['stun:stun.example:3478'] },
        {
          urls: ['turn:turn.example:3478', 'turns:turn.example:5349'],
          username: '1700003600:alice-user-1',
          credential: 'MqiQ31rv1ziumf4O8caQUY2REgc=',
        },
      ],
    });
  });

  it('hands out nothing, valid forever, when nothing is configured', () => {
    expect(iceServersFor('alice-user-1', null, [], Date.now())).toEqual({ iceServers: [], ttlSeconds: 0 });
  });
});

describe('ice:servers', () => {
  it('gives each user their own short-lived TURN credentials over the socket', async () => {
    const server = await startServer({
      turn: { urls: ['turn:turn.example:3478?transport=udp'], secret: 'north-wind-secret', ttlSeconds: 600 },
      stunUrls: ['stun:stun.example:3478'],
    });
    const alice = await connectClient(server, { name: 'alice' });
    const before = Math.floor(Date.now() / 1000);
    const answer = await alice.request('ice:servers', {});
    if (!answer.ok) throw new Error(answer.error.message);
    expect(answer.ttlSeconds).toBe(600);
    expect(answer.iceServers[0]).toEqual({ urls: ['stun:stun.example:3478'] });
    const turn = answer.iceServers[1];
    const [expiry, userId] = (turn?.username ?? '').split(':');
    expect(userId).toBe(alice.userId);
    expect(Number(expiry) - before).toBeGreaterThanOrEqual(600);
    expect(Number(expiry) - before).toBeLessThanOrEqual(601 + 60);
    expect(turn?.credential).toBe(createHmac('sha1', 'north-wind-secret').update(turn?.username ?? '').digest('base64'));
  });

  it('answers an empty list when nothing is configured', async () => {
    const server = await startServer();
    const alice = await connectClient(server, { name: 'alice' });
    expect(await alice.request('ice:servers', {})).toEqual({ ok: true, iceServers: [], ttlSeconds: 0 });
  });
});
