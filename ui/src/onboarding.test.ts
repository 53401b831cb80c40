import { describe, expect, it } from 'vitest';
import type { OnboardingStep, OnboardingView, StepState } from './api';
import { STEPS, doneCount, nextStep, opensOnStart, previousStep, scheduleRequest, shownStep } from './onboarding';

function view(states: StepState[], extra: Partial<OnboardingView> = {}): OnboardingView {
  const complete = states.every((s) => s === 'done');
  return {
    steps: STEPS.map((s, i) => ({ step: s.id, state: states[i] ?? 'waiting', summary: `${s.id} summary` })),
    complete,
    dismissed: false,
    show: !complete,
    preview_run_id: null,
    full_sync_run_id: null,
    ...extra,
  };
}

const FRESH: StepState[] = ['current', 'waiting', 'waiting', 'waiting', 'waiting', 'waiting', 'waiting'];
const DONE: StepState[] = ['done', 'done', 'done', 'done', 'done', 'done', 'done'];

describe('opensOnStart', () => {
  it('opens the setup on the default address only', () => {
    expect(opensOnStart(view(FRESH), ''), 'a first start on the bare address opens the setup').toBe(true);
    expect(opensOnStart(view(FRESH), '#/'), 'the bare hash is the default address too').toBe(true);
    expect(
      opensOnStart(view(FRESH), '#/mapping'),
      'an address that names a screen was asked for: the setup must not take its place',
    ).toBe(false);
  });

  it('stays shut once the setup is complete or put away', () => {
    expect(opensOnStart(view(DONE), ''), 'a complete setup has nothing left to show').toBe(false);
    expect(
      opensOnStart(view(FRESH, { dismissed: true, show: false }), ''),
      'an operator who skipped the setup gets the home screen',
    ).toBe(false);
  });
});

describe('shownStep', () => {
  it('shows the current step until the operator picks another', () => {
    const states: StepState[] = ['done', 'done', 'current', 'waiting', 'waiting', 'waiting', 'done'];
    expect(shownStep(view(states), null), 'the first step not done is shown').toBe('locations');
    expect(shownStep(view(states), 'connect'), 'a step picked by hand stays shown, even a done one').toBe('connect');
    expect(shownStep(view(DONE), null), 'with everything done the last step is shown').toBe('schedule');
  });
});

describe('nextStep and previousStep', () => {
  it('walk the seven steps in order and stop at both ends', () => {
    const walked: OnboardingStep[] = ['connect'];
    for (let s = nextStep('connect'); s !== null; s = nextStep(s)) walked.push(s);
    expect(walked, 'Next visits every step once, in the engine order').toEqual(STEPS.map((s) => s.id));
    expect(previousStep('connect'), 'nothing comes before connecting').toBeNull();
    expect(previousStep('schedule'), 'Back from the schedule returns to the full sync').toBe('full_sync');
  });
});

describe('doneCount', () => {
  it('counts the done steps', () => {
    expect(doneCount(view(['done', 'done', 'current', 'waiting', 'waiting', 'waiting', 'done'])), 'three steps are done').toBe(3);
  });
});

describe('scheduleRequest', () => {
  it('accepts a 24-hour time and pads the hour', () => {
    expect(scheduleRequest(' 6:30 ', 'Europe/Paris'), 'the engine expects HH:MM').toEqual({
      req: { at: '06:30', time_zone: 'Europe/Paris', guard: null },
    });
  });

  it('refuses what the engine would refuse, saying how to fix it', () => {
    const late = scheduleRequest('24:10', 'UTC');
    expect('problem' in late && late.problem, 'there is no 24th hour').toMatch(/HH:MM/);
    const noZone = scheduleRequest('06:30', ' ');
    expect('problem' in noZone && noZone.problem, 'a time without a zone is ambiguous').toMatch(/time zone/);
  });
});
