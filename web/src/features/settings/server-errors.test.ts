import { describe, expect, it } from 'vitest';
import { errorsByField, localizeMessage } from './server-errors.ts';
import { joinDuration, splitDuration } from './duration.ts';

// A stand-in for vue-i18n's t(): shows the key and its parameters.
const t = (key: string, named?: Record<string, unknown>) => (named && Object.keys(named).length ? `${key}${JSON.stringify(named)}` : key);

describe('localizeMessage', () => {
  it('translates known server messages with their numbers', () => {
    expect(localizeMessage('is required', t)).toBe('settings.serverMessage.required');
    expect(localizeMessage('is required, at most 60 characters', t)).toBe('settings.serverMessage.requiredMax{"max":"60"}');
    expect(localizeMessage('must be between 30 and 604800 seconds', t)).toBe('settings.serverMessage.betweenSeconds{"min":"30","max":"604800"}');
    expect(localizeMessage('must be between 0 and 1000', t)).toBe('settings.serverMessage.between{"min":"0","max":"1000"}');
    // Field numbers are 0-based on the wire, 1-based for people.
    expect(localizeMessage('duplicates the key of field 2', t)).toBe('settings.serverMessage.duplicateKey{"n":3}');
    expect(localizeMessage('cannot change from TEXT: tickets hold values of this field; add a new field instead', t)).toBe(
      'settings.serverMessage.kindLocked',
    );
    expect(localizeMessage('at least 10 characters', t)).toBe('settings.serverMessage.minChars{"min":"10"}');
    expect(localizeMessage('is too common or too easy to guess', t)).toBe('settings.serverMessage.guessable');
    expect(localizeMessage('Too many failed logins. Retry in 8 s.', t)).toBe('settings.serverMessage.throttled{"seconds":"8"}');
  });

  it('keeps unknown messages as the server wrote them', () => {
    expect(localizeMessage('something new', t)).toBe('something new');
  });
});

describe('errorsByField', () => {
  it('keys errors by path, strips the prefix and lists item errors under their list', () => {
    const e = errorsByField(
      [
        { field: 'assignment.modes', message: 'choose at least one of AUTO, MANAGER, GRAB' },
        { field: 'assignment.eligibleAgentIds.1', message: 'no such user' },
        { field: 'skills.0', message: 'oops' },
        { field: 'skills.3', message: 'oops' },
        { field: 'name', message: 'is required' },
        { field: 'name', message: 'other' },
      ],
      t,
      'assignment.',
    );
    expect(e).toEqual({
      modes: 'settings.serverMessage.modesNeeded',
      'eligibleAgentIds.1': 'settings.serverMessage.noSuchUser',
      eligibleAgentIds: 'settings.serverMessage.noSuchUser',
      'skills.0': 'oops',
      'skills.3': 'oops',
      skills: 'oops',
      name: 'settings.serverMessage.required; other',
    });
  });

  it('maps nested list paths (members.0.userId) to the list', () => {
    const e = errorsByField([{ field: 'members.2.userId', message: 'customers cannot join teams' }], t);
    expect(e.members).toBe('settings.serverMessage.noCustomers');
    expect(e['members.2.userId']).toBe('settings.serverMessage.noCustomers');
  });
});

describe('durations', () => {
  it('shows seconds in the largest whole unit and back', () => {
    expect(splitDuration(600)).toEqual({ value: 10, unit: 'minutes' });
    expect(splitDuration(7 * 86400)).toEqual({ value: 7, unit: 'days' });
    expect(splitDuration(5400)).toEqual({ value: 90, unit: 'minutes' });
    expect(splitDuration(45)).toEqual({ value: 45, unit: 'seconds' });
    expect(joinDuration(3, 'hours')).toBe(10800);
    expect(joinDuration(splitDuration(90061).value, splitDuration(90061).unit)).toBe(90061);
  });
});
