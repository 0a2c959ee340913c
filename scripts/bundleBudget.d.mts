import type { Plugin } from 'vite';

export interface BundleBudget {
  /** vite's chunkSizeWarningLimit, in kB of minified code (1 kB = 1000 bytes). */
  chunkLimitKb: number;
  /** Initial JS, gzipped (level 9), in bytes. */
  initialGzipLimit: number;
}

export interface ChunkLike {
  type: 'chunk';
  fileName: string;
  code: string;
  isEntry: boolean;
  imports: string[];
}

export interface BundleReport {
  initialFiles: string[];
  initialGzipBytes: number;
  problems: string[];
}

export function judgeBundle(chunks: readonly ChunkLike[], budget: BundleBudget): BundleReport;
export function bundleBudget(budget: BundleBudget): Plugin;
