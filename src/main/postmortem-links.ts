/**
 * The postmortem link of the knowledge messages (#17): with the dashboard on
 * (MUSTER_DASHBOARD_TOKEN) and MUSTER_PUBLIC_URL set, similar incidents and
 * /kb results link each incident's export on the dashboard, behind its login;
 * otherwise they name `muster export INC-n`.
 */
import { postmortemPath } from '../../adapters/http/dashboard.js';
import type { MusterEnv } from '../config/env.js';
import { publicUrlOf } from '../config/paging-env.js';
import type { ConfigProblem } from '../config/problems.js';
import type { PostmortemUrl } from '../knowledge/messages.js';
import type { Logger } from '../logger.js';
import type { Presenter } from '../notify/present.js';
import type { IncidentStore } from '../ports.js';
import { postmortem, type PostmortemFormat } from '../reports/postmortem.js';

export function postmortemUrlFor(env: MusterEnv, logger: Logger): PostmortemUrl | undefined {
  if (!env.dashboardToken) return undefined;
  const problems: ConfigProblem[] = [];
  const base = publicUrlOf(env.raw ?? {}, problems);
  for (const problem of problems) logger.warn({ variable: problem.path }, `${problem.message}: ${problem.hint ?? ''}; postmortem links name muster export instead`);
  return base ? (id) => `${base}${postmortemPath(id)}` : undefined;
}

/** What the dashboard's postmortem route serves: the same text as `muster export`. */
export function postmortemExport(store: Pick<IncidentStore, 'get' | 'timeline'>, present: Presenter) {
  return async (id: string, format: PostmortemFormat): Promise<string | undefined> => {
    const incident = await store.get(id);
    if (!incident) return undefined;
    return postmortem(incident, await store.timeline(id), present, format);
  };
}
