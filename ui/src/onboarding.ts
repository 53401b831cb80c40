// The first-run setup's words and the small decisions the wizard makes: whether it opens when the
// app starts, which step it shows, and the schedule the operator typed.

import type { OnboardingStep, OnboardingView, ScheduleRequest, StepState, SuggestedBy } from './api';

export interface StepInfo {
  id: OnboardingStep;
  title: string;
}

/** The steps in the engine's order, as the wizard names them. */
export const STEPS: readonly StepInfo[] = [
  { id: 'connect', title: 'Try the demo, or connect the stores' },
  { id: 'pos_channel', title: 'Pick the POS channel' },
  { id: 'locations', title: 'Map the locations' },
  { id: 'owners', title: 'Choose the owners' },
  { id: 'preview', title: 'The first preview' },
  { id: 'full_sync', title: 'The first full sync' },
  { id: 'schedule', title: 'Set the morning schedule' },
];

export const STATE_LABELS: Record<StepState, string> = {
  done: 'Done',
  current: 'Next',
  waiting: 'Later',
};

export const SUGGESTED_BY_LABELS: Record<SuggestedBy, string> = {
  name: 'same name',
  address: 'same address',
};

export function stepTitle(id: OnboardingStep): string {
  return STEPS.find((s) => s.id === id)?.title ?? id;
}

/**
 * The wizard opens by itself only when the app starts on its default address: someone who opened
 * `#/mapping` (a link, a bookmark, a reload) asked for that screen, and gets it.
 */
export function opensOnStart(view: OnboardingView, hash: string): boolean {
  return view.show && hash.replace(/^#\/?/, '') === '';
}

/** The step shown: the one the operator picked, else the current one, else the last. */
export function shownStep(view: OnboardingView, picked: OnboardingStep | null): OnboardingStep {
  if (picked !== null && view.steps.some((s) => s.step === picked)) {
    return picked;
  }
  const current = view.steps.find((s) => s.state === 'current');
  return current?.step ?? 'schedule';
}

/** The step after `id`, or null after the last. */
export function nextStep(id: OnboardingStep): OnboardingStep | null {
  const i = STEPS.findIndex((s) => s.id === id);
  return i >= 0 ? (STEPS[i + 1]?.id ?? null) : null;
}

export function previousStep(id: OnboardingStep): OnboardingStep | null {
  const i = STEPS.findIndex((s) => s.id === id);
  return i > 0 ? (STEPS[i - 1]?.id ?? null) : null;
}

/** How many steps are done, for "3 of 7 done". */
export function doneCount(view: OnboardingView): number {
  return view.steps.filter((s) => s.state === 'done').length;
}

/**
 * The schedule request for a time typed as HH:MM and a time zone, or what is wrong with them.
 * The engine checks the zone against its own database; this only catches what a person can fix
 * before asking it.
 */
export function scheduleRequest(at: string, timeZone: string): { req: ScheduleRequest } | { problem: string } {
  const time = at.trim();
  const m = /^(\d{1,2}):(\d{2})$/.exec(time);
  const [hours, minutes] = [m?.[1], m?.[2]];
  if (hours === undefined || minutes === undefined || Number(hours) > 23 || Number(minutes) > 59) {
    return { problem: `Give the time as HH:MM on a 24-hour clock, such as 06:30; "${time}" is not one.` };
  }
  const zone = timeZone.trim();
  if (zone === '') {
    return { problem: 'Give the time zone the stores open in, such as Europe/London.' };
  }
  return { req: { at: `${hours.padStart(2, '0')}:${minutes}`, time_zone: zone, guard: null } };
}
