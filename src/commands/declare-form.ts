import { SEVERITIES } from '../config/schema.js';
import type { Form } from '../ports.js';
import type { CommandDeps } from './deps.js';

/**
 * The declare form: chats with modals (Slack, Discord) render it when someone
 * types `/incident declare` alone. Submitting it produces the same command a
 * person would type, so it goes through the same parser and checks.
 */
export function declareFormFor(deps: Pick<CommandDeps, 'config' | 'present'>): Form {
  const { config, present } = deps;
  const t = present.t;
  const severities = SEVERITIES.filter((level) => config.severities[level]);
  return {
    id: 'declare',
    title: t('form.declare.title'),
    submitLabel: t('form.declare.submit'),
    command: '/incident declare',
    inputs: [
      { name: 'title', label: t('form.declare.titleLabel'), kind: 'text' },
      {
        name: 'sev',
        label: t('form.declare.severity'),
        kind: 'select',
        options: severities.map((level) => ({ label: level, value: level })),
        ...(severities[0] ? { initial: severities[0] } : {}),
      },
      {
        name: 'service',
        label: t('form.declare.service'),
        kind: 'select',
        optional: true,
        options: Object.entries(config.services).map(([id, service]) => ({ label: service.name ?? id, value: id })),
      },
      { name: 'summary', label: t('form.declare.summary'), kind: 'longtext', optional: true },
    ],
  };
}
