/** English messages of the console (src/main/console.ts): what it says at start. */
export const consoleEn = {
  'console.logFile': 'Log: {file} (MUSTER_LOG_FILE moves it, MUSTER_LOG_LEVEL sets how much). Warnings also show here.',
  'console.http': 'HTTP at {url}: {paths}.',
  'console.webhooksOff': 'Webhook audiences are off in the console: {audiences} will not be notified (they are when Muster runs on Slack or Discord).',
  'console.tags': 'Each line is tagged with where it would go: [{channel}] is the console channel you type in (everyone there sees it), [reply to NAME] only the sender sees, [DM @NAME] is a direct message, [#inc-…] a war room.',
  'console.unknownPerson': '"{name}" is not in muster.yaml: they may declare and read, but are never paged and cannot acknowledge. People: {people}.',
  'console.unknownPersonGuess': '"{name}" is not in muster.yaml (did you mean "{guess}"?): they may declare and read, but are never paged and cannot acknowledge. People: {people}.',
  'console.ready': 'Ready. Type as a configured person, e.g.  {person}: /incident declare Checkout is failing sev=P1 service={service}   (also: sleep 5s, quit)',
} as const;
