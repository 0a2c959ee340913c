/**
 * The rules for what a host keeps (settings, favourites, call history), written once
 * for both hosts over a small key-value port: main's adapter keeps one JSON file per
 * key (main/storage/jsonFileData.ts), the browser's keeps localStorage entries
 * (renderer/host/browserData.ts). The rules:
 *
 * - settings saved by an older Parley are upgraded before they are parsed: fields
 *   added since come from the defaults (also inside `devices`), and a mute shortcut
 *   the schema now refuses becomes the default, so neither makes the whole value
 *   count as corrupt; unknown fields still fail; the server choice of a Parley from
 *   before issue 13 moves field by field into today's (upgradeServerChoice);
 * - a stored value that fails its schema is set aside by the adapter (kept, never
 *   deleted, and the person told) and the defaults are used;
 * - favourites are de-duplicated by user id (the first one stays);
 * - history is newest first, an entry with a known id replaces the old one, and at
 *   most MAX_HISTORY entries are kept;
 * - every write is checked against the schema first and refused with the field named;
 * - writes to one key are serialised, so two quick changes land in order;
 * - on the first start with keys (issue 12) favourites and blocked people, kept by
 *   userIds anyone could claim, move aside into the legacy record (setAsideClaimedIds).
 *
 * This module imports only the contract, so main and the renderer can both use it.
 */
import {
  MAX_HISTORY,
  isLoopbackHost,
  favouritesSchema,
  historySchema,
  legacyRecordSchema,
  muteShortcutProblem,
  settingsSchema,
  type Favourite,
  type HistoryEntry,
  type HostNotice,
  type LegacyRecord,
  type ServerChoice,
  type Settings,
  type SettingsPatch,
} from './contract';
import type { z } from 'zod';

export type HostDataKey = 'settings' | 'favourites' | 'history' | 'legacy';

/** What the person calls each value, for notices. */
export const HOST_DATA_LABELS: Record<HostDataKey, string> = {
  settings: 'settings',
  favourites: 'favourites',
  history: 'call history',
  legacy: 'earlier contacts',
};

/** Where a stored value failed its schema: the first issue. */
export interface StoredProblem {
  /** Dotted path of the field ('' for the value as a whole). */
  path: string;
  message: string;
}

/** A place that keeps one JSON value per key. */
export interface HostDataPort {
  /**
   * The stored JSON value, or undefined when there is none. A value the adapter
   * cannot read as JSON it sets aside itself (and says so), and reads as none.
   */
  get(key: HostDataKey): Promise<unknown>;
  /** Stores the value; resolves once it is kept (or the adapter has said why not). */
  set(key: HostDataKey, value: unknown): Promise<void>;
  /** Keeps an unusable stored value aside (never deleted) and tells the person. */
  setAside(key: HostDataKey, problem: StoredProblem): Promise<void>;
}

export type SettingsListener = (next: Settings, previous: Settings) => void;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A settings value from an older Parley lacks the fields added since; fill them from
 * `defaults` instead of calling the whole value corrupt. Unknown fields still fail.
 */
export function upgradeSettings(raw: unknown, defaults: Settings): unknown {
  if (!isRecord(raw)) return raw;
  const devices = isRecord(raw.devices) ? { ...defaults.devices, ...raw.devices } : raw.devices;
  // Older Parley took a bare key as the mute shortcut; the schema now refuses one, and
  // that alone must not make the whole settings value count as corrupt.
  const shortcut =
    typeof raw.muteShortcut === 'string' && muteShortcutProblem(raw.muteShortcut) !== null
      ? { muteShortcut: defaults.muteShortcut }
      : {};
  const server = raw.server === undefined ? {} : { server: upgradeServerChoice(raw.server, defaults.server) };
  return { ...defaults, ...raw, ...(raw.devices === undefined ? {} : { devices }), ...shortcut, ...server };
}

/**
 * The server choice of a Parley from before issue 13, field by field, into today's
 * shape (anything else is returned as it is, for the schema to judge):
 * - `{ mode: 'host', port, lan, password }` → mode `lan` or `local`, the port and password
 *   kept in `host` (STUN/TURN empty), no server to join;
 * - `{ mode: 'remote', urls, password }` → mode `off`, each URL a server to join in the same
 *   order, with that password and no pinned fingerprint. A plain-http URL on another
 *   computer worked before the plaintext rule existed, so it keeps working: it is marked
 *   `allowPlaintext` (Settings → Server shows that), rather than losing the person's server.
 * Today's shape gets the `host` fields added since from the defaults.
 */
export function upgradeServerChoice(raw: unknown, defaults: ServerChoice): unknown {
  if (!isRecord(raw)) return raw;
  if (raw.mode === 'host') {
    const host = { ...defaults.host, ...(raw.port === undefined ? {} : { port: raw.port }), ...(raw.password === undefined ? {} : { password: raw.password }) };
    return { mode: raw.lan === true ? 'lan' : 'local', join: [], host };
  }
  if (raw.mode === 'remote') {
    if (!Array.isArray(raw.urls)) return raw;
    const join = raw.urls.map((url: unknown) => {
      if (typeof url !== 'string' || !URL.canParse(url)) return { url, fingerprint: null, password: raw.password, allowPlaintext: false };
      const parsed = new URL(url);
      // Old URLs were stored as typed; today's are origins, which a lone trailing slash does not change.
      const origin = parsed.pathname === '/' && !parsed.search && !parsed.hash ? url.replace(/\/$/, '') : url;
      return { url: origin, fingerprint: null, password: raw.password, allowPlaintext: parsed.protocol === 'http:' && !isLoopbackHost(parsed.hostname) };
    });
    return { mode: 'off', join, host: defaults.host };
  }
  if (isRecord(raw.host)) return { ...raw, host: { ...defaults.host, ...raw.host } };
  return raw;
}

/** Favourites with each user once, the first occurrence kept. */
export function uniqueFavourites(favourites: readonly Favourite[]): Favourite[] {
  const seen = new Set<string>();
  return favourites.filter((f) => !seen.has(f.userId) && seen.add(f.userId));
}

/** History with `entry` added: newest first, its id once, capped at MAX_HISTORY. */
export function withHistoryEntry(history: readonly HistoryEntry[], entry: HistoryEntry): HistoryEntry[] {
  return [entry, ...history.filter((e) => e.id !== entry.id)].sort((a, b) => b.startedAt - a.startedAt).slice(0, MAX_HISTORY);
}

function firstProblem(error: z.ZodError): StoredProblem {
  const issue = error.issues[0];
  return { path: issue?.path.join('.') ?? '', message: issue?.message ?? 'does not match the schema' };
}

/** One key's value in memory, its schema, and the queue its writes go through. */
class Slot<T> {
  value: T;
  private chain: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly port: HostDataPort,
    readonly key: HostDataKey,
    private readonly schema: z.ZodType<T>,
    private readonly defaults: () => T,
  ) {
    this.value = defaults();
  }

  async load(upgrade: (raw: unknown) => unknown = (raw) => raw): Promise<void> {
    const raw = await this.port.get(this.key);
    if (raw === undefined) return;
    const parsed = this.schema.safeParse(upgrade(raw));
    if (parsed.success) {
      this.value = parsed.data;
      return;
    }
    await this.port.setAside(this.key, firstProblem(parsed.error));
    this.value = this.defaults();
  }

  /** Read-modify-write, after every earlier write to this key; the result is checked before it is stored. */
  update(change: (current: T) => unknown): Promise<{ previous: T; next: T }> {
    const run = async () => {
      const previous = this.value;
      const parsed = this.schema.safeParse(change(previous));
      if (!parsed.success) {
        const { path, message } = firstProblem(parsed.error);
        throw new Error(`These ${HOST_DATA_LABELS[this.key]} cannot be saved: ${path || 'value'} — ${message}.`);
      }
      await this.port.set(this.key, parsed.data);
      this.value = parsed.data;
      return { previous, next: parsed.data };
    };
    const result = this.chain.then(run, run);
    this.chain = result.catch(() => undefined);
    return result;
  }
}

/** Settings, favourites and history, kept through `port` by the rules above. */
export class HostData {
  private readonly settings: Slot<Settings>;
  private readonly favourites: Slot<Favourite[]>;
  private readonly history: Slot<HistoryEntry[]>;
  private readonly legacy: Slot<LegacyRecord | null>;
  private readonly listeners = new Set<SettingsListener>();

  /** `defaults` are this host's settings defaults (the web's point at the page's server). */
  constructor(
    port: HostDataPort,
    private readonly defaults: Settings,
  ) {
    this.settings = new Slot(port, 'settings', settingsSchema, () => structuredClone(defaults));
    this.favourites = new Slot(port, 'favourites', favouritesSchema, () => []);
    this.history = new Slot(port, 'history', historySchema, () => []);
    this.legacy = new Slot(port, 'legacy', legacyRecordSchema.nullable(), () => null);
  }

  /** Reads every value once, in a fixed order (so notices about them come in that order too). */
  async load(): Promise<void> {
    await this.settings.load((raw) => upgradeSettings(raw, this.defaults));
    await this.favourites.load();
    await this.history.load();
    await this.legacy.load();
  }

  getSettings(): Settings {
    return this.settings.value;
  }

  /** Stores the patched settings; listeners hear of a real change, against the value just before it. */
  async updateSettings(patch: SettingsPatch): Promise<Settings> {
    const { previous, next } = await this.settings.update((current) => ({ ...current, ...patch }));
    if (JSON.stringify(next) !== JSON.stringify(previous)) {
      for (const listener of [...this.listeners]) listener(next, previous);
    }
    return next;
  }

  onSettingsChanged(listener: SettingsListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  getFavourites(): Favourite[] {
    return this.favourites.value;
  }

  async setFavourites(favourites: readonly Favourite[]): Promise<void> {
    await this.favourites.update(() => uniqueFavourites(favourites));
  }

  getHistory(): HistoryEntry[] {
    return this.history.value;
  }

  async addHistoryEntry(entry: HistoryEntry): Promise<void> {
    await this.history.update((current) => withHistoryEntry(current, entry));
  }

  async clearHistory(): Promise<void> {
    await this.history.update(() => []);
  }

  /** What the move to keys set aside, or null. */
  getLegacy(): LegacyRecord | null {
    return this.legacy.value;
  }

  /**
   * The first start with keys (issue 12), when the host still holds the ids an older
   * Parley made up (`oldUserId`): favourites and blocked people were kept by userIds
   * that no longer name anyone, so they move aside into the legacy record, with
   * their names, and the lists start empty; history stays where it is. Runs once:
   * a legacy record already stored means it ran. Returns the notice to show, or null
   * when there was nothing to tell.
   */
  async setAsideClaimedIds(oldUserId: string, now: number): Promise<HostNotice | null> {
    if (this.legacy.value !== null) return null;
    const favourites = this.getFavourites();
    const history = this.getHistory();
    const blockedIds = this.getSettings().blockedUserIds;
    const names = new Map<string, string>();
    for (const entry of history) for (const peer of entry.peers) if (!names.has(peer.userId)) names.set(peer.userId, peer.displayName);
    for (const favourite of favourites) names.set(favourite.userId, favourite.displayName);
    const record: LegacyRecord = {
      migratedAt: now,
      oldUserId,
      favourites,
      blocked: blockedIds.map((userId) => ({ userId, displayName: names.get(userId) ?? null })),
    };
    // The record first: once it is kept, emptying the lists loses nothing.
    await this.legacy.update(() => record);
    if (favourites.length > 0) await this.favourites.update(() => []);
    if (blockedIds.length > 0) await this.updateSettings({ blockedUserIds: [] });
    if (favourites.length === 0 && blockedIds.length === 0 && history.length === 0) return null;
    const about = { kind: 'legacyContacts', favourites: favourites.length, blocked: blockedIds.length, history: history.length > 0 } as const;
    return { level: 'info', message: legacyNotice(about.favourites, about.blocked, about.history), about };
  }
}

const count = (n: number, one: string, many: string): string => `${n} ${n === 1 ? one : many}`;

/** The one-time notice after setAsideClaimedIds: what happened, and where things are now. */
export function legacyNotice(favourites: number, blocked: number, history: boolean): string {
  const moved = [
    favourites > 0 ? count(favourites, 'favourite', 'favourites') : null,
    blocked > 0 ? count(blocked, 'blocked person', 'blocked people') : null,
  ].filter((part): part is string => part !== null);
  const parts = [
    'Parley now proves who everyone is with keys, so people you saved before must be added again as contacts (with an invite).',
    moved.length > 0 ? `Your ${moved.join(' and ')} are kept under Settings → Your devices → Earlier contacts.` : null,
    history ? 'Your call history is kept; calling someone back from it asks you to add them first.' : null,
  ];
  return parts.filter((part): part is string => part !== null).join(' ');
}
