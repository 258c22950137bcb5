import type { Translate } from '../i18n/catalog.js';
import type { Incident } from '../incidents/types.js';
import { onTimeShare, type OnTimeShare } from './task.js';

/**
 * How the knowledge loop is doing, for the weekly report and the dashboard:
 * the share of knowledge tasks filed on time (over tasks due in the window),
 * and how often the similar incidents shown at declare were opened (over war
 * rooms declared in the window). Drills count in neither.
 */
export interface KnowledgeMeasures {
  tasks: OnTimeShare;
  /** War rooms that were shown similar incidents. */
  suggestedRooms: number;
  /** Similar incidents shown, in all. */
  suggestions: number;
  /** Of those, opened from the war room they were shown in. */
  opened: number;
}

export function knowledgeMeasures(incidents: readonly Incident[], from: number, to: number): KnowledgeMeasures {
  const out: KnowledgeMeasures = { tasks: onTimeShare(incidents, from, to), suggestedRooms: 0, suggestions: 0, opened: 0 };
  for (const incident of incidents) {
    const suggested = incident.knowledge?.suggested;
    if (incident.drill || !suggested || incident.declaredAt < from || incident.declaredAt >= to) continue;
    out.suggestedRooms += 1;
    out.suggestions += suggested.length;
    out.opened += incident.knowledge?.opened?.length ?? 0;
  }
  return out;
}

/** The one line the weekly report and the dashboard show. */
export function knowledgeLine(t: Translate, measures: KnowledgeMeasures): string {
  const { tasks } = measures;
  return t('report.knowledge', {
    onTime: tasks.filedOnTime,
    due: tasks.due,
    share: tasks.share === undefined ? '-' : `${Math.round(tasks.share * 100)}%`,
    late: tasks.filedLate,
    skipped: tasks.skipped,
    open: tasks.open,
    suggested: measures.suggestedRooms,
    opened: measures.opened,
  });
}
