import { describe, expect, it } from 'vitest';
import { usableLanguage } from './locale';

describe('usableLanguage', () => {
  it('keeps a language Intl accepts and replaces one it refuses', () => {
    expect(usableLanguage('de-DE'), 'a real language tag is the operator\'s own choice').toBe('de-DE');
    expect(usableLanguage('C'), 'the C locale is not a language tag: Intl would throw on it').toBe('en-US');
    expect(usableLanguage(undefined), 'no language at all falls back too').toBe('en-US');
    expect(() => new Intl.NumberFormat(usableLanguage('C')), 'what it answers is usable').not.toThrow();
  });
});
