import { describe, expect, it } from 'vitest';
import { listOptions, pollChoiceProblem } from './polls.ts';
import type { PollInfo } from './session.ts';

const single: PollInfo = { question: 'Which?', options: ['Yes', 'No', 'Maybe'], multiple: false, closed: false };

describe('pollChoiceProblem', () => {
  it('accepts options that fit the poll', () => {
    expect(pollChoiceProblem(single, [2])).toBeUndefined();
    expect(pollChoiceProblem({ ...single, multiple: true }, [1, 3])).toBeUndefined();
    // The same option twice is one choice.
    expect(pollChoiceProblem(single, [2, 2])).toBeUndefined();
  });

  it.each([
    [single, [4], 'OPTION_OUT_OF_RANGE', /option 4 is not in the poll \(it has 3\): the options are 1\. Yes, 2\. No, 3\. Maybe/],
    [single, [0, 9], 'OPTION_OUT_OF_RANGE', /option 0, 9 is not/],
    [single, [1, 2], 'SINGLE_CHOICE_POLL', /takes one option, not 2/],
    [single, [], 'OPTION_MISSING', /choose an option/],
    [{ ...single, closed: true }, [1], 'POLL_CLOSED', /the poll is closed/],
  ])('refuses %j %j as %s', (info, options, code, message) => {
    expect(pollChoiceProblem(info, options)).toMatchObject({ code, message: expect.stringMatching(message) });
  });

  it('lists option texts with invisible and control characters escaped', () => {
    expect(listOptions({ ...single, options: ['\u202eevil\u001b[2J', 'ok'] })).toBe('1. \\u202eevil\\u001b[2J, 2. ok');
  });
});
