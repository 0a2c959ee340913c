/**
 * The call's chat over the peers' 'chat' channels: sends each message once to every
 * ready peer, takes messages in through chatLog's schema and dedupe, and keeps the
 * conversation for the call.
 */
import { addChatMessage, cleanChatText, EMPTY_CHAT, MAX_CHAT_CHARS, parseChatWire, setChatOpen, type ChatAuthor, type ChatLog, type ChatWire } from './chatLog';
import { log } from '../log';
import { t } from '../i18n';
import type { ReadyLink } from './peerChannels';

export interface ChatRoomOptions {
  now(): number;
  newId(): string;
  onChange(): void;
}

export class ChatRoom {
  private current: ChatLog = EMPTY_CHAT;

  constructor(private readonly options: ChatRoomOptions) {}

  get log(): ChatLog {
    return this.current;
  }

  /** Sends `text` to every peer in `links`; returns how many it went to. */
  send(text: string, links: readonly ReadyLink[]): number {
    const clean = cleanChatText(text);
    if (!clean) return 0;
    if (clean.length > MAX_CHAT_CHARS) {
      throw new Error(t('notices.messageTooLong', { length: clean.length, max: MAX_CHAT_CHARS }));
    }
    if (links.length === 0) throw new Error(t('notices.nobodyForMessages'));
    const at = this.options.now();
    const wire: ChatWire = { type: 'chat', id: this.options.newId(), text: clean, sentAt: at };
    const payload = JSON.stringify(wire);
    let sent = 0;
    for (const link of links) {
      try {
        link.chat.send(payload);
        sent += 1;
      } catch (error) {
        // Its channel closed under us; the link goes away with it.
        log.child('call.chat').debug(`a chat message did not go to device ${link.deviceId}: its channel is closing`, error);
      }
    }
    this.set(addChatMessage(this.current, { id: wire.id, from: null, text: clean, at }));
    return sent;
  }

  receive(author: ChatAuthor, data: unknown): void {
    const wire = parseChatWire(data);
    if (!wire) return;
    this.set(addChatMessage(this.current, { id: wire.id, from: author, text: wire.text, at: this.options.now() }));
  }

  setOpen(open: boolean): void {
    this.set(setChatOpen(this.current, open));
  }

  reset(): void {
    this.set(EMPTY_CHAT);
  }

  private set(next: ChatLog): void {
    if (next === this.current) return;
    this.current = next;
    this.options.onChange();
  }
}
