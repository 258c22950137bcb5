/** English messages of the resolution clock (src/muster/resolution.ts), spread into the en catalogue. */
export const resolutionEn = {
  'room.resolveWarning': '{id}: the resolution target is {at}, {left} from now, and the incident is not resolved yet.',
  'room.resolveBreached': '{id}: not resolved within its target of {target}. Paging the duty manager, {manager}.',
  'page.resolveBreach': '{id} has not been resolved within its target of {target}. You are the duty manager: please step in.',
  'dashboard.breach.resolution': 'resolution',
} as const;
