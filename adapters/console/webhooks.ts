import type { AudiencesConfig } from '../../src/config/audiences.js';
import type { Logger } from '../../src/logger.js';
import type { WebhookPort } from '../../src/ports.js';

/** The webhook audiences (status pages) of a config, by id: the console tells people once that they are off. */
export function webhookAudienceIds(audiences: AudiencesConfig): string[] {
  return Object.entries(audiences)
    .filter(([, audience]) => audience.kind === 'webhook')
    .map(([id]) => id);
}

/**
 * Webhook audiences in the console: off. The console is a place to try
 * Muster, so it never posts to a real status page; each skipped event is a
 * debug line in the log instead of an "undeliverable" warning per event.
 */
export class ConsoleWebhooks implements WebhookPort {
  constructor(private readonly logger: Logger) {}

  async post(audience: string, body: Record<string, unknown>): Promise<void> {
    this.logger.debug({ audience, event: body.event, incident: body.incident }, 'webhook audience skipped: webhook audiences are off in the console');
  }
}
