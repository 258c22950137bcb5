/** Escalation steps for e2e tests. */

/** Backups after 1 s, so step 2 comes during the test; the manager and the deadline far away. */
export function backupAfterASecond(raw: Record<string, unknown>): void {
  raw.escalation = { standard: { steps: [{ after: '0s', page: 'primary' }, { after: '1s', page: 'backup' }, { after: '1h', page: 'manager' }] } };
}
