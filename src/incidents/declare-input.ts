import { SEVERITIES, type MusterConfig, type Severity } from '../config/schema.js';
import { overLimit } from '../kernel/text.js';
import type { Translate } from '../i18n/catalog.js';
import { teamForRole } from '../muster/slots.js';

/** What someone asks to declare, before it is checked against muster.yaml. */
export interface DeclareRequest {
  title: string;
  /** A configured level ("P1"); P1 when left out. */
  severity?: string;
  service?: string;
  summary?: string;
}

export interface CheckedDeclare {
  title: string;
  severity: Severity;
  service?: string;
  summary?: string;
}

export type DeclareCheck = { ok: true; value: CheckedDeclare } | { ok: false; problem: string };


/**
 * The one check every declaration passes, whoever makes it (a person in chat,
 * a monitoring hook, a drill): a title, a configured severity, a known service,
 * and a service whenever a role of that severity needs one to find its team.
 * The problem is a sentence for the person who asked.
 */
export function checkDeclare(config: MusterConfig, t: Translate, request: DeclareRequest): DeclareCheck {
  const title = request.title.replace(/[\r\n]+/g, ' ').trim();
  if (!title) return { ok: false, problem: t('error.missingTitle') };
  const level = severityNamed(config, t, request.severity ?? 'P1');
  if (!level.ok) return level;
  const severity = level.value;
  const services = Object.keys(config.services);
  const service = request.service;
  if (service !== undefined && !config.services[service]) {
    return { ok: false, problem: t('error.unknownService', { value: service, allowed: services.join(', ') }) };
  }
  const needsService = config.severities[severity]?.roles.find((role) => !teamForRole(config, role, service));
  if (needsService) return { ok: false, problem: t('error.serviceRequired', { severity, role: needsService, allowed: services.join(', ') }) };
  const summary = request.summary?.trim();
  const over = overLimit({ title, summary });
  if (over) return { ok: false, problem: t('error.tooLong', { field: over.field, limit: over.limit, length: over.length }) };
  return {
    ok: true,
    value: { title, severity, ...(service ? { service } : {}), ...(summary ? { summary } : {}) },
  };
}

/** A configured severity by name, any case ("p1"); the problem lists the configured ones. */
export function severityNamed(config: MusterConfig, t: Translate, value: string): { ok: true; value: Severity } | { ok: false; problem: string } {
  const configured = SEVERITIES.filter((level) => config.severities[level]);
  const found = configured.find((level) => level === value.toUpperCase());
  return found ? { ok: true, value: found } : { ok: false, problem: t('error.unknownSeverity', { value, allowed: configured.join(', ') }) };
}
