/** English messages of alert groups on an incident (src/alerts/group.ts), spread into the en catalogue. */
export const alertsEn = {
  'board.alerts': 'Alerts',
  'board.alertsTally': '{firing} firing · {resolved} resolved · last seen {lastSeen}',
  'board.alertsLeftOut': ' · {count} not listed',
} as const;
