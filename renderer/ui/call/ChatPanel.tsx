/**
 * The call's side panel: the conversation, a box to write in, files to send (button
 * or drag-and-drop anywhere on the call) and the transfers with their progress.
 */
import { useEffect, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import Paperclip from 'lucide-react/icons/paperclip';
import Send from 'lucide-react/icons/send';
import X from 'lucide-react/icons/x';
import type { ChatLog, TransferView } from '../../call/featureTypes';
import { MAX_CHAT_CHARS } from '../../call/chatLog';
import { formatClock } from '../../state/chatText';
import { useT } from '../../i18n';
import { TransferList } from './TransferList';

interface ChatPanelProps {
  chat: ChatLog;
  transfers: readonly TransferView[];
  /** Peers that can receive now; 0 disables sending. */
  reachable: number;
  onSend(text: string): void;
  onFiles(files: File[]): void;
  onAcceptTransfer(key: string): void;
  onDeclineTransfer(key: string): void;
  onCancelTransfer(key: string): void;
  onDismissTransfer(key: string): void;
  onRevealTransfer(key: string): void;
  onClose(): void;
}

export function ChatPanel(props: ChatPanelProps) {
  const { chat, transfers, reachable, onSend, onFiles, onClose } = props;
  const { t } = useT();
  const [draft, setDraft] = useState('');
  const fileInput = useRef<HTMLInputElement>(null);
  const end = useRef<HTMLDivElement>(null);
  const offline = reachable === 0;

  // Keep the newest message and transfer in sight.
  useEffect(() => {
    end.current?.scrollIntoView?.({ block: 'end' });
  }, [chat.messages.length, transfers.length]);

  const submit = (event?: FormEvent): void => {
    event?.preventDefault();
    if (!draft.trim() || offline) return;
    onSend(draft);
    setDraft('');
  };
  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>): void => {
    // Enter sends, Shift+Enter starts a new line (as in most chat apps).
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) submit(event);
  };

  return (
    <aside className="chat-panel" aria-label={t('chat.title')}>
      <header className="chat-panel__header">
        <h3 className="chat-panel__title">{t('chat.title')}</h3>
        <button type="button" className="icon-button icon-button--small" aria-label={t('chat.close')} onClick={onClose}>
          <X size={16} aria-hidden="true" />
        </button>
      </header>
      <div className="chat-panel__scroll">
        {/* The log wraps the list: role="log" on the <ol> itself would replace its list role and orphan its <li>s. */}
        <div role="log" aria-label={t('chat.messages')} aria-live="polite">
          <ol className="chat-messages">
            {chat.messages.length === 0 && <li className="chat-messages__empty">{t('chat.empty')}</li>}
            {chat.messages.map((m) => (
              <li key={m.id} className={`chat-message${m.from ? '' : ' chat-message--mine'}`} data-testid="chat-message">
                <div className="chat-message__meta">
                  <span className="chat-message__author">{m.from ? m.from.displayName : t('chat.you')}</span>
                  <time className="chat-message__time" dateTime={new Date(m.at).toISOString()}>
                    {formatClock(m.at)}
                  </time>
                </div>
                <p className="chat-message__text">{m.text}</p>
              </li>
            ))}
          </ol>
        </div>
        <TransferList
          transfers={transfers}
          onAccept={props.onAcceptTransfer}
          onDecline={props.onDeclineTransfer}
          onCancel={props.onCancelTransfer}
          onDismiss={props.onDismissTransfer}
          onReveal={props.onRevealTransfer}
        />
        <div ref={end} />
      </div>
      <form className="chat-composer" onSubmit={submit}>
        <input
          ref={fileInput}
          type="file"
          multiple
          hidden
          data-testid="file-input"
          onChange={(e) => {
            const files = [...(e.currentTarget.files ?? [])];
            e.currentTarget.value = '';
            if (files.length > 0) onFiles(files);
          }}
        />
        <button
          type="button"
          className="icon-button"
          aria-label={t('chat.sendFile')}
          title={offline ? t('chat.nobodyForFiles') : t('chat.sendFileHint')}
          disabled={offline}
          onClick={() => fileInput.current?.click()}
        >
          <Paperclip size={18} aria-hidden="true" />
        </button>
        <textarea
          className="chat-composer__input field__input"
          aria-label={t('chat.message')}
          placeholder={offline ? t('chat.waiting') : t('chat.write')}
          rows={1}
          maxLength={MAX_CHAT_CHARS}
          value={draft}
          onChange={(e) => setDraft(e.target.value)}
          onKeyDown={onKeyDown}
        />
        <button type="submit" className="icon-button" aria-label={t('chat.send')} disabled={offline || !draft.trim()}>
          <Send size={18} aria-hidden="true" />
        </button>
      </form>
    </aside>
  );
}
