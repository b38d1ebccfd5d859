import { Command } from 'commander';
import { applyUsageContract, commanderExitCode } from './usage.contract';

/**
 * A tree built the way nest-commander builds it: `new Command()` + `addCommand()`, which copies no
 * setting of the parent, so without the contract a subcommand's parse error exits the process 1.
 */
function tree(errors: string[]): Command {
  const root = new Command();
  const controls = new Command('controls').option('--format <format>').action(() => undefined);
  const tokens = new Command('tokens');
  tokens.addCommand(new Command('revoke').argument('<name>').action(() => undefined));
  root.addCommand(controls);
  root.addCommand(tokens);
  applyUsageContract(root, '9.8.7');
  const capture = (cmd: Command): void => {
    cmd.configureOutput({ writeErr: (s) => errors.push(s), writeOut: (s) => errors.push(s) });
    cmd.commands.forEach(capture);
  };
  capture(root);
  return root;
}

async function parse(...args: string[]): Promise<{ exit: number | undefined; errors: string }> {
  const errors: string[] = [];
  try {
    await tree(errors).parseAsync(['node', 'audit-hub', ...args]);
    return { exit: undefined, errors: errors.join('') };
  } catch (err) {
    return { exit: commanderExitCode(err), errors: errors.join('') };
  }
}

describe('the usage contract on a nest-commander-shaped tree', () => {
  it.each([
    [
      ['controls', '--bogus'],
      "audit-hub: unknown option '--bogus'\n(audit-hub controls --help lists its usage)\n",
    ],
    [['controls', '--format'], "audit-hub: option '--format <format>' argument missing\n"],
    [
      ['controls', 'extra'],
      "audit-hub: too many arguments for 'controls'. Expected 0 arguments but got 1.\n",
    ],
    [['tokens', 'revoke', 'a', 'b'], '(audit-hub tokens revoke --help lists its usage)'],
    [['tokens', 'revoke'], "audit-hub: missing required argument 'name'\n"],
  ])('%j is exit 2 with the message', async (args, message) => {
    const { exit, errors } = await parse(...args);
    expect(exit).toBe(2);
    expect(errors).toContain(message);
  });

  it('--version and --help are exit 0', async () => {
    expect(await parse('--version')).toEqual({ exit: 0, errors: '9.8.7\n' });
    const help = await parse('controls', '--help');
    expect(help.exit).toBe(0);
    expect(help.errors).toContain('Usage: audit-hub controls [options]');
  });

  it('a valid command line parses', async () => {
    expect(await parse('controls', '--format', 'json')).toEqual({ exit: undefined, errors: '' });
  });

  it('leaves errors that are not commander’s alone', () => {
    expect(commanderExitCode(new Error('boom'))).toBeUndefined();
    expect(commanderExitCode({ code: 'ENOENT', exitCode: 1 })).toBeUndefined();
  });
});
