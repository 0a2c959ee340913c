/**
 * One JSON document in the user-data folder, parsed with its contract schema.
 *
 * - Writes are atomic (write-file-atomic: temp file, fsync, rename), so a crash or a
 *   full disk mid-write leaves the previous file, never half of the new one.
 * - Writes are serialised: two quick updates land in the order they were made.
 * - A file that is not JSON or does not match the schema is renamed aside to
 *   `<name>.corrupt-<timestamp>.json` (kept for the person or for support, never
 *   deleted), defaults are used, and the person is told what happened and where the
 *   old file is.
 */
import { mkdir, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import writeFileAtomic from 'write-file-atomic';
import type { z } from 'zod';
import type { Notify } from '../window/rendererEvents';

export interface JsonStoreOptions<T> {
  /** app.getPath('userData'), injected. */
  dir: string;
  /** File stem: 'settings' → settings.json. */
  name: string;
  /** What the person calls it, for messages: "settings", "call history". */
  label: string;
  schema: z.ZodType<T>;
  defaults: () => T;
  /** Brings an older file up to date (e.g. fills fields added since) before the schema runs. */
  upgrade?: (raw: unknown) => unknown;
  /** Write the defaults at once when there is no file (identity must be stable from the first run). */
  persistDefaults?: boolean;
  notify: Notify;
  logger: Logger;
  now?: () => Date;
}

export class JsonStore<T> {
  /** Set by load(); `loaded` rather than null, because null can be a stored value. */
  private value: T | undefined = undefined;
  private loaded = false;
  private chain: Promise<unknown> = Promise.resolve();
  readonly path: string;

  constructor(private readonly options: JsonStoreOptions<T>) {
    this.path = join(options.dir, `${options.name}.json`);
  }

  /** Reads the file (once); afterwards get() returns the value in memory. */
  async load(): Promise<T> {
    const { logger, schema } = this.options;
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return this.useDefaults(this.options.persistDefaults === true);
      logger.error({ path: this.path, err: error }, 'could not read a store file');
      this.options.notify(
        'error',
        `Parley could not read its ${this.options.label} file (${this.path}: ${code ?? 'unknown error'}), so it is using defaults for now. Check that the file and its folder can be read by you.`,
      );
      return this.useDefaults(false);
    }

    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      return this.quarantine('is not valid JSON (it may have been cut short)');
    }
    const upgraded = this.options.upgrade ? this.options.upgrade(raw) : raw;
    const parsed = schema.safeParse(upgraded);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue && issue.path.length > 0 ? ` at "${issue.path.join('.')}"` : '';
      return this.quarantine(`does not have the expected shape${where}`);
    }
    this.value = parsed.data;
    this.loaded = true;
    return parsed.data;
  }

  get(): T {
    if (!this.loaded) throw new Error(`${this.options.name} store used before load()`);
    return this.value as T;
  }

  /** Validates and stores `next`; resolves once it is on disk. */
  set(next: T): Promise<T> {
    return this.update(() => next);
  }

  /** Read-modify-write, serialised with every other write to this file. */
  update(change: (current: T) => T): Promise<T> {
    const run = async (): Promise<T> => {
      const candidate = change(this.get());
      const parsed = this.options.schema.safeParse(candidate);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        const where = issue && issue.path.length > 0 ? ` at ${issue.path.join('.')}` : '';
        throw new Error(`Invalid ${this.options.label}${where}: ${issue?.message ?? 'does not match the schema'}`);
      }
      await this.write(parsed.data);
      this.value = parsed.data;
      this.loaded = true;
      return parsed.data;
    };
    const result = this.chain.then(run, run);
    this.chain = result.catch(() => undefined);
    return result;
  }

  private async write(value: T): Promise<void> {
    await mkdir(this.options.dir, { recursive: true });
    // 0600: settings hold the server password.
    await writeFileAtomic(this.path, `${JSON.stringify(value, null, 2)}\n`, { mode: 0o600 });
  }

  private async useDefaults(persist: boolean): Promise<T> {
    const value = this.options.defaults();
    this.value = value;
    this.loaded = true;
    if (persist) {
      try {
        await this.write(value);
      } catch (error) {
        this.options.logger.error({ path: this.path, err: error }, 'could not write defaults');
      }
    }
    return value;
  }

  /**
   * Moves the file aside because whoever read it found it unusable (`problem` ends
   * "Your <label> file …"), and falls back to the defaults.
   */
  setAside(problem: string): Promise<T> {
    return this.quarantine(problem);
  }

  private async quarantine(problem: string): Promise<T> {
    const { logger, notify, label, name } = this.options;
    const stamp = (this.options.now ?? (() => new Date()))().toISOString().replace(/[:.]/g, '-');
    const asideName = `${name}.corrupt-${stamp}.json`;
    const aside = join(this.options.dir, asideName);
    let kept = true;
    try {
      await rename(this.path, aside);
    } catch (error) {
      kept = false;
      logger.error({ path: this.path, err: error }, 'could not move a corrupt store file aside');
    }
    logger.warn({ path: this.path, aside: kept ? aside : null, problem }, 'corrupt store file replaced by defaults');
    notify(
      'warning',
      kept
        ? `Your ${label} file ${problem}, so Parley started with default ${label}. The old file was kept as ${asideName} in ${this.options.dir}.`
        : `Your ${label} file ${problem}, so Parley started with default ${label}. It could not be moved aside and will be overwritten on the next change: copy ${this.path} now if you need it.`,
    );
    return this.useDefaults(this.options.persistDefaults === true);
  }
}
