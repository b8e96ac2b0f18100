// The entry of dist/mailparser.js: mailparser in a bundle of its own, loaded
// by the CLI's `show` only (see esbuild.mjs).
export { simpleParser } from 'mailparser';
