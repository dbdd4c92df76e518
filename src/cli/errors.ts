/**
 * How the CLI reports failure: one line, `nabla: error: <what> (<where>)`, exit code 1 for
 * bad data or files, 2 for bad usage, and a stack trace only with --verbose.
 */
import { NablaError } from '../index.js';

/** A failure the user can fix: bad data, a missing file, a corrupt model. */
export class CliError extends Error {
  override name = 'CliError';

  /**
   * @param what  what is wrong, e.g. `column "x" holds numbers, but this value is "abc"`
   * @param where where it is, e.g. `data.csv:4, column "x"` (printed in parentheses)
   */
  constructor(
    what: string,
    readonly where?: string,
    readonly exitCode = 1,
    /** What to do about it, printed after the place: "pass --categorical b if it is a category". */
    hint?: string,
  ) {
    super(`${what}${where ? ` (${where})` : ''}${hint ? `; ${hint}` : ''}`);
  }
}

/** A command line that cannot work: an unknown option or value, options that contradict. */
export class UsageError extends CliError {
  override name = 'UsageError';

  constructor(what: string, where?: string, hint?: string) {
    super(what, where, 2, hint);
  }
}

/** Exit status of an interrupted run (128 + SIGINT), as shells report it. */
export const EXIT_INTERRUPTED = 130;

/** parseCsv names the place as `parseCsv: file:line:col: message`; the CLI puts the place last. */
const CSV_PLACE = /^parseCsv: (.+):(\d+):(\d+): (.*)$/s;

/** The one line a user sees for an error, and the exit code. */
export function describeError(e: unknown): { message: string; exitCode: number; internal: boolean } {
  if (e instanceof CliError) return { message: e.message, exitCode: e.exitCode, internal: false };
  if (e instanceof NablaError) {
    const csv = CSV_PLACE.exec(e.message);
    const message = csv ? `${csv[4]} (${csv[1]}:${csv[2]}:${csv[3]})` : e.message;
    return { message, exitCode: 1, internal: false };
  }
  const err = e instanceof Error ? e : new Error(String(e));
  const code = (err as { code?: string }).code;
  if (code === 'EPIPE') return { message: 'output closed early (broken pipe)', exitCode: 1, internal: false };
  return { message: `internal error: ${err.message} (run again with --verbose for the stack trace, and please report it)`, exitCode: 1, internal: true };
}

/** A node fs error as words: ENOENT → "no such file". */
export function fsReason(e: unknown): string {
  const code = (e as { code?: string })?.code;
  switch (code) {
    case 'ENOENT': return 'no such file';
    case 'EISDIR': return 'it is a directory, not a file';
    case 'EACCES': case 'EPERM': return 'permission denied';
    case 'ENOTDIR': return 'a part of the path is not a directory';
    case 'EMFILE': return 'too many open files';
    default: return code ?? (e instanceof Error ? e.message : String(e));
  }
}

/** Reads a whole file, or throws a CliError naming the file and the reason. */
export async function readFileOrFail(path: string, what: string): Promise<Buffer> {
  const fs = await import('node:fs/promises');
  try {
    return await fs.readFile(path);
  } catch (e) {
    throw new CliError(`cannot read ${what}: ${fsReason(e)}`, path);
  }
}
