/** In-call chat: schema checks on what arrives, dedupe by message id, unread counting, sending to every peer once. */
import { describe, expect, it } from 'vitest';
import { addChatMessage, EMPTY_CHAT, parseChatWire, setChatOpen, type ChatMessage } from '../../../renderer/call/chatLog';
import { ChatRoom } from '../../../renderer/call/chatRoom';
import type { DataChannelLike } from '../../../renderer/call/dataChannel';
import type { ReadyLink } from '../../../renderer/call/peerChannels';

const BOB = { userId: 'user-bob-0001', deviceId: 'device-bob-01', displayName: 'Bob' };
const CAROL = { userId: 'user-carol-01', deviceId: 'device-carol-1', displayName: 'Carol' };

function wire(id: string, text: string): string {
  return JSON.stringify({ type: 'chat', id, text, sentAt: 1_700_000_000_000 });
}

function fakeLink(deviceId: string, sent: string[]): ReadyLink {
  const chat = { send: (data: string) => void sent.push(`${deviceId}:${data}`) } as unknown as DataChannelLike;
  return { deviceId, userId: `user-${deviceId}`, chat, files: chat };
}

describe('chat log', () => {
  const message = (id: string, from: ChatMessage['from']): ChatMessage => ({ id, from, text: 'hi', at: 1 });

  it('keeps a message that arrives twice (two paths, a replaced connection) once', () => {
    const once = addChatMessage(EMPTY_CHAT, message('message-id-00000001', BOB));
    const twice = addChatMessage(once, message('message-id-00000001', CAROL));
    expect(twice).toBe(once);
    expect(twice.messages).toHaveLength(1);
  });

  it('counts others’ messages as unread while the chat is closed, and opening it reads them', () => {
    let log = addChatMessage(EMPTY_CHAT, message('message-id-00000001', BOB));
    log = addChatMessage(log, message('message-id-00000002', null));
    log = addChatMessage(log, message('message-id-00000003', CAROL));
    expect(log.unread).toBe(2);
    log = setChatOpen(log, true);
    expect(log.unread).toBe(0);
    log = addChatMessage(log, message('message-id-00000004', BOB));
    expect(log.unread).toBe(0);
  });

  it('takes only well-formed messages from the wire, cleaned of control and bidi characters', () => {
    expect(parseChatWire(wire('message-id-00000001', '  hello\u202E there\u0007 '))).toMatchObject({ text: 'hello there' });
    expect(parseChatWire(wire('short', 'hello'))).toBeNull();
    expect(parseChatWire(wire('message-id-00000001', ''))).toBeNull();
    expect(parseChatWire(wire('message-id-00000001', '\u202E'))).toBeNull();
    expect(parseChatWire(wire('message-id-00000001', 'x'.repeat(4001)))).toBeNull();
    expect(parseChatWire(JSON.stringify({ type: 'chat', id: 'message-id-00000001', text: 'a', sentAt: 1, from: 'Mallory' }))).toBeNull();
    expect(parseChatWire('not json')).toBeNull();
    expect(parseChatWire(new ArrayBuffer(4))).toBeNull();
  });
});

describe('chat room', () => {
  it('sends one copy to each peer and keeps mine once; a peer’s repeat is shown once, under the channel’s sender', () => {
    const sent: string[] = [];
    let changes = 0;
    const room = new ChatRoom({ now: () => 5, newId: () => 'message-id-00000009', onChange: () => (changes += 1) });
    expect(room.send('  Hello all  ', [fakeLink('device-bob-01', sent), fakeLink('device-carol-1', sent)])).toBe(2);
    expect(sent.map((s) => s.split(':')[0])).toEqual(['device-bob-01', 'device-carol-1']);
    expect(JSON.parse(sent[0]?.slice('device-bob-01:'.length) ?? '')).toMatchObject({ type: 'chat', text: 'Hello all' });
    expect(room.log.messages).toEqual([{ id: 'message-id-00000009', from: null, text: 'Hello all', at: 5 }]);

    room.receive(BOB, wire('message-id-00000010', 'hi Alice'));
    room.receive(BOB, wire('message-id-00000010', 'hi Alice'));
    expect(room.log.messages.map((m) => [m.from?.displayName ?? 'me', m.text])).toEqual([
      ['me', 'Hello all'],
      ['Bob', 'hi Alice'],
    ]);
    expect(changes).toBe(2);
  });

  it('refuses to send into an empty call and says why', () => {
    const room = new ChatRoom({ now: () => 5, newId: () => 'message-id-00000009', onChange: () => undefined });
    expect(() => room.send('hello', [])).toThrow(/Nobody in the call can receive messages yet/);
    expect(room.send('   ', [])).toBe(0);
  });
});
