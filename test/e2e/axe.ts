/**
 * The accessibility audit of the e2e suite (issue 16.3): axe-core, run inside the
 * page on what a person sees now. `axeAudit(page, 'the ringing card')` fails with
 * every serious or critical violation, each with the rule, its help text and the
 * elements it found, so the message alone says what to fix.
 *
 * axe is injected with page.evaluate, which runs through the DevTools protocol:
 * the app's Content-Security-Policy (script-src 'self') does not apply to it, and
 * the product ships no test hook.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** The impacts that fail an audit. Minor and moderate ones are reported by axe too, but do not fail. */
export const FAILING_IMPACTS = ['serious', 'critical'] as const;

export interface AxeFinding {
  rule: string;
  impact: string;
  help: string;
  helpUrl: string;
  /** Each offending element: its CSS path and axe's summary of what is wrong with it. */
  nodes: { target: string; summary: string }[];
}

declare global {
  interface Window {
    axe?: {
      run(
        context: Document,
        options: { resultTypes: string[] },
      ): Promise<{
        violations: {
          id: string;
          impact?: string | null;
          help: string;
          helpUrl: string;
          nodes: { target: unknown[]; failureSummary?: string }[];
        }[];
      }>;
    };
  }
}

/** Runs axe on the page as it is and returns its serious and critical violations. */
export async function axeFindings(page: Page): Promise<AxeFinding[]> {
  if (!(await page.evaluate(() => window.axe !== undefined))) await page.evaluate(AXE_SOURCE);
  const failing: readonly string[] = FAILING_IMPACTS;
  // Judge the screen as a person sees it once it has settled: a dialog fading in, or a
  // button's colour transition after a click, measured halfway reads as text at a few
  // per cent opacity (contrast 1.1). Finite animations only; a ringing pulse never ends.
  await page.evaluate(async () => {
    const finite = document.getAnimations().filter((a) => Number.isFinite(Number(a.effect?.getComputedTiming().endTime)));
    await Promise.race([Promise.allSettled(finite.map((a) => a.finished)), new Promise((resolve) => setTimeout(resolve, 2_000))]);
  });
  const violations = await page.evaluate(async () => {
    const axe = window.axe;
    if (!axe) throw new Error('axe-core did not load into the page');
    const result = await axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((v) => ({
      rule: v.id,
      impact: v.impact ?? 'unknown',
      help: v.help,
      helpUrl: v.helpUrl,
      nodes: v.nodes.map((n) => ({ target: n.target.map(String).join(' '), summary: (n.failureSummary ?? '').replace(/\s+/g, ' ') })),
    }));
  });
  return violations.filter((v) => failing.includes(v.impact));
}

/** Human-readable list of findings, one block per rule. */
export function describeFindings(findings: readonly AxeFinding[]): string {
  return findings
    .map(
      (f) =>
        `- ${f.impact} ${f.rule}: ${f.help} (${f.helpUrl})\n` + f.nodes.map((n) => `    ${n.target}: ${n.summary}`).join('\n'),
    )
    .join('\n');
}

/** Fails, listing them, when axe finds serious or critical violations on `screen`. */
export async function axeAudit(page: Page, screen: string): Promise<void> {
  const findings = await axeFindings(page);
  if (findings.length > 0) {
    throw new Error(`Accessibility violations on ${screen} (axe-core, serious or critical):\n${describeFindings(findings)}`);
  }
}

/**
 * For a walk through many screens: `audit(page, screen)` records each screen's
 * findings, and `assertClean()` fails once at the end with every screen's list, so
 * one run shows all there is to fix.
 */
export function axeWalk(): { audit(page: Page, screen: string): Promise<void>; assertClean(): void } {
  const found: { screen: string; findings: AxeFinding[] }[] = [];
  return {
    async audit(page, screen) {
      const findings = await axeFindings(page);
      if (findings.length > 0) found.push({ screen, findings });
    },
    assertClean() {
      if (found.length === 0) return;
      const text = found.map((f) => `On ${f.screen}:\n${describeFindings(f.findings)}`).join('\n');
      throw new Error(`Accessibility violations (axe-core, serious or critical) on ${found.length} screen(s):\n${text}`);
    },
  };
}
