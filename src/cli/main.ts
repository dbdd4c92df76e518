/**
 * The `nabla` command line: builds the commander program from the command list and turns
 * every failure into one line on stderr and an exit code (1 data/runtime, 2 usage, 130 Ctrl-C).
 */
import { Command, CommanderError } from 'commander';
import pc from 'picocolors';
import { commands } from './commands/index.js';
import { describeError } from './errors.js';
import { CLI_VERSION } from './version.js';

/** The program with every command registered; parse errors throw CommanderError instead of exiting. */
export function buildProgram(): Command {
  const program = new Command();
  program
    .name('nabla')
    .description('Train, evaluate and use neural networks from the command line (nabla, TypeScript).')
    .version(CLI_VERSION, '-V, --version', 'print the version')
    .option('--verbose', 'print the stack trace of an error')
    .option('--no-color', 'print without colours (also: NO_COLOR=1)')
    .helpOption('-h, --help', 'show help')
    .showSuggestionAfterError(true)
    .configureHelp({ showGlobalOptions: true })
    // Inherited by the commands registered below: errors come back to main() as exceptions.
    .exitOverride()
    .configureOutput({ outputError: () => undefined });
  program.addHelpText('after', `
Examples:
  $ nabla train                              MNIST with the 784-128-10 MLP (about 97.5% test accuracy)
  $ nabla train --data my.csv --target y     your own CSV file
  $ nabla evaluate runs/<run>/model.nabla    test metrics and confusion matrix of a saved model
  $ nabla predict model.nabla -i new.csv     predictions for new rows
  $ nabla summary model.nabla                layers, inputs, classes and training settings

Run 'nabla <command> --help' for the options of a command.`);
  for (const register of commands) register(program);
  return program;
}

/** One commander message as one line: "unknown option '--epoch' (Did you mean --epochs?)". */
function commanderLine(e: CommanderError): string {
  const line = e.message.replace(/^error: /, '').split('\n').map((s) => s.trim()).filter(Boolean).join(' ');
  const invalid = /^option '([^' ]+)[^']*' argument '(.*)' is invalid\. (.*)$/s.exec(line);
  return invalid ? `invalid value '${invalid[2]}' for ${invalid[1]}: ${invalid[3].replace(/\.$/, '')}` : line;
}

/** "nabla train --help" when the command line names a command, else "nabla --help". */
function helpHint(program: Command, argv: string[]): string {
  const name = argv.slice(2).find((a) => !a.startsWith('-'));
  return program.commands.some((c) => c.name() === name) ? `see nabla ${name} --help` : 'see nabla --help';
}

/** Runs the CLI on process-style argv (['node', 'nabla', ...]) and sets process.exitCode. */
export async function main(argv: string[]): Promise<void> {
  const verbose = argv.includes('--verbose');
  const errColor = pc.createColors(!!process.stderr.isTTY && !process.env.NO_COLOR && !argv.includes('--no-color'));
  const fail = (message: string, code: number, err?: unknown): void => {
    process.stderr.write(`${errColor.red(errColor.bold('nabla: error:'))} ${message}\n`);
    if (verbose && err instanceof Error && err.stack) process.stderr.write(`${errColor.dim(err.stack)}\n`);
    process.exitCode = code;
  };
  // A closed pipe (`nabla predict … | head`) is not an error worth a stack trace.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version') process.exitCode = 0;
      else if (e.code === 'commander.help' || e.code === 'commander.executeSubCommandAsync') process.exitCode = e.exitCode;
      else fail(`${commanderLine(e)}; ${helpHint(program, argv)}`, 2, e);
      return;
    }
    const { message, exitCode } = describeError(e);
    fail(message, exitCode, e);
  }
}
