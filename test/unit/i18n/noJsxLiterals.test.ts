/**
 * No user-visible English left in the renderer's JSX (issue 16.1): text between tags
 * and the attributes people read or hear (aria-label, title, placeholder, alt, label…)
 * must come from t(). Found by TypeScript's own parser over renderer/ui/**\/*.tsx.
 *
 * EXCEPTIONS holds the text that is the same in every language (brand, symbols).
 * NOT_YET_TRANSLATED lists files still carrying English literals: the list may only
 * shrink — a file on it that has become clean fails the test, so it is taken off.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../../..');
const UI = join(ROOT, 'renderer/ui');
const READ_ATTRIBUTES = new Set(['aria-label', 'aria-description', 'aria-roledescription', 'title', 'placeholder', 'alt', 'label', 'subtitle', 'headline', 'message']);
/** Words that are the same in every language. */
const EXCEPTIONS = new Set(['Parley', 'Parley.', 'OK', '·', '…', '×', '—', '–', '/', ':', '+', 'MB', 'QR']);

const NOT_YET_TRANSLATED = new Set<string>([
]);

export interface Literal {
  file: string;
  line: number;
  text: string;
}

/** The literal, user-visible strings of one .tsx source. */
export function jsxLiterals(file: string, source: string): Literal[] {
  const sf = ts.createSourceFile(file, source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TSX);
  const found: Literal[] = [];
  const add = (node: ts.Node, text: string) => {
    const clean = text.replace(/\s+/g, ' ').trim();
    if (!/\p{L}/u.test(clean) || EXCEPTIONS.has(clean)) return;
    found.push({ file, line: sf.getLineAndCharacterOfPosition(node.getStart()).line + 1, text: clean });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isJsxText(node)) add(node, node.text);
    if (ts.isJsxAttribute(node) && READ_ATTRIBUTES.has(node.name.getText(sf)) && node.initializer) {
      const init = node.initializer;
      if (ts.isStringLiteral(init)) add(init, init.text);
      if (ts.isJsxExpression(init) && init.expression) literalStrings(init.expression).forEach((s) => add(init, s));
    }
    if (ts.isJsxExpression(node) && node.expression && ts.isJsxElement(node.parent)) {
      literalStrings(node.expression).forEach((s) => add(node, s));
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found;
}

/** String literals an expression can evaluate to directly (a ? 'x' : 'y', `...`, 'x'), not inside calls. */
function literalStrings(expression: ts.Expression): string[] {
  if (ts.isStringLiteral(expression) || ts.isNoSubstitutionTemplateLiteral(expression)) return [expression.text];
  if (ts.isTemplateExpression(expression)) return [expression.head.text, ...expression.templateSpans.map((s) => s.literal.text)];
  if (ts.isConditionalExpression(expression)) return [...literalStrings(expression.whenTrue), ...literalStrings(expression.whenFalse)];
  if (ts.isBinaryExpression(expression) && expression.operatorToken.kind !== ts.SyntaxKind.EqualsEqualsEqualsToken) {
    return [...literalStrings(expression.left), ...literalStrings(expression.right)];
  }
  if (ts.isParenthesizedExpression(expression)) return literalStrings(expression.expression);
  return [];
}

function tsxFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return tsxFiles(path);
    return entry.name.endsWith('.tsx') ? [path] : [];
  });
}

describe('JSX text in renderer/ui', () => {
  const byFile = new Map<string, Literal[]>();
  for (const path of tsxFiles(UI)) {
    const file = relative(ROOT, path);
    byFile.set(file, jsxLiterals(file, readFileSync(path, 'utf8')));
  }

  it('has no English literal outside the files still being translated', () => {
    const left = [...byFile].filter(([file]) => !NOT_YET_TRANSLATED.has(file)).flatMap(([, literals]) => literals);
    expect(left.map((l) => `${l.file}:${l.line} "${l.text}"`)).toEqual([]);
  });

  it('takes a file off the not-yet-translated list once it is clean', () => {
    const clean = [...NOT_YET_TRANSLATED].filter((file) => (byFile.get(file) ?? []).length === 0);
    expect(clean).toEqual([]);
  });

  it('finds text, read attributes and literal branches, and leaves t() calls alone', () => {
    const source = `const a = <p title="Hello" aria-label={x ? 'One' : 'Two'}>Hi there {t('k')} {n > 1 ? 'many' : t('one')}</p>;
      const b = <Icon size={3} className="x" />; const c = <span>{t('ok')} · 3</span>;`;
    expect(jsxLiterals('x.tsx', source).map((l) => l.text)).toEqual(['Hello', 'One', 'Two', 'Hi there', 'many']);
  });
});
