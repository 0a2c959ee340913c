// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

/**
 * Import boundaries from docs/ARCHITECTURE.md, enforced on the import specifier:
 * - the contract files are leaves: identity.ts imports nothing from the project,
 *   protocol.ts only identity.ts, preload/contract.ts only protocol.ts and identity.ts;
 * - preload/hostData.ts (the host data rules both hosts share) imports only the contract;
 * - renderer/ imports only renderer/, preload/contract, preload/hostData and signaling-server/{protocol,identity};
 * - preload/ imports only preload/, signaling-server/{protocol,identity} and electron;
 * - signaling-server/ imports nothing from the other folders;
 * - main/ imports preload/contract, preload/hostData and signaling-server/*, never renderer/.
 */
const leaf = { regex: '^\\.', message: 'A contract file is a leaf: it imports nothing from the project.' };
const contractLeaf = {
  regex: '^\\.(?!\\./signaling-server/(protocol|identity)$)',
  message: 'preload/contract.ts imports only signaling-server/protocol and identity from the project.',
};
const protocolLeaf = { regex: '^\\.(?!/identity$)', message: 'protocol.ts imports only identity.ts from the project.' };
const hostDataLeaf = { regex: '^\\.(?!/contract$)', message: 'preload/hostData.ts imports only the contract.' };
const nodeBuiltins = { regex: '^node:', message: 'No Node built-ins here: this code runs in a browser context.' };
const noElectron = { name: 'electron', message: 'Only main/ and the preload talk to Electron.' };

const boundary = (files, patterns, paths = []) => ({
  files,
  rules: { 'no-restricted-imports': ['error', { patterns, paths }] },
});

export default tseslint.config(
  { ignores: ['dist/**', 'release/**', 'node_modules/**', '.tsbuild/**', 'test-results/**', 'bench-results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.es2023 } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      eqeqeq: ['error', 'always'],
      'no-restricted-syntax': [
        'error',
        { selector: "CallExpression[callee.property.name='onAny']", message: 'Handle named, validated events only.' },
      ],
    },
  },
  { files: ['renderer/**', 'preload/**'], languageOptions: { globals: { ...globals.browser } } },
  { files: ['main/**', 'signaling-server/**', 'test/**', 'scripts/**', 'build/**', '*.config.*'], languageOptions: { globals: { ...globals.node } } },
  { files: ['test/**'], languageOptions: { globals: { ...globals.browser } } },
  boundary(
    ['renderer/**'],
    [
      { regex: '^(\\.\\./)+main(/|$)', message: 'renderer/ never imports main/.' },
      { regex: '^(\\.\\./)+preload/(?!(contract|hostData)$)', message: 'renderer/ imports only preload/contract and preload/hostData.' },
      { regex: '^(\\.\\./)+signaling-server/(?!(protocol|identity)$)', message: 'renderer/ imports only signaling-server/protocol and identity.' },
      { regex: '^(\\.\\./)+test(/|$)', message: 'renderer/ never imports tests.' },
      nodeBuiltins,
    ],
    [noElectron],
  ),
  boundary(['preload/**'], [
    { regex: '^(\\.\\./)+(main|renderer|test)(/|$)', message: 'preload/ imports only preload/, signaling-server/protocol and electron.' },
    { regex: '^(\\.\\./)+signaling-server/(?!(protocol|identity)$)', message: 'preload/ imports only preload/, signaling-server/{protocol,identity} and electron.' },
    nodeBuiltins,
  ]),
  boundary(
    ['signaling-server/**'],
    [{ regex: '^(\\.\\./)+(main|renderer|preload|test)(/|$)', message: 'signaling-server/ imports nothing from the other folders.' }],
    [noElectron],
  ),
  boundary(['main/**'], [
    { regex: '^(\\.\\./)+renderer(/|$)', message: 'main/ never imports renderer/.' },
    { regex: '^(\\.\\./)+preload/(?!(contract|hostData)$)', message: 'main/ imports only preload/contract and preload/hostData.' },
  ]),
  boundary(['signaling-server/identity.ts'], [leaf], [noElectron]),
  boundary(['signaling-server/protocol.ts'], [protocolLeaf], [noElectron]),
  boundary(['preload/contract.ts'], [contractLeaf], [noElectron]),
  boundary(['preload/hostData.ts'], [hostDataLeaf, nodeBuiltins], [noElectron]),
);
