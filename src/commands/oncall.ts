import type { Caller } from '../kernel/caller.js';
import type { Reply } from '../kernel/request.js';
import type { CommandDeps } from './deps.js';
import { cancel, cover, decide, swap, take } from './oncall-change.js';
import { showAt, showChanges, showNow } from './oncall-show.js';
import { tokenize } from './tokenize.js';
import { testMethods } from './oncall-test.js';

/**
 * /oncall: who is on, and shift changes from chat. The first word picks the
 * action; anything else (a team id, or nothing) shows who is on now.
 */

type OncallAction = (args: string, caller: Caller, deps: CommandDeps) => Promise<Reply>;

const help: OncallAction = async (_args, _caller, deps) => ({ visibility: 'ephemeral', message: { text: deps.present.t('usage.oncall') } });

const ACTIONS: Record<string, OncallAction> = {
  now: showNow,
  at: showAt,
  cover,
  swap,
  take,
  changes: showChanges,
  cancel,
  accept: decide(true),
  decline: decide(false),
  test: testMethods,
  help,
};

export async function handleOncall(args: string, caller: Caller, deps: CommandDeps): Promise<Reply> {
  const first = tokenize(args)[0];
  const action = first && !first.quoted ? ACTIONS[first.text.toLowerCase()] : undefined;
  if (!action) return showNow(args, caller, deps);
  const rest = args.trimStart().slice(first?.text.length ?? 0);
  return action(rest, caller, deps);
}
