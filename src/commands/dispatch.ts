import { CommitOutcomeUnknownError, DomainError, isDomainError } from '../errors.js';
import type { Logger } from '../logger.js';
import { actorName, personForActor } from '../incidents/directory.js';
import { StoreUnavailableError } from '../ports.js';
import { handleIncident } from './incident-handlers.js';
import { handleOncall } from './oncall.js';
import { handleDrill } from './drills.js';
import { handleKb } from './kb.js';
import type { CommandDeps } from './deps.js';
import type { Caller } from '../kernel/caller.js';
import { commandRequestSchema, type CommandRequest, type Reply } from '../kernel/request.js';

type Handler = (args: string, caller: Caller, deps: CommandDeps) => Promise<Reply>;

const COMMANDS: Record<string, Handler> = {
  incident: handleIncident,
  oncall: handleOncall,
  drill: handleDrill,
  kb: handleKb,
};

/** A platform retries for minutes at most; a day is a safe dedupe window. */
const REQUEST_TTL_MS = 24 * 3_600_000;

/**
 * The one entry point for every chat: validate, dedupe by request id, run the
 * use case, and turn every failure into a reply a person can act on.
 */
export async function dispatch(request: CommandRequest, deps: CommandDeps): Promise<Reply> {
  const t = deps.present.t;
  try {
    const valid = commandRequestSchema.parse(request);
    const name = valid.name.replace(/^\//, '').toLowerCase();
    const handler = COMMANDS[name];
    if (!handler) {
      throw new DomainError('unknown_command', t('error.unknownCommand', { name: valid.name, known: Object.keys(COMMANDS).map((c) => `/${c}`).join(', ') }));
    }
    if (!(await deps.store.claimRequest(valid.requestId, REQUEST_TTL_MS))) {
      return { visibility: 'ephemeral', message: { text: '' }, duplicate: true };
    }
    const person = personForActor(deps.config, valid.actor);
    const caller: Caller = {
      ref: valid.actor,
      name: actorName(deps.config, valid.actor),
      conversation: valid.conversation,
      ...(person ? { person } : {}),
      ...(valid.actorName ? { displayName: valid.actorName } : {}),
    };
    return await handler(valid.args, caller, deps);
  } catch (error) {
    return errorReply(error, request, deps);
  }
}

function errorReply(error: unknown, request: CommandRequest, deps: CommandDeps): Reply {
  const t = deps.present.t;
  if (isDomainError(error)) {
    const text = error.detail ? `${error.message}\n${error.detail}` : error.message;
    return { visibility: 'ephemeral', message: { text, tone: 'warning' } };
  }
  if (error instanceof CommitOutcomeUnknownError) {
    deps.logger.warn({ requestId: request.requestId, incident: error.incident }, 'store went away mid-write; outcome unknown');
    return { visibility: 'ephemeral', message: { text: t('error.outcomeUnknown', { id: error.incident }), tone: 'warning' } };
  }
  if (error instanceof StoreUnavailableError) {
    deps.logger.warn({ requestId: request.requestId, err: error.message }, 'store unavailable; command refused');
    return { visibility: 'ephemeral', message: { text: t('error.degraded'), tone: 'warning' } };
  }
  deps.logger.error({ requestId: request.requestId, command: request.name, err: error }, 'command failed');
  return { visibility: 'ephemeral', message: { text: t('error.internal', { requestId: request.requestId }), tone: 'warning' } };
}
