/**
 * "Add a contact": my invite (link, short code and QR code; one use, a week), a
 * field to paste someone else's invite, and, when the server offers a directory,
 * a search by name. Adding always asks first ("Add …?"), whether the invite was
 * pasted, opened as a parley:// link or arrived as the page's #add/… address:
 * any web page can open a link.
 */
import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { desktopInviteLink, inviteCode, parseInvite, webInviteLink, type InviteRef } from '../../contacts/invites';
import type { DirectoryResult } from '../../contacts/contactRequests';
import { t as translate, useT } from '../../i18n';
import { log } from '../../log';
import { Dialog } from '../Dialog';
import { CopyField } from './CopyField';
import { idPrefix } from './idPrefix';
import { QrCode } from './QrCode';
import { serverErrorText } from '../../state/serverErrorText';

export interface AddContactDialogProps {
  /** My current invite (null while it is made). */
  invite: InviteRef | null;
  /** Desktop: parley://add/…; web: https://<server>/#add/… (the server serves the client). */
  linkStyle: { kind: 'desktop' } | { kind: 'web'; origin: string };
  /** An invite opened as a link: the dialog opens on "Add …?". */
  opened?: InviteRef | null;
  onNewInvite(): Promise<void>;
  /** Sends the contact request (kept and re-sent until answered). */
  onRequest(invite: InviteRef | { userId: string; secret: null }): Promise<'sent' | 'pending' | 'already'>;
  onSearch(query: string): Promise<DirectoryResult>;
  /** After a request from an opened link: the dialog closes and this says how it went (a toast). */
  onOpenedDone(message: string): void;
  onClose(): void;
}

type Target = InviteRef | { userId: string; secret: null; displayName: string };
/** An error in words: a server refusal said for its code in the UI's language, any other error as it reads. */
const words = (error: unknown): string => serverErrorText(error);
/** Enough of an id to tell people apart when reading it aloud. */
// In a module of its own: the requests panel shows it at start, this dialog loads when opened (useContactsUi.tsx).
export { idPrefix };

export function AddContactDialog(props: AddContactDialogProps) {
  const { invite, linkStyle, onRequest, onSearch, onClose } = props;
  const { t } = useT();
  const pasteId = useId();
  const searchId = useId();
  const [pasted, setPasted] = useState('');
  const [pasteError, setPasteError] = useState<string | null>(null);
  const [target, setTarget] = useState<Target | null>(props.opened ?? null);
  const [outcome, setOutcome] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [directory, setDirectory] = useState<'unknown' | 'off' | 'on'>('unknown');
  const [query, setQuery] = useState('');
  const [found, setFound] = useState<Extract<DirectoryResult, { offered: true }>['users'] | null>(null);
  const [searchError, setSearchError] = useState<string | null>(null);
  const searchRef = useRef(onSearch);
  searchRef.current = onSearch;

  // Does this server offer a directory? One search says (directory_off when not).
  useEffect(() => {
    let cancelled = false;
    searchRef.current('a').then(
      (result) => !cancelled && setDirectory(result.offered ? 'on' : 'off'),
      (error: unknown) => {
        log.child('ui.contacts').info('could not ask the server whether it offers a directory; the search stays hidden', error);
        if (!cancelled) setDirectory('off');
      },
    );
    return () => {
      cancelled = true;
    };
  }, []);

  const link = invite ? (linkStyle.kind === 'desktop' ? desktopInviteLink(invite) : webInviteLink(linkStyle.origin, invite)) : null;

  const submitPaste = (event: FormEvent): void => {
    event.preventDefault();
    const parsed = parseInvite(pasted);
    if (parsed === null) {
      setPasteError(translate('addContact.notAnInvite'));
      return;
    }
    setPasteError(null);
    setOutcome(null);
    setTarget(parsed);
  };

  const send = async (): Promise<void> => {
    if (!target) return;
    setBusy(true);
    try {
      const result = await onRequest(target.secret === null ? { userId: target.userId, secret: null } : target);
      const said =
        result === 'already'
          ? translate('addContact.already')
          : result === 'sent'
            ? translate('addContact.sent')
            : translate('addContact.saved');
      if (props.opened) {
        props.onOpenedDone(said);
        onClose();
        return;
      }
      setOutcome(said);
      setTarget(null);
      setPasted('');
    } catch (error) {
      setOutcome(translate('addContact.notSent', { reason: words(error) }));
    } finally {
      setBusy(false);
    }
  };

  const search = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    if (query.trim() === '') return;
    setSearchError(null);
    try {
      const result = await onSearch(query.trim());
      if (result.offered) setFound(result.users);
      else setDirectory('off');
    } catch (error) {
      setSearchError(translate('addContact.searchFailed', { reason: words(error) }));
    }
  };

  if (target) {
    const name = 'displayName' in target ? target.displayName : null;
    return (
      <Dialog
        title={t('addContact.confirmTitle', { name: name ?? idPrefix(target.userId) })}
        description={
          target.secret === null
            ? t('addContact.asksFirst')
            : t('addContact.inviteAdds')
        }
        onClose={() => (props.opened ? onClose() : setTarget(null))}
        footer={
          <>
            <button type="button" className="button button--secondary" onClick={() => (props.opened ? onClose() : setTarget(null))}>
              {t('common.cancel')}
            </button>
            <button type="button" className="button button--primary" disabled={busy} onClick={() => void send()}>
              {t('addContact.send')}
            </button>
          </>
        }
      >
        <dl className="link-call">
          {name && (
            <>
              <dt>{t('addContact.name')}</dt>
              <dd>{name}</dd>
            </>
          )}
          <dt>{t('addContact.userId')}</dt>
          <dd>
            <code>{target.userId}</code>
          </dd>
        </dl>
      </Dialog>
    );
  }

  return (
    <Dialog title={t('addContact.title')} onClose={onClose} wide>
      <section className="settings-section" aria-label={t('addContact.yourInvite')}>
        <h3 className="settings-section__title">{t('addContact.yourInvite')}</h3>
        <p className="field__hint">{t('addContact.yourInviteHint')}</p>
        {invite && link ? (
          <div className="invite">
            <div className="invite__fields">
              <CopyField label={t('addContact.inviteLink')} value={link} />
              <CopyField label={t('addContact.inviteCode')} value={inviteCode(invite)} hint={t('addContact.inviteCodeHint')} />
              <button type="button" className="button button--ghost button--small" onClick={() => void props.onNewInvite()}>
                {t('addContact.newInvite')}
              </button>
            </div>
            <QrCode text={link} label={t('addContact.qr')} />
          </div>
        ) : (
          <p className="field__hint">{t('addContact.making')}</p>
        )}
      </section>
      <section className="settings-section" aria-label={t('addContact.useInvite')}>
        <h3 className="settings-section__title">{t('addContact.useInviteTitle')}</h3>
        <form className="copy-field" onSubmit={submitPaste}>
          <label htmlFor={pasteId} className="visually-hidden">
            {t('addContact.pasteLabel')}
          </label>
          <input
            id={pasteId}
            className={`field__input${pasteError ? ' field__input--invalid' : ''}`}
            placeholder={t('addContact.pastePlaceholder')}
            value={pasted}
            spellCheck={false}
            autoComplete="off"
            onChange={(e) => setPasted(e.target.value)}
          />
          <button type="submit" className="button button--primary button--small" disabled={pasted.trim() === ''}>
            {t('addContact.add')}
          </button>
        </form>
        {pasteError && (
          <p className="field__error" role="alert">
            {pasteError}
          </p>
        )}
        {outcome && (
          <p className="field__hint" role="status">
            {outcome}
          </p>
        )}
      </section>
      {directory === 'off' && (
        <p className="field__hint">{t('addContact.noDirectory')}</p>
      )}
      {directory === 'on' && (
        <section className="settings-section" aria-label={t('addContact.directory')}>
          <h3 className="settings-section__title">{t('addContact.findPeople')}</h3>
          <form className="copy-field" onSubmit={(e) => void search(e)}>
            <label htmlFor={searchId} className="visually-hidden">
              {t('addContact.searchLabel')}
            </label>
            <input
              id={searchId}
              type="search"
              className="field__input"
              placeholder={t('addContact.name')}
              maxLength={40}
              value={query}
              onChange={(e) => setQuery(e.target.value)}
            />
            <button type="submit" className="button button--secondary button--small">
              {t('addContact.search')}
            </button>
          </form>
          {searchError && (
            <p className="field__error" role="alert">
              {searchError}
            </p>
          )}
          {found && (
            <ul className="directory" aria-label={t('addContact.results')}>
              {found.length === 0 && <li className="field__hint">{t('addContact.nobody')}</li>}
              {found.map((user) => (
                <li key={user.userId} className="directory__row">
                  <span>
                    {user.displayName} <code>{idPrefix(user.userId)}</code> {user.online ? t('addContact.online') : ''}
                  </span>
                  <button
                    type="button"
                    className="button button--secondary button--small"
                    aria-label={t('addContact.askWho', { name: user.displayName })}
                    onClick={() => setTarget({ userId: user.userId, secret: null, displayName: user.displayName })}
                  >
                    {t('addContact.ask')}
                  </button>
                </li>
              ))}
            </ul>
          )}
        </section>
      )}
    </Dialog>
  );
}
