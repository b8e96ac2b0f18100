// Argument parsing for the `pop3-mail` CLI: `--name value` and `--flag` only,
// no positional surprises. Unknown or missing options are usage errors (exit 2).

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export interface OptionSpec {
  /** Options that take a value. */
  readonly values: readonly string[];
  /** Options that are flags. */
  readonly flags: readonly string[];
  readonly required?: readonly string[];
  /** How many positional arguments the command takes. */
  readonly positionals?: number;
}

export interface ParsedArgs {
  readonly values: ReadonlyMap<string, string>;
  readonly flags: ReadonlySet<string>;
  readonly positionals: readonly string[];
}

export function parseArgs(argv: readonly string[], spec: OptionSpec): ParsedArgs {
  const values = new Map<string, string>();
  const flags = new Set<string>();
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--')) {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq === -1 ? undefined : eq);
    if (spec.flags.includes(name)) {
      if (eq !== -1) throw new UsageError(`--${name} takes no value`);
      flags.add(name);
    } else if (spec.values.includes(name)) {
      const value = eq !== -1 ? arg.slice(eq + 1) : argv[++i];
      if (value === undefined) throw new UsageError(`--${name} needs a value`);
      values.set(name, value);
    } else {
      throw new UsageError(`unknown option --${name}`);
    }
  }
  for (const name of spec.required ?? []) {
    if (!values.has(name)) throw new UsageError(`--${name} is required`);
  }
  if (positionals.length > (spec.positionals ?? 0)) throw new UsageError(`unexpected argument ${positionals[spec.positionals ?? 0]}`);
  return { values, flags, positionals };
}

/** A TCP port number, or a usage error. */
export function parsePort(text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!/^\d{1,5}$/.test(text) || n < 1 || n > 65535) throw new UsageError(`--port must be a number from 1 to 65535, not ${text}`);
  return n;
}
